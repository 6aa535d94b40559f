/**
 * The runs page in Chromium through `descent serve`: filter by tag, CSV and .sqlite export of
 * checked runs (files read back), importing that .sqlite into an empty database served by a
 * second `descent serve` (by the file picker, then again by drag-and-drop: duplicates skipped),
 * delete with undo, and a 10,000-run table that scrolls with only the rows in view in the DOM.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { MAX_IMPORT_BYTES } from '../src-shared/api'
import { RunStore } from '../src-main/store/store'
import { startServe, tempDb, WsClient, type ServeHandle } from '../src-main/testing/host'
import { insertSyntheticRuns } from '../src-main/testing/runs'
import { ARTIFACTS, CHROMIUM, launchChromium } from './browser'

const inCi = process.env.CI === 'true'
/** expect.poll with room for a loaded machine (its default gives up after 1 s) */
const poll = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 15_000 })
const suite = CHROMIUM || inCi ? describe : describe.skip

let host: ServeHandle
let empty: ServeHandle
let browser: Browser
let page: Page
let ids: string[] = []
let bigProject = ''

suite('the runs page in a browser', () => {
  beforeAll(async () => {
    const db = tempDb()
    const store = new RunStore(db)
    // three runs with series in Default (one tagged), 10,000 without in "big"
    ids = insertSyntheticRuns(store, 3, { points: 4, tags: (i) => (i === 1 ? ['keep'] : []) })
    bigProject = store.createProject('big').id
    insertSyntheticRuns(store, 10_000, { projectId: bigProject })
    store.close()
    ;[host, empty] = await Promise.all([startServe(db), startServe(tempDb())])
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true })
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await Promise.all([host?.stop(), empty?.stop()])
  })

  const shot = (p: Page, name: string) => p.screenshot({ path: join(ARTIFACTS, `${name}.png`) })
  const rows = (p: Page) => p.locator('[data-testid^="runs-row-"]')
  /** choose an option of a naive-ui select (closed menus of other selects stay in the DOM, hidden) */
  const pick = async (testid: string, option: string) => {
    // a menu closed a moment ago fades out while the next one opens: wait until none is shown,
    // so the option is looked up in the menu of this select only
    await expect.poll(() => page.locator('.n-base-select-menu:visible').count(), { timeout: 15_000 }).toBe(0)
    await page.getByTestId(testid).click()
    await page.locator('.n-base-select-menu:visible .n-base-select-option', { hasText: option }).click()
  }
  const rowIds = (p: Page) => rows(p).evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('runs-row-'.length)).sort())

  it('lists the project and filters by tag', async () => {
    await page.goto(`${host.url}#/runs`)
    await page.getByTestId('runs-table').waitFor()
    await expect.poll(() => rowIds(page), { timeout: 20_000 }).toEqual([...ids].sort())
    await page.getByTestId('runs-tag-filter').fill('keep')
    await poll(() => rowIds(page)).toEqual([ids[1]])
    expect(await page.getByTestId(`runs-tags-${ids[1]}`).textContent()).toContain('keep')
    await shot(page, 'r01-tag-filter')
    await page.getByTestId('runs-tag-filter').fill('')
    await poll(() => rows(page).count()).toBe(3)
  })

  let sqlitePath = ''
  it('exports the checked runs as long-format CSV and as a .sqlite run database', async () => {
    for (const id of [ids[0], ids[2]]) await page.locator(`[data-testid="runs-row-${id}"] .n-checkbox`).click()
    await poll(() => page.getByTestId('runs-export-scope').textContent()).toContain('2 checked')
    const [csv] = await Promise.all([page.waitForEvent('download'), page.getByTestId('runs-export-csv').click()])
    const csvPath = join(ARTIFACTS, 'runs-export.csv')
    await csv.saveAs(csvPath)
    const lines = readFileSync(csvPath, 'utf8').trim().split('\n')
    expect(lines[0].split(',').slice(0, 6)).toEqual(['run', 'metric', 'x', 'value', 'param:lr', 'param:width'])
    // 2 runs × metric loss × 4 iterations; run 2 has loss 3·0.5^k
    expect(lines).toHaveLength(1 + 8)
    expect(new Set(lines.slice(1).map((l) => l.split(',')[0]))).toEqual(new Set([ids[0], ids[2]]))
    const last = lines.find((l) => l.startsWith(`${ids[2]},loss,3,`))!
    expect(last.split(',')[3]).toBe(String(3 * 0.5 ** 3))

    const [db] = await Promise.all([page.waitForEvent('download'), page.getByTestId('runs-export-sqlite').click()])
    expect(db.suggestedFilename()).toMatch(/\.sqlite$/)
    sqlitePath = join(ARTIFACTS, `runs-export-${Date.now()}.sqlite`)
    await db.saveAs(sqlitePath)
    const exported = new RunStore(sqlitePath, { readonly: true })
    expect(exported.listRunIds({}).sort()).toEqual([ids[0], ids[2]].sort())
    expect(Array.from(exported.readSeries(ids[2]).columns.loss)).toEqual([3, 1.5, 0.75, 0.375])
    exported.close()
  })

  it('imports the exported .sqlite into an empty database, then skips the duplicates when dropped again', async () => {
    const other = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await other.goto(`${empty.url}#/runs`)
    await other.getByTestId('runs-table').waitFor()
    await poll(() => other.getByTestId('runs-count').getAttribute('data-total')).toBe('0')
    await other.getByTestId('runs-import-input').setInputFiles(sqlitePath)
    const report = other.getByTestId('runs-import-report')
    await poll(() => report.getAttribute('data-imported')).toBe('2')
    await poll(() => rowIds(other)).toEqual([ids[0], ids[2]].sort())
    await shot(other, 'r02-imported')
    // the same runs in both databases
    const a = await WsClient.connect(host.port, host.token)
    const b = await WsClient.connect(empty.port, empty.token)
    for (const id of [ids[0], ids[2]]) expect(await b.call('runs:get', { id })).toEqual(await a.call('runs:get', { id }))
    a.close()
    b.close()

    // drag-and-drop the same file: nothing imported, both recognised by run id
    const bytes = [...readFileSync(sqlitePath)]
    const transfer = await other.evaluateHandle((data) => {
      const dt = new DataTransfer()
      dt.items.add(new File([new Uint8Array(data)], 'again.sqlite', { type: 'application/vnd.sqlite3' }))
      return dt
    }, bytes)
    await other.getByTestId('runs-page').dispatchEvent('drop', { dataTransfer: transfer })
    await poll(() => report.getAttribute('data-skipped')).toBe('2')
    expect(await report.getAttribute('data-imported')).toBe('0')
    expect(await report.textContent()).toContain('again.sqlite')

    // a file too big for one api message is refused up front, with what to do instead
    await other.getByTestId('runs-import-input').setInputFiles({ name: 'huge.sqlite', mimeType: 'application/vnd.sqlite3', buffer: Buffer.alloc(MAX_IMPORT_BYTES + 1) })
    await other.getByText(/huge\.sqlite is 12\.0 MB; the workbench imports run databases up to 12\.0 MB\. Merge a bigger one from the command line: descent merge/).waitFor({ timeout: 15_000 })
    await poll(() => other.getByTestId('runs-count').getAttribute('data-total')).toBe('2')
    await other.close()
  })

  it('deletes checked runs with an undo window', async () => {
    await page.getByTestId('compare-clear').click()
    await page.locator(`[data-testid="runs-row-${ids[0]}"] .n-checkbox`).click()
    await page.getByTestId('runs-delete').click()
    await page.getByTestId('runs-undo-bar').waitFor()
    expect(await page.getByTestId('runs-undo-bar').textContent()).toContain('1 run deleted')
    await poll(() => rows(page).count()).toBe(2)
    await shot(page, 'r03-undo')
    await page.getByTestId('runs-undo').click()
    await poll(() => rowIds(page)).toEqual([...ids].sort())
    await page.getByTestId('runs-undo-bar').waitFor({ state: 'detached' })

    // delete again and let the window pass: the run stays gone, and is purged from the file
    await page.locator(`[data-testid="runs-row-${ids[0]}"] .n-checkbox`).click()
    await page.getByTestId('runs-delete').click()
    await page.getByTestId('runs-undo-bar').waitFor()
    await page.getByTestId('runs-undo-bar').waitFor({ state: 'detached', timeout: 20_000 })
    expect(await rowIds(page)).toEqual([ids[1], ids[2]].sort())
    const c = await WsClient.connect(host.port, host.token)
    await expect
      .poll(() => c.call('runs:get', { id: ids[0] }).then(() => 'there', (e: { code?: string }) => e.code), { timeout: 20_000, interval: 1000 })
      .toBe('not-found')
    c.close()
  }, 60_000)

  it('edits tags in place, moves a run to a new project, and deleting that project moves it back', async () => {
    await page.getByTestId(`runs-tags-${ids[2]}`).dblclick()
    await page.getByTestId('runs-edit-input').fill('fresh, keep')
    await page.getByTestId('runs-edit-input').press('Enter')
    await poll(() => page.getByTestId(`runs-tags-${ids[2]}`).textContent()).toContain('fresh')
    await page.getByTestId('runs-tag-filter').fill('fresh')
    await poll(() => rowIds(page)).toEqual([ids[2]])
    await page.getByTestId('runs-tag-filter').fill('')
    await poll(() => rows(page).count()).toBe(2)

    await page.getByTestId('project-new').click()
    await page.getByTestId('project-name').fill('side')
    await page.getByTestId('project-name').press('Enter')
    // creating a project makes it current (empty); go back to Default and move one run there
    await poll(() => page.getByTestId('runs-count').getAttribute('data-total')).toBe('0')
    await pick('project-select', 'Default (2)')
    await poll(() => rows(page).count()).toBe(2)
    await page.locator(`[data-testid="runs-row-${ids[1]}"] .n-checkbox`).click()
    await pick('runs-move', 'side (0)')
    await poll(() => rowIds(page)).toEqual([ids[2]])
    // moved runs leave the view and the checked set
    expect(await page.getByTestId('runs-selected-count').count()).toBe(0)
    await pick('project-select', 'side (1)')
    await poll(() => rowIds(page)).toEqual([ids[1]])
    await page.getByTestId('project-delete').click()
    expect(await page.getByTestId('project-delete-confirm').textContent()).toContain('Its 1 run move to the Default project')
    await page.getByRole('button', { name: 'Delete project' }).click()
    await poll(() => rowIds(page)).toEqual([ids[1], ids[2]].sort())
  }, 60_000)

  it('scrolls 10,000 runs with fewer than 200 rows in the DOM', async () => {
    await pick('project-select', 'big (10000)')
    await poll(() => page.getByTestId('runs-count').getAttribute('data-total')).toBe('10000')
    await poll(() => rows(page).count()).toBeGreaterThan(10)
    expect(await rows(page).count()).toBeLessThan(200)
    const viewport = page.getByTestId('runs-viewport')
    const scrollTo = (fraction: number) => viewport.evaluate((el, f) => (el.scrollTop = f * (el.scrollHeight - el.clientHeight)), fraction)
    const indices = () => rows(page).evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-index'))))
    await scrollTo(0.5)
    await poll(async () => (await indices()).some((i) => i >= 4900 && i <= 5100)).toBe(true)
    expect(await rows(page).count()).toBeLessThan(200)
    expect(await page.locator('[data-index]').count()).toBeLessThan(200)
    await scrollTo(1)
    await poll(async () => Math.max(...(await indices()))).toBe(9999)
    expect(await rows(page).count()).toBeLessThan(200)
    await shot(page, 'r04-10k-bottom')
    // sort by seed, descending: the last synthetic run first
    await page.getByTestId('runs-sort-seed').click()
    await scrollTo(0)
    await poll(() => rows(page).first().getAttribute('data-index')).toBe('0')
    await poll(async () => (await rows(page).first().textContent())?.includes('synthetic 9999')).toBe(true)

    // a summary value as a column, sorted ascending in SQL over all 10,000
    // the options list is virtual: type to filter it first
    await page.getByTestId('runs-columns').click()
    await page.keyboard.type('finalLoss')
    await page.locator('.n-base-select-option:visible', { hasText: 'summary.finalLoss' }).click()
    await page.keyboard.press('Escape')
    await page.getByTestId('runs-sort-summary.finalLoss').click()
    await page.getByTestId('runs-sort-summary.finalLoss').click()
    await poll(() => rows(page).first().textContent()).toMatch(/synthetic 0(?!\d)/)
    expect(await rows(page).first().textContent()).toContain('0.001')

    // shift-click checks a range; "Check all" checks every matching run
    const check = (i: number, shift = false) =>
      page.locator(`[data-index="${i}"] .n-checkbox`).click(shift ? { modifiers: ['Shift'] } : undefined)
    await check(2)
    await check(7, true)
    await poll(() => page.getByTestId('runs-selected-count').getAttribute('data-count')).toBe('6')
    await page.getByTestId('runs-select-matching').click()
    await poll(() => page.getByTestId('runs-selected-count').getAttribute('data-count')).toBe('10000')
    await page.getByTestId('compare-clear').click()
  }, 60_000)
})

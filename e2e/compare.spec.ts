/**
 * Sweeps, comparison and export in Chromium through `descent serve`: a grid sweep from the
 * study page's Sweep tab (its count first), the sweep page's summary table, comparing two runs
 * from the runs table (overlaid curves, params diff, fitted rates), and a chart saved as PNG,
 * SVG, CSV and JSON.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../src-shared/model'
import { startServe, tempDb, WsClient, type ServeHandle } from '../src-main/testing/host'
import { ARTIFACTS, CHROMIUM, launchChromium } from './browser'

const inCi = process.env.CI === 'true'
const suite = CHROMIUM || inCi ? describe : describe.skip

let host: ServeHandle
let browser: Browser
let page: Page

suite('sweeps, compare and export in a browser', () => {
  beforeAll(async () => {
    host = await startServe(tempDb())
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 900 }, acceptDownloads: true })
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
  })

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

  let runIds: string[] = []
  it('counts a grid sweep before starting it, then shows its runs and summary table', async () => {
    await page.goto(host.url)
    await page.getByTestId('catalog-card-probe').click()
    await page.getByTestId('sweep-tab').click()
    await page.getByTestId('sweep-form').waitFor()
    await page.getByTestId('sweep-param-rho').click()
    await page.getByTestId('sweep-values-rho').fill('0.5, 0.8, 0.9')
    await page.getByTestId('sweep-seeds').fill('0..1')
    await expect.poll(() => page.getByTestId('sweep-count').getAttribute('data-count')).toBe('6')
    await page.getByTestId('sweep-values-rho').fill('0.5, 0.9')
    await expect.poll(() => page.getByTestId('sweep-count').getAttribute('data-count')).toBe('4')
    await shot('c01-sweep-form')
    await page.getByTestId('sweep-start').click()
    await page.getByTestId('sweep-status').waitFor()
    expect(page.url()).toContain('#/figure/')
    await expect.poll(() => page.getByTestId('sweep-status').getAttribute('data-status'), { timeout: 60_000 }).toBe('done')
    const rows = page.locator('[data-testid^="sweep-run-"]')
    expect(await rows.count()).toBe(4)
    runIds = await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')!.slice('sweep-run-'.length)))
    const table = page.getByTestId('sweep-summary')
    await expect.poll(() => table.textContent()).toContain('rho')
    await expect.poll(async () => Number(await page.getByTestId('chart-x').getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(0)
    await shot('c02-sweep-page')
  })

  it('compares two runs from the runs table: overlaid curves, the params diff and fitted rates', async () => {
    await page.getByTestId('nav-runs').click()
    await page.getByTestId('runs-table').waitFor()
    const pick = runIds.slice(0, 2)
    for (const id of pick) await page.locator(`[data-testid="runs-row-${id}"] .n-checkbox`).click()
    expect(page.url()).toContain('#/runs')
    await expect.poll(() => page.getByTestId('compare-button').textContent()).toContain('Compare 2')
    await page.getByTestId('compare-button').click()
    await page.getByTestId('compare-view').waitFor()
    expect(page.url()).toContain(`#/compare/${pick.join(',')}`)
    const chart = page.getByTestId('chart-x')
    await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(100)
    const diff = page.getByTestId('compare-diff')
    // differences only (the default): the two runs differ in rho or seed, never in T
    await expect.poll(() => diff.textContent()).not.toContain('busyUs')
    const diffText = (await diff.textContent()) ?? ''
    expect(diffText.includes('rho') || diffText.includes('seed')).toBe(true)
    await page.getByTestId('compare-diff-only').click()
    await expect.poll(() => diff.textContent()).toContain('busyUs')
    // the fitted linear rate of x_t = rho^t is rho itself
    const fits = page.getByTestId('chart-x-fits')
    await expect.poll(() => fits.textContent()).toMatch(/0\.5|0\.9/)
    expect(await fits.textContent()).toContain('whole x-range')
    // zooming in (mouse wheel over the plot) refits over the visible window
    const box = (await chart.locator('canvas').first().boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    for (let i = 0; i < 3; i++) {
      await page.mouse.wheel(0, -300)
      await page.waitForTimeout(100)
    }
    await expect.poll(() => fits.textContent()).toContain('x in [')
    const points = Number(await fits.locator('tbody tr').first().locator('td').last().textContent())
    expect(points).toBeGreaterThan(2)
    expect(points).toBeLessThan(100)
    await shot('c03-compare')
  })

  it('exports a chart as PNG, SVG, CSV and JSON', async () => {
    const save = async (kind: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`chart-x-${kind}`).click()])
      const path = await download.path()
      return { name: download.suggestedFilename(), data: readFileSync(path) }
    }
    const png = await save('png')
    expect(png.name).toMatch(/\.png$/)
    expect(png.data.subarray(1, 4).toString()).toBe('PNG')
    const width = png.data.readUInt32BE(16)
    const cssWidth = await page.getByTestId('chart-x').locator('canvas').first().evaluate((c) => c.clientWidth)
    expect(width).toBe(cssWidth * 2)
    const png3 = await save('png3')
    expect(png3.data.readUInt32BE(16)).toBe(cssWidth * 3)

    const svg = await save('svg')
    const text = svg.data.toString()
    expect(text.startsWith('<svg')).toBe(true)
    expect(text).toContain('</svg>')
    expect(text).toContain('<text')
    const parsed = await page.evaluate((s) => new DOMParser().parseFromString(s, 'image/svg+xml').getElementsByTagName('parsererror').length, text)
    expect(parsed).toBe(0)
    // legend entries and the x-axis name are text, not paths
    const labels = await page.evaluate(
      (s) => [...new DOMParser().parseFromString(s, 'image/svg+xml').getElementsByTagName('text')].map((t) => t.textContent ?? ''),
      text,
    )
    expect(labels).toContain('iteration')
    expect(labels.filter((l) => /^(rho|seed)=/.test(l)).length).toBeGreaterThanOrEqual(2)

    const csv = (await save('csv')).data.toString()
    const lines = csv.trim().split('\n')
    expect(lines[0]).toBe('series,iteration,value')
    expect(lines.length).toBeGreaterThan(100)
    const json = JSON.parse((await save('json')).data.toString()) as { series: { name: string; x: number[]; y: number[] }[] }
    expect(json.series).toHaveLength(2)
    expect(json.series[0].x.length).toBe(json.series[0].y.length)
  })

  it('lays out one chart per metric and zooms them together', async () => {
    await page.getByTestId('compare-layout-metric').click()
    const a = page.getByTestId('chart-m-x')
    const b = page.getByTestId('chart-m-pair')
    await expect.poll(async () => Number(await b.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(100)
    expect(await a.getAttribute('data-zoom')).toBe('')
    const box = (await a.locator('canvas').first().boundingBox())!
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    for (let i = 0; i < 3; i++) {
      await page.mouse.wheel(0, -300)
      await page.waitForTimeout(100)
    }
    await expect.poll(() => a.getAttribute('data-zoom')).not.toBe('')
    const window = (await a.getAttribute('data-zoom'))!.split(',').map(Number)
    expect(window[1] - window[0]).toBeLessThan(99)
    // the other chart follows to the same x-window, and its fitted rates are over that window
    await expect.poll(async () => ((await b.getAttribute('data-zoom')) ?? '').split(',').map(Number)).toEqual(window)
    await expect.poll(() => page.getByTestId('chart-m-pair-fits').textContent()).toContain('x in [')
    await shot('c04-compare-linked-zoom')
    // unlinked, zooming one chart leaves the other alone
    await page.getByTestId('compare-link-zoom').click()
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
    await page.mouse.wheel(0, -300)
    await expect.poll(async () => (await a.getAttribute('data-zoom')) !== window.join(',')).toBe(true)
    expect((await b.getAttribute('data-zoom'))!.split(',').map(Number)).toEqual(window)
  })

  it('re-fetches detail from main when zooming into a long run', async () => {
    const client = await WsClient.connect(host.port, host.token)
    try {
      const run = await client.call<Run>('runs:start', { study: 'probe', params: { T: 40_000, rho: 0.9999 } })
      for (let i = 0; i < 600; i++) {
        const r = await client.call<Run>('runs:get', { id: run.id })
        if (r.status === 'done') break
        await page.waitForTimeout(200)
      }
      await page.evaluate((id) => (location.hash = `#/run/${id}`), run.id)
      const chart = page.getByTestId('chart-x')
      await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(1000)
      const overview = Number(await chart.getAttribute('data-points'))
      expect(overview).toBeLessThanOrEqual(2000) // min/max-decimated by main
      const box = (await chart.locator('canvas').first().boundingBox())!
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2)
      for (let i = 0; i < 4; i++) {
        await page.mouse.wheel(0, -300)
        await page.waitForTimeout(100)
      }
      // the window now has its own point budget: more points drawn than the overview had
      await expect.poll(async () => Number(await chart.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(overview + 500)
    } finally {
      client.close()
    }
  })

  it('replays a run from its page: max |Δ| = 0', async () => {
    await page.evaluate((id) => (location.hash = `#/run/${id}`), runIds[0])
    await page.getByTestId('run-replay').click()
    const result = page.getByTestId('replay-result')
    await expect.poll(() => result.getAttribute('data-max-abs-diff'), { timeout: 60_000 }).toBe('0')
    expect(await result.textContent()).toContain('bit-identical')
    expect(await result.textContent()).toContain('not compared (wall clock): wallMs, clock')
    await shot('c05-replay')
    // clone to form: the study's launch form with this run's params and seed
    await page.getByTestId('run-clone').click()
    await page.getByTestId('launch-form').waitFor()
    const rho = await page.getByTestId('param-rho').inputValue()
    expect(['0.5', '0.9']).toContain(rho)
  })
})

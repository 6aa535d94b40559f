/**
 * A sweep to its phase diagram in Chromium through `descent serve`: a grid over two params of
 * the probe study (one of them makes runs diverge) × 2 seeds launched from the Sweep tab, its
 * median/IQR bands, the phase diagram's cells (values, n, diverged cells marked) and parallel
 * coordinates; then a second, slower sweep paused, resumed and cancelled from its page.
 */
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServe, tempDb, type ServeHandle } from '../src-main/testing/host'
import { ARTIFACTS, CHROMIUM, launchChromium } from './browser'

const inCi = process.env.CI === 'true'
const suite = CHROMIUM || inCi ? describe : describe.skip

let host: ServeHandle
let browser: Browser
let page: Page

suite('sweep views and sweep control in a browser', () => {
  beforeAll(async () => {
    host = await startServe(tempDb(), {}, ['--workers', '2'])
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } })
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
  })

  // screenshots are artifacts; on a loaded machine a full-page capture can take long
  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true, timeout: 60_000 })
  const attr = (testid: string, name: string) => page.getByTestId(testid).getAttribute(name)
  const openTab = (name: string) => page.locator('[data-testid="sweep-views"] .n-tabs-tab', { hasText: name }).click()

  async function startSweep(values: Record<string, string>, seeds: string, count: number): Promise<void> {
    await page.goto(host.url)
    await page.getByTestId('catalog-card-probe').click()
    await page.getByTestId('sweep-tab').click()
    await page.getByTestId('sweep-form').waitFor()
    for (const [name, text] of Object.entries(values)) {
      await page.getByTestId(`sweep-param-${name}`).click()
      await page.getByTestId(`sweep-values-${name}`).fill(text)
    }
    await page.getByTestId('sweep-seeds').fill(seeds)
    await expect.poll(() => attr('sweep-count', 'data-count')).toBe(String(count))
    await page.getByTestId('sweep-start').click()
    await page.getByTestId('sweep-controls').waitFor()
  }

  it('sweeps two params × 2 seeds and shows the phase diagram with its cells and the diverged ones marked', async () => {
    // rho × fault: the runs with fault = nan diverge at iteration 10
    await startSweep({ rho: '0.5, 0.9', fault: 'none, nan' }, '0..1', 8)
    await expect.poll(() => attr('sweep-state', 'data-state'), { timeout: 90_000 }).toBe('done')
    expect(await attr('sweep-progress', 'data-finished')).toBe('8')
    expect(await page.getByTestId('sweep-eta').count()).toBe(0)

    // median and IQR over the seeds: one band per param point with finished runs (the nan ones diverged)
    await openTab('Median & IQR')
    await expect.poll(() => attr('band-x', 'data-groups'), { timeout: 30_000 }).toBe('2')
    expect(Number(await attr('band-x', 'data-points'))).toBeGreaterThan(0)
    await page.getByTestId('band-seeds').click()
    await shot('s01-sweep-bands')

    await openTab('Phase diagram')
    const chart = page.getByTestId('phase-chart')
    await chart.waitFor()
    expect(await chart.getAttribute('data-columns')).toBe('2')
    expect(await chart.getAttribute('data-rows')).toBe('2')
    expect(await chart.getAttribute('data-cells')).toBe('4')
    expect(await chart.getAttribute('data-valued')).toBe('2')
    expect(await chart.getAttribute('data-failed')).toBe('2')
    // the cell table: every cell holds both seeds; values only where the runs finished
    await page.locator('[data-testid="phase-diagram"] details summary').click()
    const cells = page.locator('[data-testid^="phase-cell-"]')
    expect(await cells.count()).toBe(4)
    const rows = await cells.evaluateAll((els) => els.map((e) => ({ value: Number(e.getAttribute('data-value')), n: e.getAttribute('data-n'), failed: e.getAttribute('data-failed') })))
    expect(rows.map((r) => r.n)).toEqual(['2', '2', '2', '2'])
    expect(rows.filter((r) => Number.isFinite(r.value)).length).toBe(2)
    expect(rows.filter((r) => r.failed === '2').length).toBe(2)
    expect(rows.filter((r) => Number.isFinite(r.value)).every((r) => r.failed === '0')).toBe(true)
    // the chart drew the cells: the canvas is there and non-blank
    const canvas = chart.locator('canvas')
    expect(await canvas.count()).toBeGreaterThan(0)
    await shot('s02-phase-diagram')

    await openTab('Parallel coordinates')
    await page.getByTestId('parallel-chart').waitFor()
    expect(await attr('parallel-coords', 'data-lines')).toBe('4')
    expect(await attr('sweep-summary', 'data-rows')).toBe('8')
    // brush the top of the first axis (ρ, 0.5 at the bottom, 0.9 at the top): the runs table keeps the ρ = 0.9 runs
    const box = (await page.getByTestId('parallel-chart').boundingBox())!
    const axisX = box.x + 60
    await page.mouse.move(axisX, box.y + 36)
    await page.mouse.down()
    await page.mouse.move(axisX, box.y + 120, { steps: 8 })
    await page.mouse.up()
    await expect.poll(() => attr('parallel-coords', 'data-selected')).toBe('2')
    expect(await attr('sweep-summary', 'data-rows')).toBe('2')
    expect(await page.getByTestId('sweep-summary').textContent()).not.toContain('0.5')
    await shot('s03-parallel')
  })

  it('pauses, resumes and cancels a slower sweep from its page', async () => {
    // 4 × 2 runs of 3000 iterations busy-waiting 1 ms each: seconds per run, two at a time
    await startSweep({ rho: '0.5, 0.6, 0.7, 0.8', T: '3000', busyUs: '1000' }, '0..1', 8)
    await expect.poll(() => attr('sweep-state', 'data-state'), { timeout: 30_000 }).toBe('running')
    await page.getByTestId('sweep-pause').click()
    await expect.poll(() => attr('sweep-state', 'data-state')).toBe('paused')
    await expect.poll(() => page.getByTestId('sweep-controls').textContent()).toContain('queued')
    await shot('s04-sweep-paused')
    await page.getByTestId('sweep-resume').click()
    await expect.poll(() => attr('sweep-state', 'data-state')).toBe('running')
    await page.getByTestId('sweep-cancel').click()
    await expect.poll(() => attr('sweep-state', 'data-state'), { timeout: 30_000 }).toBe('cancelled')
    await expect.poll(() => attr('sweep-status', 'data-status'), { timeout: 30_000 }).toBe('done')
    expect(await attr('sweep-progress', 'data-finished')).toBe('8')
    expect(await page.getByTestId('sweep-controls').textContent()).toMatch(/cancelled/)
    // a cancelled sweep can be resumed (it runs what is not done)
    expect(await page.getByTestId('sweep-resume').count()).toBe(1)
    await shot('s05-sweep-cancelled')
  })
})

/**
 * The new chart kinds in Chromium through `descent serve`: a matrix heatmap with points (the
 * convex-relu-admm decision boundary), a symlog series chart and a column histogram (the
 * hessian-bulk-outliers spectrum) draw on a run page, and the heatmap exports as PNG and SVG.
 */
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServe, tempDb, WsClient, type ServeHandle } from '../src-main/testing/host'
import { ARTIFACTS, CHROMIUM, launchChromium } from './browser'

const inCi = process.env.CI === 'true'
const suite = CHROMIUM || inCi ? describe : describe.skip

let host: ServeHandle
let browser: Browser
let page: Page
let client: WsClient

async function runToEnd(study: string, params: Record<string, unknown>): Promise<string> {
  const run = await client.call<{ id: string }>('runs:start', { study, params, seed: 0 })
  await expect.poll(async () => (await client.call<{ status: string }>('runs:get', { id: run.id })).status, { timeout: 120_000, interval: 250 }).toBe('done')
  return run.id
}

suite('chart kinds in a browser', () => {
  beforeAll(async () => {
    host = await startServe(tempDb())
    client = await WsClient.connect(host.port, host.token)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  })
  afterAll(async () => {
    client?.close()
    await browser?.close()
    await host?.stop()
  })

  it('draws the decision-boundary heatmap with the training points and exports it', async () => {
    const id = await runToEnd('convex-relu-admm', { n: 8, iterations: 300, referenceIters: 0, gridSize: 11 })
    await page.goto(`${host.url}#/run/${id}`)
    const chart = page.getByTestId('chart-decision-boundary')
    await chart.waitFor()
    // 11 × 11 cells and 8 points
    await expect.poll(() => chart.getAttribute('data-points'), { timeout: 30_000 }).toBe(String(121 + 8))
    await page.screenshot({ path: join(ARTIFACTS, 'k01-heatmap.png'), fullPage: true })
    const save = async (kind: string) => {
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId(`chart-decision-boundary-${kind}`).click()])
      return readFileSync(await download.path())
    }
    const png = await save('png')
    expect(png.subarray(1, 4).toString()).toBe('PNG')
    const svg = (await save('svg')).toString()
    expect(svg.startsWith('<svg')).toBe(true)
    const parsed = await page.evaluate((s) => new DOMParser().parseFromString(s, 'image/svg+xml').getElementsByTagName('parsererror').length, svg)
    expect(parsed).toBe(0)
    // the cells are drawn (many filled paths) and the axis names are text
    expect((svg.match(/<path/g) ?? []).length).toBeGreaterThan(121)
    expect(svg).toContain('x₁')
  })

  it('draws a summary heatmap over two params of a figure reproduction', async () => {
    const sweep = await client.call<{ id: string }>('runs:reproduce', { study: 'nc-perturbation', figure: 'regularisation-heatmap', seed: 0 })
    await expect
      .poll(async () => (await client.call<{ status: string }>('sweeps:get', { id: sweep.id })).status, { timeout: 180_000, interval: 500 })
      .toBe('done')
    await page.goto(`${host.url}#/figure/${sweep.id}`)
    const chart = page.getByTestId('chart-heat')
    await chart.waitFor()
    // the 3 × 3 (lW, lH) grid
    await expect.poll(() => chart.getAttribute('data-points'), { timeout: 30_000 }).toBe('9')
    await page.screenshot({ path: join(ARTIFACTS, 'k03-summary-heatmap.png'), fullPage: true })
  })

  it('draws the symlog spectrum and the eigenvalue histogram of a Hessian run', async () => {
    const id = await runToEnd('hessian-bulk-outliers', { N: 40, d: 3, k: 2, width: 4, iterations: 50 })
    await page.goto(`${host.url}#/run/${id}`)
    const spectrum = page.getByTestId('chart-spectrum-signed')
    const histogram = page.getByTestId('chart-eigen-histogram')
    await spectrum.waitFor()
    await histogram.waitFor()
    await expect.poll(async () => Number(await spectrum.getAttribute('data-points')), { timeout: 30_000 }).toBeGreaterThan(10)
    await expect.poll(async () => Number(await histogram.getAttribute('data-points')), { timeout: 30_000 }).toBe(60)
    // symlog: no value is floored (negative eigenvalues are drawn, not clamped)
    expect(await spectrum.getAttribute('data-floored')).toBe('0')
    await page.screenshot({ path: join(ARTIFACTS, 'k02-symlog-histogram.png'), fullPage: true })
  })
})

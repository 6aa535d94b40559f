/**
 * The workbench in Chromium through `descent serve`: open the catalog, launch a run from the
 * generated form, watch the chart grow, see the claims, find the run in the runs table.
 * Screenshots are kept in test-results/e2e/ as artifacts.
 */
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServe, tempDb, type ServeHandle } from '../src-main/testing/host'
import { ARTIFACTS, CHROMIUM, launchChromium } from './browser'

const inCi = process.env.CI === 'true'
const suite = CHROMIUM || inCi ? describe : describe.skip
if (!CHROMIUM && !inCi) console.warn('e2e: Debian chromium not found (apt-get install -y chromium); browser tests skipped')

let host: ServeHandle
let browser: Browser
let page: Page

suite('the workbench in a browser', () => {
  beforeAll(async () => {
    host = await startServe(tempDb())
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  })
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
  })

  const shot = (name: string) => page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true })

  it('opens the catalog of studies', async () => {
    await page.goto(host.url)
    await page.getByTestId('catalog-card-probe').waitFor()
    expect(await page.getByTestId('catalog-card-probe').textContent()).toContain('Fault probe')
    // the token is not left in the address bar
    expect(page.url()).not.toContain('token=')
    await shot('01-catalog')
  })

  it('validates the launch form with the same messages as the api', async () => {
    await page.getByTestId('catalog-card-probe').click()
    await page.getByTestId('launch-form').waitFor()
    await page.getByTestId('param-rho').fill('5')
    await expect.poll(() => page.getByTestId('param-rho-error').textContent()).toContain('5 is above the maximum; allowed: a number in [0, 2]')
    await page.getByTestId('param-rho').fill('0.9995')
    await page.getByTestId('param-rho-error').waitFor({ state: 'detached' })
    await shot('02-launch-form')
  })

  let runUrl = ''
  it('launches a run and shows its chart growing live, then its claims', async () => {
    await page.getByTestId('param-T').fill('8000')
    await page.getByTestId('param-busyUs').fill('200')
    await page.getByTestId('seed-input').fill('5')
    await page.getByTestId('launch-button').click()
    await page.getByTestId('run-status').waitFor()
    runUrl = page.url()
    const chart = page.locator('[data-testid="chart-x"]')
    await chart.waitFor()
    const seen: number[] = []
    for (let i = 0; i < 60; i++) {
      const status = (await page.getByTestId('run-status').textContent()) ?? ''
      seen.push(Number((await chart.getAttribute('data-points')) ?? 0))
      if (status.includes('done')) break
      if (seen.length === 3) await shot('03-run-live')
      await page.waitForTimeout(250)
    }
    const growth = seen.filter((v, i) => i > 0 && v > seen[i - 1]).length
    expect(growth, `points seen: ${seen.join(', ')}`).toBeGreaterThanOrEqual(2)
    await expect.poll(() => page.getByTestId('run-status').textContent(), { timeout: 60_000 }).toContain('done')
    const claim = page.getByTestId('claim-contracts')
    await claim.waitFor()
    expect(await claim.getAttribute('data-passed')).toBe('true')
    expect(await claim.textContent()).toContain('x_T = ')
    await shot('04-run-done')
  })

  it('finds the run in the runs table', async () => {
    await page.getByTestId('nav-runs').click()
    await page.getByTestId('runs-table').waitFor()
    const rows = page.locator('[data-testid^="runs-row-"]')
    await expect.poll(() => rows.count()).toBeGreaterThanOrEqual(1)
    expect(await rows.first().textContent()).toContain('probe')
    await shot('05-runs-table')
    await rows.first().click()
    await page.getByTestId('run-status').waitFor()
    expect(page.url()).toBe(runUrl)
  })

  it('switches to the dark theme', async () => {
    await page.getByTestId('theme-toggle').click()
    await page.waitForTimeout(300)
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor)
    await shot('06-dark')
    const [r, g, b] = bg.match(/\d+/g)!.map(Number)
    expect(r + g + b).toBeLessThan(200)
  })
})

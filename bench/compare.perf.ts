/**
 * Large data in the compare view (npm run bench): 20 runs of 100,000 rows each, opened
 * side by side in Chromium. Main min/max-decimates each run to about 2,000 points per column
 * in screen space; we measure the time from opening the page to every curve drawn (fetch,
 * decimation, transfer and drawing), then the redraw alone (build the option for 20 curves and
 * let ECharts paint: two animation frames), median of several toggles of the y scale.
 */
import { it } from 'vitest'
import type { Run } from '../src-shared/model'
import { startServe, tempDb, WsClient } from '../src-main/testing/host'
import { launchChromium } from '../e2e/browser'
import { report } from './report'

const RUNS = 20
const ROWS = 100_000

it('draws 20 runs × 100,000 points side by side', async () => {
  const host = await startServe(tempDb())
  const client = await WsClient.connect(host.port, host.token)
  const browser = await launchChromium()
  try {
    const ids: string[] = []
    for (let i = 0; i < RUNS; i++) {
      const r = await client.call<Run>('runs:start', { study: 'probe', params: { T: ROWS, rho: 0.9999 - i * 1e-5 }, seed: i })
      ids.push(r.id)
    }
    for (const id of ids) {
      for (;;) {
        const r = await client.call<Run>('runs:get', { id })
        if (r.status === 'done') break
        if (r.status !== 'running' && r.status !== 'queued') throw new Error(`run ${id} ${r.status}: ${r.error}`)
        await new Promise((res) => setTimeout(res, 250))
      }
    }
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(host.url)
    await page.getByTestId('nav-catalog').waitFor()
    const chart = page.locator('[data-testid="chart-x"]')
    const t0 = Date.now()
    await page.evaluate((h) => (location.hash = h), `#/compare/${ids.join(',')}`)
    // every run's curve arrived (about 2,000 points each) and nothing changed for 2 s since
    let drawn = 0
    let changedAt = t0
    for (;;) {
      const now = Number((await chart.getAttribute('data-points').catch(() => null)) ?? 0)
      if (now !== drawn) {
        drawn = now
        changedAt = Date.now()
      }
      if (drawn >= RUNS * 1000 && Date.now() - changedAt > 2000) break
      if (Date.now() - t0 > 180_000) throw new Error(`only ${drawn} points drawn after 180 s`)
      await page.waitForTimeout(20)
    }
    const openMs = changedAt - t0
    await page.waitForTimeout(1000)
    const redraws: number[] = []
    for (let i = 0; i < 7; i++) {
      redraws.push(
        await page.evaluate(async () => {
          const button = document.querySelector('[data-testid="chart-x-logy"]') as HTMLElement
          const t = performance.now()
          button.click()
          await new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r)))
          return performance.now() - t
        }),
      )
      await page.waitForTimeout(300)
    }
    redraws.sort((a, b) => a - b)
    const median = redraws[redraws.length >> 1]
    const load = (await import('node:fs')).readFileSync('/proc/loadavg', 'utf8').split(' ')[0]
    report(`ui (compare view, ${RUNS} runs × ${ROWS.toLocaleString('en')} rows, in Chromium; load average ${load})`, [
      ['points drawn (min/max-decimated by main)', drawn, `≈ ${RUNS} × 2,000`],
      ['open the compare page → every curve drawn, ms', openMs, '< 3000 (fetch + decimate + draw)'],
      ['redraw of the 20 curves (option build + paint), median ms', +median.toFixed(1), '< 300'],
      ['redraw, worst of 7, ms', +redraws[redraws.length - 1].toFixed(1), '< 300'],
    ])
  } finally {
    await browser.close()
    client.close()
    await host.stop()
  }
})

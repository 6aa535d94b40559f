/**
 * Does the UI keep up with a run recording 10,000 iterations a second? (npm run bench)
 * A probe run busy-waits 100 µs per iteration while its live page is open in Chromium; we
 * measure the run's actual recording rate, the page's main-thread long tasks (total blocking
 * time) and how far the drawn chart trails the stored rows.
 */
import { it } from 'vitest'
import type { Run } from '../src-shared/model'
import { startServe, tempDb, WsClient } from '../src-main/testing/host'
import { launchChromium } from '../e2e/browser'
import { report } from './report'

it('keeps up with 10,000 iterations a second', async () => {
  const host = await startServe(tempDb())
  const client = await WsClient.connect(host.port, host.token)
  const browser = await launchChromium()
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(host.url)
    await page.getByTestId('nav-catalog').waitFor()
    await page.evaluate(() => {
      const w = window as unknown as { __blocking: number; __longest: number }
      w.__blocking = 0
      w.__longest = 0
      new PerformanceObserver((list) => {
        for (const e of list.getEntries()) {
          w.__blocking += Math.max(0, e.duration - 50)
          w.__longest = Math.max(w.__longest, e.duration)
        }
      }).observe({ type: 'longtask', buffered: false })
    })
    const T = 50_000
    const run = await client.call<Run>('runs:start', { study: 'probe', params: { T, rho: 0.9999, busyUs: 100 } })
    await page.evaluate((id) => (location.hash = `#/run/${id}`), run.id)
    const chart = page.locator('[data-testid="chart-x"]')
    await chart.waitFor()
    const growth: number[] = []
    let final: Run
    for (;;) {
      const r = await client.call<Run>('runs:get', { id: run.id })
      if (r.status === 'running') growth.push(Number((await chart.getAttribute('data-points')) ?? 0))
      if (r.status === 'done') {
        final = r
        break
      }
      await page.waitForTimeout(200)
    }
    await page.waitForTimeout(1000)
    const drawnAtEnd = Number((await chart.getAttribute('data-points')) ?? 0)
    const { blocking, longest } = await page.evaluate(() => {
      const w = window as unknown as { __blocking: number; __longest: number }
      return { blocking: w.__blocking, longest: w.__longest }
    })
    const seconds = (final!.durationMs ?? 1) / 1000
    const redraws = growth.filter((v, i) => i > 0 && v !== growth[i - 1]).length
    report('ui (live run page in Chromium)', [
      ['iterations recorded per second', Math.round(T / seconds), '≈ 10,000'],
      ['page total blocking time, ms per second of run', +(blocking / seconds).toFixed(1), '< 500 (page stays responsive)'],
      ['longest main-thread task, ms', +longest.toFixed(1), '< 200'],
      ['samples (every 200 ms) at which the chart had changed', redraws, `≈ ${growth.length - 1} (redrawn live)`],
      ['points drawn 1 s after the end (min/max-decimated view of all rows)', drawnAtEnd, `≤ ${T}`],
    ])
  } finally {
    await browser.close()
    client.close()
    await host.stop()
  }
})

/**
 * Load: 8 concurrent long runs plus a 1,000-run sweep queued on the web host, while a client
 * calls runs:list, runs:get, runs:series and studies:list in a loop over the WebSocket. Reports
 * the api's latency percentiles and the host's peak RSS; asserts p95 < 50 ms and bounded memory.
 */
import { describe, expect, it } from 'vitest'
import type { Run } from '../../src-shared/model'
import { peakRssMiB } from '../testing/faults'
import { startServe, tempDb, WsClient } from '../testing/host'

describe('the web host under load', () => {
  it('8 running + 1,000 queued: api p95 latency < 50 ms, memory bounded', { timeout: 240_000 }, async () => {
    const host = await startServe(tempDb(), {}, ['--workers', '8'])
    const client = await WsClient.connect(host.port, host.token)
    try {
      const live: Run[] = []
      for (let i = 0; i < 8; i++) live.push(await client.call<Run>('runs:start', { study: 'probe', params: { T: 1_000_000, busyUs: 50 }, seed: i }))
      const sweep = await client.call<{ planned: number; launched: string[] }>('sweeps:start', {
        study: 'probe',
        grid: { rho: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95], T: [10, 20, 30, 40, 50, 60, 70, 80, 90, 100] },
        seeds: [0, 1, 2, 3, 4, 5, 6, 7, 8, 9],
      })
      expect(sweep.planned).toBe(1000)
      await client.waitFor<Run>('runs:status', (r) => r.id === live[7].id && r.points > 0)
      const lat: number[] = []
      const per: Record<string, number[]> = {}
      const until = performance.now() + 15_000
      while (performance.now() < until) {
        for (const [channel, input] of [
          ['runs:list', { limit: 50 }],
          ['runs:get', { id: live[0].id }],
          ['runs:series', { id: live[1].id, x: 'iteration', y: ['x'], maxPoints: 1000 }],
          ['studies:list', {}],
        ] as const) {
          const t0 = performance.now()
          await client.call(channel, input)
          lat.push(performance.now() - t0)
          ;(per[channel] ??= []).push(performance.now() - t0)
        }
      }
      lat.sort((a, b) => a - b)
      const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))]
      const peak = await peakRssMiB(host.proc.pid!)
      console.log(
        `load: ${lat.length} calls; latency p50 ${q(0.5).toFixed(1)} ms, p95 ${q(0.95).toFixed(1)} ms, max ${lat[lat.length - 1].toFixed(1)} ms; host peak RSS ${peak?.toFixed(0)} MiB; per call (ms): ${Object.entries(per).map(([c, v]) => `${c} ${v.map((x) => x.toFixed(0)).join('/')}`).join('; ')}`,
      )
      expect(q(0.95)).toBeLessThan(50)
      if (peak !== null) expect(peak).toBeLessThan(1500)
    } finally {
      client.close()
      await host.stop('SIGKILL')
    }
  })
})

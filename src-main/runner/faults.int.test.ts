/**
 * Crash isolation and crash recovery, measured on the built app:
 * - a solver that throws, one that produces NaN, one that allocates without bound and one that
 *   never yields each end their own run with a clear status while 4 other runs finish correctly;
 * - `kill -9` of the web host mid-run: at the next start the run is `interrupted`, its metrics
 *   kept up to at most one second before the kill.
 */
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { Run } from '../../src-shared/model'
import { startServe, tempDb, WsClient } from '../testing/host'

describe('fault isolation in the worker pool', () => {
  it('ends each faulty run with its own status and message while 4 good runs finish', async () => {
    const host = await startServe(tempDb(), { DESCENT_WORKER_MEMORY_MB: '128', DESCENT_RUN_TIME_LIMIT_S: '15' }, ['--workers', '4'])
    const client = await WsClient.connect(host.port, host.token)
    try {
      const start = (params: Record<string, unknown>) => client.call<Run>('runs:start', { study: 'probe', params, seed: 1 })
      const good = await Promise.all([0, 1, 2, 3].map(() => start({ T: 3000, rho: 0.999, busyUs: 200 })))
      const faulty = {
        throw: await start({ fault: 'throw', faultAt: 5 }),
        nan: await start({ fault: 'nan', faultAt: 7 }),
        oom: await start({ fault: 'oom', faultAt: 3 }),
        hang: await start({ fault: 'hang', faultAt: 2 }),
      }
      const ids = [...good, ...Object.values(faulty)].map((r) => r.id)
      const final = new Map<string, Run>()
      await new Promise<void>((resolve) => {
        const off = client.on('runs:status', (p) => {
          const r = p as Run
          if (ids.includes(r.id) && !['queued', 'running'].includes(r.status)) final.set(r.id, r)
          if (final.size === ids.length) {
            off()
            resolve()
          }
        })
      })
      for (const g of good) {
        const r = final.get(g.id)!
        expect(r.status, r.error ?? '').toBe('done')
        expect(r.points).toBe(3000)
        expect(r.claims[0].passed).toBe(true)
      }
      const t = final.get(faulty.throw.id)!
      expect(t.status).toBe('failed')
      expect(t.error).toContain('probe fault at iteration 5 (after iteration 4)')
      expect(t.errorStep).toBe(4)
      const n = final.get(faulty.nan.id)!
      expect(n.status).toBe('diverged')
      expect(n.error).toBe('x became NaN at iteration 7')
      expect(n.errorStep).toBe(7)
      const o = final.get(faulty.oom.id)!
      expect(o.status, o.error ?? '').toBe('failed')
      expect(o.error).toMatch(/exceeded the memory limit of 128 MB/)
      const h = final.get(faulty.hang.id)!
      expect(h.status).toBe('failed')
      expect(h.error).toBe('exceeded the time limit of 15000 ms and was terminated')
      // the host itself is unharmed
      const again = await client.call<Run>('runs:start', { study: 'probe', params: { T: 10 } })
      expect((await client.waitFor<Run>('runs:status', (r) => r.id === again.id && r.status === 'done')).points).toBe(10)
    } finally {
      client.close()
      await host.stop()
    }
  })
})

describe('crash recovery', () => {
  it('marks a run killed with the host as interrupted, keeping metrics to within a second of the kill', async () => {
    const db = tempDb()
    const host = await startServe(db)
    const client = await WsClient.connect(host.port, host.token)
    const run = await client.call<Run>('runs:start', { study: 'probe', params: { T: 1_000_000, busyUs: 200 } })
    await client.waitFor<Run>('runs:status', (r) => r.id === run.id && r.points > 2000)
    await new Promise((r) => setTimeout(r, 700))
    client.close()
    const killedAt = Date.now()
    await host.stop('SIGKILL')

    const raw = new Database(db, { readonly: true })
    const row = raw.prepare('SELECT status FROM runs WHERE id = ?').get(run.id) as { status: string }
    raw.close()
    expect(row.status).toBe('running')

    const host2 = await startServe(db)
    const client2 = await WsClient.connect(host2.port, host2.token)
    try {
      const after = await client2.call<Run>('runs:get', { id: run.id })
      expect(after.status).toBe('interrupted')
      expect(after.points).toBeGreaterThan(2000)
      const series = await client2.call<{ columns: Record<string, Float64Array> }>('runs:series', {
        id: run.id,
        y: ['clock'],
        maxPoints: 1_000_000,
      })
      // the probe records the wall clock in every row: the newest row on disk vs the kill
      const lostMs = killedAt - series.columns.clock[series.columns.clock.length - 1]
      expect(lostMs).toBeLessThan(1000)
      const check = new Database(db, { readonly: true })
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok')
      check.close()
    } finally {
      client2.close()
      await host2.stop()
    }
  })
})

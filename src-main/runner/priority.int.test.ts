/**
 * Solver threads of the web host run reniced (nice 10) while its main thread keeps its priority,
 * so the api stays responsive when every core is solving (src-main/runner/thread-priority.ts).
 */
import { describe, expect, it } from 'vitest'
import type { Run } from '../../src-shared/model'
import { startServe, tempDb, WsClient } from '../testing/host'
import { niceByThread } from '../testing/proc'

describe.runIf(process.platform === 'linux')('solver thread priority in the web host', () => {
  it('renices the solver threads, not the main thread', async () => {
    const host = await startServe(tempDb())
    const client = await WsClient.connect(host.port, host.token)
    try {
      const pid = host.proc.pid!
      const mainNice = niceByThread(pid).get(pid)!
      const runs: Run[] = []
      for (let seed = 0; seed < 2; seed++) runs.push(await client.call<Run>('runs:start', { study: 'probe', params: { T: 1_000_000, busyUs: 20 }, seed }))
      await client.waitFor<Run>('runs:status', (r) => r.id === runs[1].id && r.points > 0)
      const nice = niceByThread(pid)
      const reniced = [...nice.entries()].filter(([tid, n]) => tid !== pid && n === Math.max(10, mainNice))
      expect(reniced.length, `threads and nice values: ${[...nice.entries()].join(' ')}`).toBeGreaterThanOrEqual(2)
      expect(nice.get(pid)).toBe(mainNice)
      for (const r of runs) await client.call('runs:cancel', { id: r.id })
    } finally {
      client.close()
      await host.stop('SIGKILL')
    }
  })
})

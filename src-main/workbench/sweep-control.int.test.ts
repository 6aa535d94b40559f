/**
 * Sweep pause, resume and cancel over the real WebSocket of `descent serve` (one worker, so
 * the order of dispatch is observable), and a paused sweep resumed after the host restarts.
 */
import { afterAll, describe, expect, it } from 'vitest'
import type { SweepDetail } from '../../src-shared/api'
import type { Run } from '../../src-shared/model'
import { startServe, tempDb, WsClient, type ServeHandle } from '../testing/host'

const hosts: ServeHandle[] = []
const clients: WsClient[] = []
async function open(db: string): Promise<{ host: ServeHandle; client: WsClient }> {
  const host = await startServe(db, {}, ['--workers', '1'])
  hosts.push(host)
  const client = await WsClient.connect(host.port, host.token)
  clients.push(client)
  return { host, client }
}
afterAll(async () => {
  for (const c of clients) c.close()
  for (const h of hosts) await h.stop()
})

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))
/** a run of about 0.3 s of busy-waiting (longer under load) */
const slow = { T: 300, busyUs: 1000 }
const runsOf = (client: WsClient, ids: string[]) => Promise.all(ids.map((id) => client.call<Run>('runs:get', { id })))

describe('sweep control over the WebSocket', () => {
  it('pause starts nothing new, resume goes on, cancel ends queued and running runs', async () => {
    const db = tempDb()
    const { client } = await open(db)
    const input = { study: 'probe', base: slow, grid: { rho: [0.5, 0.9] }, seeds: [0, 1, 2] }
    const firstRunning = client.waitFor<Run>('runs:status', (r) => r.status === 'running')
    const firstDone = client.waitFor<Run>('runs:status', (r) => r.status === 'done')
    const started = await client.call<{ sweepId: string; launched: string[] }>('sweeps:start', input)
    expect(started.launched).toHaveLength(6)
    const id = started.sweepId
    await firstRunning

    const paused = await client.call<SweepDetail>('sweeps:pause', { id })
    expect(paused.control).toMatchObject({ state: 'paused', total: 6, running: 1, queued: 5, workers: 1 })
    const pausedAt = client.events.length
    // the running run finishes; nothing else starts
    expect(started.launched).toContain((await firstDone).id)
    await sleep(800)
    const startedWhilePaused = client.events
      .slice(pausedAt)
      .filter((e) => e.event === 'runs:status' && (e.payload as Run).status === 'running' && (e.payload as Run).startedAt! > paused.control!.at)
    expect(startedWhilePaused).toEqual([])
    const still = await client.call<SweepDetail>('sweeps:get', { id })
    expect(still.control).toMatchObject({ state: 'paused', finished: 1, done: 1, running: 0, queued: 5 })
    expect(still.control!.meanRunMs).toBeGreaterThan(0)
    // a paused sweep that waits for nothing has nothing left to wait for
    expect(still.control!.etaMs).toBe(0)

    // one held run cancelled on its own ends at once, without a worker
    const held = (await runsOf(client, started.launched)).find((r) => r.status === 'queued')!
    const one = await client.call<Run>('runs:cancel', { id: held.id })
    expect(one).toMatchObject({ status: 'cancelled', startedAt: null })
    expect((await client.call<SweepDetail>('sweeps:get', { id })).control).toMatchObject({ state: 'paused', queued: 4, cancelled: 1 })

    const nextRunning = client.waitFor<Run>('runs:status', (r) => started.launched.includes(r.id) && r.status === 'running')
    const resumed = await client.call<SweepDetail>('sweeps:resume', { id })
    expect(resumed.control!.state).toBe('running')
    expect(resumed.control!.etaMs).toBeGreaterThan(0)
    const second = await nextRunning

    const finished = client.waitFor<SweepDetail>('sweeps:status', (s) => s.id === id && s.status === 'done')
    const cancelled = await client.call<SweepDetail>('sweeps:cancel', { id })
    expect(cancelled.control!.state).toBe('cancelled')
    const end = await finished
    expect(end.control).toMatchObject({ state: 'cancelled', total: 6, running: 0, queued: 0 })
    const runs = await runsOf(client, end.runIds)
    const byStatus = (s: string) => runs.filter((r) => r.status === s).length
    // the first run done; the second done or cancelled mid-way; the four never started (one cancelled alone), cancelled without a worker
    expect(byStatus('done') + byStatus('cancelled')).toBe(6)
    expect(byStatus('cancelled')).toBeGreaterThanOrEqual(4)
    expect(runs.filter((r) => r.status === 'cancelled' && r.id !== second.id).every((r) => r.startedAt === null && r.points === 0)).toBe(true)

    // a finished sweep cannot be paused; an unknown one is not found
    await expect(client.call('sweeps:pause', { id })).rejects.toMatchObject({ code: 'conflict', message: expect.stringContaining('only a running sweep can be paused') })
    await expect(client.call('sweeps:cancel', { id: 'nope' })).rejects.toMatchObject({ code: 'not-found' })
    await expect(client.call('sweeps:resume', { id: 'bad id!' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('id') })

    // resuming the cancelled sweep runs only what is not done
    const resumedAgain = await client.call<SweepDetail>('sweeps:resume', { id })
    const doneBefore = byStatus('done')
    expect(resumedAgain.control!.queued + resumedAgain.control!.running).toBe(6 - doneBefore)
    const all = await client.waitFor<SweepDetail>('sweeps:status', (s) => s.id === id && s.status === 'done')
    expect(all.control).toMatchObject({ state: 'done', done: 6 })
    const latest = (await runsOf(client, all.runIds)).filter((r) => r.status === 'done')
    expect(new Set(latest.map((r) => `${r.params.rho}|${r.seed}`)).size).toBe(6)
  })

  it('a sweep paused when the app closes is resumed after a restart, running only its missing runs', async () => {
    const db = tempDb()
    const first = await open(db)
    const input = { study: 'probe', base: { ...slow, T: 200 }, grid: { rho: [0.5, 0.7] }, seeds: [0, 1] }
    const firstDone = first.client.waitFor<Run>('runs:status', (r) => r.status === 'done')
    const started = await first.client.call<{ sweepId: string; launched: string[] }>('sweeps:start', input)
    const id = started.sweepId
    await first.client.call('sweeps:pause', { id })
    await firstDone
    first.client.close()
    expect(await first.host.stop()).toBe(0)

    const second = await open(db)
    const stopped = await second.client.call<SweepDetail>('sweeps:get', { id })
    // the held runs were never started: interrupted by the restart, and the sweep says it can go on
    expect(stopped.control).toMatchObject({ state: 'stopped', done: 1, running: 0, queued: 0 })
    const finished = second.client.waitFor<SweepDetail>('sweeps:status', (s) => s.id === id && s.status === 'done')
    const resumed = await second.client.call<SweepDetail>('sweeps:resume', { id })
    expect(resumed.control!.queued + resumed.control!.running).toBe(3)
    const end = await finished
    expect(end.control).toMatchObject({ state: 'done', done: 4 })
    const done = (await runsOf(second.client, end.runIds)).filter((r) => r.status === 'done')
    expect(done.map((r) => `${r.params.rho}|${r.seed}`).sort()).toEqual(['0.5|0', '0.5|1', '0.7|0', '0.7|1'])
  })
})

/**
 * The api through the real WebSocket transport of `descent serve` (the built app), against a
 * temporary database; and the web host's doors: token, Host header, Origin.
 */
import { request } from 'node:http'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Run } from '../../src-shared/model'
import { startServe, tempDb, WsClient, type ServeHandle } from '../testing/host'

let host: ServeHandle
let client: WsClient

beforeAll(async () => {
  host = await startServe(tempDb())
  client = await WsClient.connect(host.port, host.token)
})
afterAll(async () => {
  client?.close()
  await host?.stop()
})

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: host.port, path, headers }, (res) => {
      let body = ''
      res.on('data', (d) => (body += d))
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }))
    })
    req.on('error', reject)
    req.end()
  })
}

describe('the web host', () => {
  it('listens on loopback only and prints a tokenised URL', () => {
    expect(host.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[A-Za-z0-9_-]{32}$/)
  })

  it('refuses requests without the token, with a wrong token, or under a foreign Host', async () => {
    expect((await get('/')).status).toBe(401)
    expect((await get('/?token=wrong')).status).toBe(401)
    expect((await get(`/?token=${host.token}`, { host: `evil.example:${host.port}` })).status).toBe(403)
    expect((await get(`/?token=${host.token}`, { host: `127.0.0.1:${host.port + 1}` })).status).toBe(403)
  })

  it('serves the page with its CSP and a same-site cookie for the assets', async () => {
    const page = await get(`/?token=${host.token}`)
    expect(page.status).toBe(200)
    expect(String(page.headers['content-security-policy'])).toContain("script-src 'self'")
    const cookie = String(page.headers['set-cookie'])
    expect(cookie).toContain('HttpOnly')
    expect(cookie).toContain('SameSite=Strict')
    const withCookie = await get('/', { cookie: cookie.split(';')[0] })
    expect(withCookie.status).toBe(200)
    expect((await get('/../../etc/passwd', { cookie: cookie.split(';')[0] })).status).toBe(404)
  })

  it('refuses WebSocket connections without the token, with a wrong one, or from a foreign Origin', async () => {
    await expect(WsClient.connect(host.port, '')).rejects.toThrow(/401/)
    await expect(WsClient.connect(host.port, 'x'.repeat(32))).rejects.toThrow(/401/)
    await expect(WsClient.connect(host.port, host.token, { Origin: 'https://evil.example' })).rejects.toThrow(/403/)
    await expect(WsClient.connect(host.port, host.token, { Host: `attacker.test:${host.port}` })).rejects.toThrow(/403/)
    const ok = await WsClient.connect(host.port, host.token, { Origin: `http://127.0.0.1:${host.port}` })
    ok.close()
  })
})

describe('the api over WebSocket', () => {
  it('lists studies with their manifests', async () => {
    const studies = await client.call<{ id: string; codeHash: string }[]>('studies:list')
    const probe = studies.find((s) => s.id === 'probe')
    expect(probe?.codeHash).toMatch(/^[0-9a-f]{16}$/)
  })

  it('rejects payloads of the wrong shape, naming the field and what is allowed', async () => {
    await expect(client.call('runs:start', { study: 'probe', params: {}, seed: -1 })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('seed'),
    })
    await expect(client.call('runs:start', { study: 'probe', params: { rho: 5 } })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('param "rho": 5 is above the maximum; allowed: a number in [0, 2]'),
    })
    await expect(client.call('runs:start', { study: 'probe', params: { bogus: 1 } })).rejects.toMatchObject({
      message: expect.stringContaining('unknown param "bogus"; allowed: T, rho, busyUs, fault, faultAt'),
    })
    await expect(client.call('runs:get', { id: 'x', extra: 1 })).rejects.toMatchObject({ code: 'invalid-input' })
    await expect(client.call('nope:nope', {})).rejects.toMatchObject({ code: 'not-found' })
    await expect(client.call('runs:start', { study: 'no-such-study', params: {} })).rejects.toMatchObject({
      code: 'not-found',
      message: expect.stringContaining('available:'),
    })
    const { total } = await client.call<{ total: number }>('runs:list', {})
    expect(total).toBe(0)
  })

  it('runs a study in a worker, streams metrics in batches, stores the run with provenance and claims', async () => {
    const T = 20_000
    const run = await client.call<Run>('runs:start', { study: 'probe', params: { T, rho: 0.9995, busyUs: 50 }, seed: 3 })
    expect(run.status).toBe('queued')
    const done = await client.waitFor<Run>('runs:status', (r) => r.id === run.id && r.status === 'done')
    const batches = client.events.filter((e) => e.event === 'runs:metrics' && (e.payload as { runId: string }).runId === run.id)
    const rows = batches.reduce((n, b) => n + (b.payload as { count: number }).count, 0)
    expect(rows).toBe(T)
    // ≈ 10 batches a second, never one message per iteration
    const seconds = (done.durationMs ?? 0) / 1000
    expect(batches.length).toBeLessThan(Math.max(3, 15 * seconds + 2))
    expect(batches.length).toBeGreaterThan(1)
    const first = batches[0].payload as { columns: Record<string, Float64Array> }
    expect(first.columns.x).toBeInstanceOf(Float64Array)
    expect(done.points).toBe(T)
    expect(done.seed).toBe(3)
    expect(done.paramsHash).toMatch(/^[0-9a-f]{16}$/)
    expect(done.appVersion).toMatch(/^\d+\.\d+\.\d+/)
    expect(done.platform).toContain('node-')
    expect(done.claims).toEqual([{ id: 'contracts', text: 'x_T < 1 for ρ < 1', passed: true, measured: expect.any(String) }])
    expect(done.summary['oracle:grad']).toBe(T)
    expect(done.columns).toEqual(expect.arrayContaining(['iteration', 'wallMs', 'oracle:grad', 'x', 'pair[0]', 'pair[1]']))

    const series = await client.call<{ length: number; total: number; columns: Record<string, Float64Array> }>('runs:series', {
      id: run.id,
      x: 'iteration',
      y: ['x'],
      maxPoints: 400,
    })
    expect(series.total).toBe(T)
    expect(series.length).toBeLessThanOrEqual(400)
    // min/max decimation keeps the extremes of the full series
    const full = await client.call<{ columns: Record<string, Float64Array> }>('runs:series', { id: run.id, y: ['x'], maxPoints: 1_000_000 })
    const all = Array.from(full.columns.x)
    expect(Math.max(...series.columns.x)).toBe(Math.max(...all))
    expect(Math.min(...series.columns.x)).toBe(Math.min(...all))
  })

  it('gives bit-identical metrics for the same seed and params', async () => {
    const params = { T: 500, rho: 0.99 }
    const a = await client.call<Run>('runs:start', { study: 'probe', params, seed: 11 })
    const b = await client.call<Run>('runs:start', { study: 'probe', params, seed: 11 })
    await client.waitFor<Run>('runs:status', (r) => r.id === b.id && r.status === 'done')
    await client.waitFor<Run>('runs:status', (r) => r.id === a.id && r.status === 'done').catch(() => undefined)
    const sa = await client.call<{ columns: Record<string, Float64Array> }>('runs:series', { id: a.id, y: ['x'], maxPoints: 1_000_000 })
    const sb = await client.call<{ columns: Record<string, Float64Array> }>('runs:series', { id: b.id, y: ['x'], maxPoints: 1_000_000 })
    expect(Buffer.from(sa.columns.x.buffer).equals(Buffer.from(sb.columns.x.buffer))).toBe(true)
  })

  it('cancels a running run within 100 ms', async () => {
    const run = await client.call<Run>('runs:start', { study: 'probe', params: { T: 1_000_000, busyUs: 100 } })
    await client.waitFor<Run>('runs:status', (r) => r.id === run.id && r.status === 'running')
    await new Promise((r) => setTimeout(r, 300))
    const t0 = performance.now()
    const cancelled = client.waitFor<Run>('runs:status', (r) => r.id === run.id && r.status === 'cancelled')
    await client.call('runs:cancel', { id: run.id })
    const final = await cancelled
    const latency = performance.now() - t0
    expect(latency).toBeLessThan(100)
    expect(final.points).toBeGreaterThan(0)
  })

  it('reproduces a figure on each of its seeds and evaluates its claims per seed', async () => {
    const sweep = await client.call<{ id: string; runIds: string[] }>('runs:reproduce', { study: 'probe', figure: 'two-rates' })
    expect(sweep.runIds).toHaveLength(4)
    const done = await client.waitFor<{ id: string; status: string; claims: { id: string; passed: boolean }[] }>(
      'sweeps:status',
      (s) => s.id === sweep.id && s.status === 'done',
    )
    expect(done.claims).toEqual([
      expect.objectContaining({ id: 'fast-beats-slow', passed: true, measured: expect.stringMatching(/^2\/2 seeds pass; seed 0: .*; seed 1: /) }),
    ])
    await expect(client.call('runs:reproduce', { study: 'probe', figure: 'nope' })).rejects.toMatchObject({
      message: expect.stringContaining('available: two-rates'),
    })
  })

  it('counts and starts a sweep over a grid and seeds', async () => {
    const input = { study: 'probe', base: { T: 20 }, grid: { rho: [0.5, 0.7, 0.9] }, seeds: [0, 1] }
    expect(await client.call('sweeps:start', { ...input, dryRun: true })).toEqual({ sweepId: null, planned: 6, skipped: 0, launched: [] })
    const started = await client.call<{ sweepId: string; launched: string[] }>('sweeps:start', input)
    expect(started.launched).toHaveLength(6)
    await client.waitFor<{ id: string; status: string }>('sweeps:status', (s) => s.id === started.sweepId && s.status === 'done')
    const again = await client.call<{ skipped: number; launched: string[] }>('sweeps:start', input)
    expect(again).toMatchObject({ skipped: 6, launched: [] })
    await expect(client.call('sweeps:start', { ...input, grid: { rho: [0.5, 9] } })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('param "rho": 9 is above the maximum'),
    })
  })

  it('manages projects and run tags and notes', async () => {
    const p = await client.call<{ id: string; name: string }>('projects:create', { name: 'Sweeps' })
    const renamed = await client.call<{ name: string }>('projects:rename', { id: p.id, name: 'Sweeps 2' })
    expect(renamed.name).toBe('Sweeps 2')
    const run = await client.call<Run>('runs:start', { study: 'probe', params: { T: 10 }, projectId: p.id })
    await client.waitFor<Run>('runs:status', (r) => r.id === run.id && r.status === 'done')
    const tagged = await client.call<Run>('runs:update', { id: run.id, tags: ['baseline', 'baseline', 'α=1'], notes: 'first try' })
    expect(tagged.tags).toEqual(['baseline', 'α=1'])
    const found = await client.call<{ runs: Run[]; total: number }>('runs:list', { projectId: p.id, search: 'baseline' })
    expect(found.runs.map((r) => r.id)).toEqual([run.id])
    await expect(client.call('projects:delete', { id: 'default' })).rejects.toMatchObject({ code: 'conflict' })
    expect(await client.call('projects:delete', { id: p.id })).toEqual({ deleted: 1 })
    // a deleted project's runs move to Default (deleting runs is its own, undoable step)
    expect(await client.call<Run>('runs:get', { id: run.id })).toMatchObject({ projectId: 'default', tags: ['baseline', 'α=1'] })
  })
})

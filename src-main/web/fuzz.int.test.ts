/**
 * Property-based fuzzing of every api call's payload through the real WebSocket transport
 * (fast-check): 10,000 generated payloads, shaped like the real ones but with wrong types,
 * out-of-range numbers, unknown keys, huge strings and hostile text. Every reply must be either
 * a result or a rejection naming a field; the host never crashes or hangs; a rejected call
 * writes nothing.
 */
import fc from 'fast-check'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { channels } from '../../src-shared/api'
import { startServe, tempDb, WsClient, type ServeHandle } from '../testing/host'

let host: ServeHandle
let client: WsClient

beforeAll(async () => {
  host = await startServe(tempDb(), {}, ['--workers', '1'])
  client = await WsClient.connect(host.port, host.token)
})
afterAll(async () => {
  client?.close()
  await host?.stop()
})

const hostile = fc.oneof(
  fc.string(),
  fc.constantFrom('', ' ', '__proto__', 'constructor', "'; DROP TABLE runs; --", '=cmd|calc', '../../etc/passwd', 'probe', 'default', 'a'.repeat(70), '\u0000'),
  fc.string({ minLength: 200, maxLength: 2000 }),
)
const anyValue = fc.oneof(
  hostile,
  fc.integer(),
  fc.double(),
  fc.constantFrom(Infinity, -Infinity, NaN, -0, 2 ** 53, -1, 0, 1e308),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.oneof(fc.integer(), hostile), { maxLength: 5 }),
  fc.dictionary(hostile, fc.oneof(fc.integer(), hostile, fc.double()), { maxKeys: 4 }),
)
/** payloads with the real keys (so validation past the first field is reached) plus noise */
const knownKeys = ['id', 'ids', 'study', 'params', 'seed', 'projectId', 'figure', 'name', 'x', 'y', 'maxPoints', 'logX', 'xMin', 'xMax', 'tags', 'notes', 'limit', 'offset', 'sort', 'desc', 'status', 'search', 'grid', 'random', 'samples', 'seeds', 'base', 'dryRun']
const payload = fc.oneof(
  fc.dictionary(fc.constantFrom(...knownKeys), anyValue, { maxKeys: 6 }),
  fc.dictionary(hostile, anyValue, { maxKeys: 3 }),
  anyValue,
)

// Channels that would start real work are fuzzed too; valid starts are cancelled right away.
describe('api fuzzing over WebSocket', () => {
  it('answers 10,000 generated payloads with a result or a named rejection, and stays up', async () => {
    const before = (await client.call<{ total: number }>('runs:list', {})).total
    let rejected = 0
    let accepted = 0
    const startedRuns: string[] = []
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...channels), payload, async (channel, input) => {
        try {
          const out = await client.call<Record<string, unknown>>(channel, input)
          accepted++
          if (channel === 'runs:start' && out && typeof out.id === 'string') startedRuns.push(out.id)
          if (channel === 'sweeps:start' && out && Array.isArray(out.launched)) startedRuns.push(...(out.launched as string[]))
        } catch (err) {
          const e = err as Error & { code?: string }
          rejected++
          expect(['invalid-input', 'not-found', 'conflict']).toContain(e.code)
          expect(e.message.length).toBeGreaterThan(5)
          if (e.code === 'invalid-input') expect(e.message).toMatch(/[a-zA-Z(]+.*:/)
        }
        for (const id of startedRuns.splice(0)) await client.call('runs:cancel', { id }).catch(() => undefined)
      }),
      { numRuns: 10_000, seed: 20261129 },
    )
    expect(rejected + accepted).toBe(10_000)
    // still serving, and the rejected calls wrote nothing (only accepted starts add runs)
    const after = await client.call<{ total: number; runs: { study: string }[] }>('runs:list', { limit: 1000 })
    expect(after.total).toBeGreaterThanOrEqual(before)
    expect(after.runs.every((r) => r.study === 'probe' || r.study.length > 0)).toBe(true)
    console.log(`fuzz: ${accepted} accepted, ${rejected} rejected, ${after.total - before} runs created by accepted starts`)
  })

  it('answers malformed frames with a protocol error and keeps the connection', async () => {
    const replies: string[] = []
    client.ws.on('message', (d) => replies.push(d.toString()))
    for (const frame of ['', 'not json', '[]', '{"id":"x"}', '{"id":1}', 'null', '{"id":1,"channel":5}', '{"$f64":"@@@"}']) client.ws.send(frame)
    client.ws.send(Buffer.from([0xff, 0x00]), { binary: true })
    await new Promise((r) => setTimeout(r, 500))
    expect(replies.filter((r) => r.includes('malformed message')).length).toBe(9)
    expect(await client.call<unknown[]>('studies:list')).not.toHaveLength(0)
  })
})

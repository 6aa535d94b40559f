import { describe, expect, it, vi } from 'vitest'
import { ApiError } from '../../../src-shared/api'
import { decodeWire, encodeWire } from '../../../src-shared/wire'
import { createWsTransport } from './socket'

/** A minimal stand-in for the browser WebSocket, driven by the test. */
class FakeSocket {
  static OPEN = 1
  static instances: FakeSocket[] = []
  readyState = 0
  sent: string[] = []
  onopen: (() => void) | null = null
  onclose: (() => void) | null = null
  onmessage: ((ev: { data: string }) => void) | null = null
  onerror: (() => void) | null = null
  constructor(readonly url: string) {
    FakeSocket.instances.push(this)
  }
  send(text: string): void {
    this.sent.push(text)
  }
  close(): void {
    this.readyState = 3
    this.onclose?.()
  }
  open(): void {
    this.readyState = 1
    this.onopen?.()
  }
  receive(msg: unknown): void {
    this.onmessage?.({ data: encodeWire(msg) })
  }
}

const make = () => {
  FakeSocket.instances = []
  const t = createWsTransport('ws://127.0.0.1:1/ws?token=abc', FakeSocket as unknown as typeof WebSocket)
  return { t, socket: () => FakeSocket.instances[FakeSocket.instances.length - 1] }
}

describe('createWsTransport', () => {
  it('waits for the socket, sends {id, channel, input} and resolves with the answer', async () => {
    const { t, socket } = make()
    const p = t.invoke('runs:get', { id: 'r1' })
    expect(socket().sent).toHaveLength(0)
    socket().open()
    const msg = decodeWire(socket().sent[0]) as { id: number; channel: string; input: unknown }
    expect(msg.channel).toBe('runs:get')
    expect(msg.input).toEqual({ id: 'r1' })
    socket().receive({ id: msg.id, ok: true, output: { id: 'r1' } })
    await expect(p).resolves.toEqual({ id: 'r1' })
  })

  it('rejects with an ApiError carrying the code and issues of a refused call', async () => {
    const { t, socket } = make()
    socket().open()
    const p = t.invoke('runs:start', {})
    const { id } = decodeWire(socket().sent[0]) as { id: number }
    socket().receive({ id, ok: false, error: { code: 'invalid-input', message: 'bad', issues: [{ path: 'study', message: 'required' }] } })
    const err = await p.catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect((err as ApiError).code).toBe('invalid-input')
    expect((err as ApiError).issues).toEqual([{ path: 'study', message: 'required' }])
  })

  it('delivers events with Float64Arrays intact', () => {
    const { t, socket } = make()
    socket().open()
    const got: unknown[] = []
    const off = t.subscribe('runs:metrics', (p) => got.push(p))
    const col = Float64Array.from([1e-300, -0, Math.PI])
    socket().receive({ event: 'runs:metrics', payload: { runId: 'r', start: 0, count: 3, columns: { x: col } } })
    off()
    socket().receive({ event: 'runs:metrics', payload: {} })
    expect(got).toHaveLength(1)
    const x = (got[0] as { columns: { x: Float64Array } }).columns.x
    expect(x).toBeInstanceOf(Float64Array)
    expect(Array.from(x)).toEqual([1e-300, -0, Math.PI])
  })

  it('rejects pending calls when the socket closes, then reconnects with backoff', async () => {
    vi.useFakeTimers()
    try {
      const { t, socket } = make()
      const states: string[] = []
      t.onState((s) => states.push(s))
      socket().open()
      const p = t.invoke('runs:list', {})
      const first = socket()
      first.close()
      await expect(p).rejects.toThrow(/closed before "runs:list" was answered/)
      expect(states).toEqual(['open', 'reconnecting'])
      vi.advanceTimersByTime(300)
      expect(FakeSocket.instances).toHaveLength(2)
      expect(socket().url).toBe('ws://127.0.0.1:1/ws?token=abc')
      socket().open()
      expect(states[states.length - 1]).toBe('open')
      t.close()
    } finally {
      vi.useRealTimers()
    }
  })
})

/**
 * Test helpers: start the built `descent serve` as a child process on a temporary database and
 * talk to it over the real WebSocket protocol.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { WebSocket } from 'ws'
import { decodeWire, encodeWire, type ServerMessage } from '../../src-shared/wire'

export const ROOT = join(import.meta.dirname, '..', '..')
export const BIN = join(ROOT, 'bin', 'descent.js')

export function tempDb(name = 'descent.sqlite'): string {
  return join(mkdtempSync(join(tmpdir(), 'descent-test-')), name)
}

export interface ServeHandle {
  url: string
  port: number
  token: string
  proc: ChildProcess
  stop(signal?: NodeJS.Signals): Promise<number | null>
}

export function startServe(db: string, env: Record<string, string> = {}, args: string[] = []): Promise<ServeHandle> {
  const proc = spawn(process.execPath, [BIN, 'serve', '--json', '--db', db, ...args], {
    env: { ...process.env, DESCENT_PROBE_STUDY: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  return new Promise((resolve, reject) => {
    let out = ''
    let err = ''
    const timer = setTimeout(() => reject(new Error(`serve did not start: ${err}`)), 30_000)
    proc.stderr!.on('data', (d) => (err += d))
    proc.stdout!.on('data', (d) => {
      out += d
      const nl = out.indexOf('\n')
      if (nl < 0) return
      clearTimeout(timer)
      const info = JSON.parse(out.slice(0, nl)) as { url: string; port: number; token: string }
      resolve({
        ...info,
        proc,
        stop: (signal = 'SIGTERM') =>
          new Promise((res) => {
            if (proc.exitCode !== null || proc.signalCode !== null) return res(proc.exitCode)
            proc.once('exit', (code) => res(code))
            proc.kill(signal)
          }),
      })
    })
    proc.once('exit', (code) => reject(new Error(`serve exited with ${code}: ${err}`)))
  })
}

type Handler = (payload: unknown) => void

/** A minimal client of the WebSocket protocol (what the renderer's client does). */
export class WsClient {
  private next = 1
  private readonly pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error & { code?: string; issues?: unknown }) => void }>()
  private readonly handlers = new Map<string, Set<Handler>>()
  /** every event message received, in order */
  readonly events: { event: string; payload: unknown; at: number }[] = []

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      const m = decodeWire(data.toString()) as ServerMessage
      if ('event' in m) {
        this.events.push({ event: m.event, payload: m.payload, at: performance.now() })
        for (const h of this.handlers.get(m.event) ?? []) h(m.payload)
        return
      }
      const p = this.pending.get(m.id)
      if (!p) return
      this.pending.delete(m.id)
      if (m.ok) p.resolve(m.output)
      else p.reject(Object.assign(new Error(m.error.message), { code: m.error.code, issues: m.error.issues }))
    })
  }

  static connect(port: number, token: string, headers: Record<string, string> = {}): Promise<WsClient> {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws?token=${encodeURIComponent(token)}`, { headers })
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(new WsClient(ws)))
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)))
      ws.once('error', reject)
    })
  }

  call<T = unknown>(channel: string, input: unknown = {}): Promise<T> {
    const id = this.next++
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve: resolve as (v: unknown) => void, reject })
      this.ws.send(encodeWire({ id, channel, input }))
    })
  }

  on(event: string, h: Handler): () => void {
    if (!this.handlers.has(event)) this.handlers.set(event, new Set())
    this.handlers.get(event)!.add(h)
    return () => this.handlers.get(event)!.delete(h)
  }

  /** Resolves with the first event payload satisfying `pred`. */
  waitFor<T>(event: string, pred: (p: T) => boolean, timeoutMs = 60_000): Promise<T> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        off()
        reject(new Error(`timed out waiting for ${event}`))
      }, timeoutMs)
      const off = this.on(event, (p) => {
        if (pred(p as T)) {
          clearTimeout(timer)
          off()
          resolve(p as T)
        }
      })
    })
  }

  close(): void {
    this.ws.close()
  }
}

/** Run the CLI to completion; returns exit code, stdout and stderr. */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const proc = spawn(process.execPath, [BIN, ...args], {
    env: { ...process.env, DESCENT_PROBE_STUDY: '1', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  proc.stdout.on('data', (d) => (stdout += d))
  proc.stderr.on('data', (d) => (stderr += d))
  return new Promise((resolve) => proc.on('exit', (code) => resolve({ code, stdout, stderr })))
}

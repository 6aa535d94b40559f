/**
 * The web transport: the api map over one WebSocket to `descent serve`. Requests carry an id
 * and are answered by id; events are pushed as {event, payload}. Float64Arrays travel through
 * encodeWire/decodeWire intact. The socket reconnects with exponential backoff; calls pending
 * when it drops are rejected (their answer is lost), calls made while it is down wait for it.
 */
import { ApiError, type ApiErrorPayload, type Channel, type EventName } from '../../../src-shared/api'
import type { Transport } from '../../../src-shared/client'
import { decodeWire, encodeWire, type ServerMessage } from '../../../src-shared/wire'

export type ConnectionState = 'connecting' | 'open' | 'reconnecting'

export interface WsTransport extends Transport {
  readonly state: ConnectionState
  /** called on every state change; returns an unsubscribe function */
  onState(listener: (state: ConnectionState) => void): () => void
  close(): void
}

interface Pending {
  channel: string
  resolve: (v: unknown) => void
  reject: (e: Error) => void
}

const MAX_BACKOFF_MS = 5000
/** how long a call made while disconnected waits for the socket before failing */
const OFFLINE_CALL_TIMEOUT_MS = 15000

export function createWsTransport(url: string, WebSocketImpl: typeof WebSocket = WebSocket): WsTransport {
  let socket: WebSocket | null = null
  let state: ConnectionState = 'connecting'
  let nextId = 1
  let backoff = 250
  let closed = false
  const pending = new Map<number, Pending>()
  const waiting: { send: () => void; reject: (e: Error) => void; timer: ReturnType<typeof setTimeout> }[] = []
  const handlers = new Map<string, Set<(payload: unknown) => void>>()
  const stateListeners = new Set<(s: ConnectionState) => void>()

  const setState = (s: ConnectionState): void => {
    if (s === state) return
    state = s
    for (const l of stateListeners) l(s)
  }

  const onMessage = (ev: MessageEvent): void => {
    let msg: ServerMessage
    try {
      msg = decodeWire(String(ev.data)) as ServerMessage
    } catch (err) {
      console.error('descent: undecodable message from the workbench', err)
      return
    }
    if ('event' in msg) {
      const set = handlers.get(msg.event)
      if (set) for (const h of [...set]) h(msg.payload)
      return
    }
    const p = pending.get(msg.id)
    if (!p) {
      if (!msg.ok) console.error(`descent: workbench error: ${msg.error.message}`)
      return
    }
    pending.delete(msg.id)
    if (msg.ok) p.resolve(msg.output)
    else {
      const e = msg.error as ApiErrorPayload
      p.reject(new ApiError(e.code, e.message, e.issues))
    }
  }

  const connect = (): void => {
    if (closed) return
    const ws = new WebSocketImpl(url)
    socket = ws
    ws.onopen = () => {
      backoff = 250
      setState('open')
      for (const w of waiting.splice(0)) {
        clearTimeout(w.timer)
        w.send()
      }
    }
    ws.onmessage = onMessage
    ws.onclose = () => {
      if (socket !== ws) return
      socket = null
      for (const [id, p] of pending) {
        pending.delete(id)
        p.reject(new Error(`the connection to the workbench closed before "${p.channel}" was answered; reconnecting`))
      }
      if (closed) return
      setState('reconnecting')
      setTimeout(connect, backoff)
      backoff = Math.min(MAX_BACKOFF_MS, backoff * 2)
    }
    ws.onerror = () => {
      // onclose follows and handles reconnection
    }
  }

  connect()

  return {
    get state() {
      return state
    },
    onState(listener) {
      stateListeners.add(listener)
      return () => stateListeners.delete(listener)
    },
    invoke(channel: Channel, input: unknown): Promise<unknown> {
      return new Promise((resolve, reject) => {
        const send = (): void => {
          const id = nextId++
          pending.set(id, { channel, resolve, reject })
          try {
            socket!.send(encodeWire({ id, channel, input }))
          } catch (err) {
            pending.delete(id)
            reject(err instanceof Error ? err : new Error(String(err)))
          }
        }
        if (socket && socket.readyState === WebSocketImpl.OPEN) return send()
        const entry = {
          send,
          reject,
          timer: setTimeout(() => {
            const i = waiting.indexOf(entry)
            if (i >= 0) waiting.splice(i, 1)
            reject(new Error(`not connected to the workbench at ${url.replace(/token=[^&]*/, 'token=…')}: "${channel}" was not sent`))
          }, OFFLINE_CALL_TIMEOUT_MS),
        }
        waiting.push(entry)
      })
    },
    subscribe(event: EventName, handler: (payload: unknown) => void) {
      let set = handlers.get(event)
      if (!set) handlers.set(event, (set = new Set()))
      set.add(handler)
      return () => set.delete(handler)
    },
    close() {
      closed = true
      socket?.close()
    },
  }
}

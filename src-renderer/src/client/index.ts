/**
 * The one client the renderer holds. In Electron the preload exposes it as `window.descent`;
 * in a browser it is built over the WebSocket of `descent serve`, authenticated with the
 * per-launch token the page was opened with. Views never know which one they have.
 */
import type { Client } from '../../../src-shared/api'
import { createClient } from '../../../src-shared/client'
import { watchStorage } from './health'
import { createWsTransport, type ConnectionState } from './socket'

const TOKEN_KEY = 'descent.token'

let client: Client | null = null
let stateSource: { state: ConnectionState; onState(l: (s: ConnectionState) => void): () => void } | null = null

/** Take `?token=` off the visible URL (it should not linger in history or screenshots). */
export function takeToken(loc: Location = location, storage: Storage = sessionStorage): string | null {
  const url = new URL(loc.href)
  const fromUrl = url.searchParams.get('token')
  if (fromUrl) {
    storage.setItem(TOKEN_KEY, fromUrl)
    url.searchParams.delete('token')
    history.replaceState(history.state, '', url.pathname + url.search + url.hash)
    return fromUrl
  }
  return storage.getItem(TOKEN_KEY)
}

export function webSocketUrl(loc: Location, token: string | null): string {
  const scheme = loc.protocol === 'https:' ? 'wss:' : 'ws:'
  return `${scheme}//${loc.host}/ws${token ? `?token=${encodeURIComponent(token)}` : ''}`
}

/** Resolve the client once, before the app mounts. */
export async function initClient(): Promise<Client> {
  if (client) return client
  if (window.descent) {
    client = watchStorage(window.descent)
    return client
  }
  const transport = createWsTransport(webSocketUrl(location, takeToken()))
  stateSource = transport
  client = watchStorage(createClient(transport))
  return client
}

export function useClient(): Client {
  if (!client) throw new Error('initClient() must run before the app mounts')
  return client
}

/** The transport's connection state, or 'open' for transports without one (Electron IPC). */
export function connectionState(): { state: ConnectionState; onState(l: (s: ConnectionState) => void): () => void } {
  return stateSource ?? { state: 'open', onState: () => () => {} }
}

/** A call's error in words for a notification. */
export function errorText(err: unknown): string {
  if (err && typeof err === 'object' && 'message' in err) return String((err as Error).message)
  return String(err)
}

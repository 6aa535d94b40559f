/**
 * Who may talk to the web host: only this machine's loopback, only with this launch's token,
 * only under a loopback Host name (DNS rebinding), and for WebSockets only from our own origin
 * (a page on another site must not drive the workbench).
 */
import { timingSafeEqual } from 'node:crypto'
import type { IncomingMessage } from 'node:http'

export const TOKEN_COOKIE = 'descent_token'
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]'])

export function tokenMatches(expected: string, given: string | null | undefined): boolean {
  if (!given) return false
  const a = Buffer.from(expected)
  const b = Buffer.from(given)
  return a.length === b.length && timingSafeEqual(a, b)
}

function cookieToken(req: IncomingMessage): string | null {
  const header = req.headers.cookie
  if (!header) return null
  for (const part of header.split(';')) {
    const [k, ...v] = part.trim().split('=')
    if (k === TOKEN_COOKIE) return decodeURIComponent(v.join('='))
  }
  return null
}

/** The host part of a Host header, or null when it is not a loopback name on our port. */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (!host) return false
  const m = /^(\[[0-9a-f:.]+\]|[^:]+)(?::(\d+))?$/i.exec(host.trim())
  if (!m) return false
  const name = m[1].toLowerCase()
  const p = m[2] ? Number(m[2]) : 80
  return LOOPBACK_HOSTS.has(name) && p === port
}

export function originAllowed(origin: string | undefined, port: number): boolean {
  if (origin === undefined) return true // non-browser clients (CLI tools, tests) send none
  try {
    const u = new URL(origin)
    return u.protocol === 'http:' && LOOPBACK_HOSTS.has(u.hostname === '::1' ? '[::1]' : u.hostname) && Number(u.port || 80) === port
  } catch {
    return false
  }
}

export type Verdict = { ok: true } | { ok: false; status: number; reason: string }

/**
 * Check a request: Host first, then the token. A token given in the query must be right (a
 * wrong one is refused even with a valid cookie); otherwise the cookie set with the page is used.
 */
export function authorize(req: IncomingMessage, token: string, port: number): Verdict {
  if (!hostAllowed(req.headers.host, port)) return { ok: false, status: 403, reason: 'host not allowed' }
  const url = new URL(req.url ?? '/', 'http://127.0.0.1')
  const q = url.searchParams.get('token')
  if (q !== null) return tokenMatches(token, q) ? { ok: true } : { ok: false, status: 401, reason: 'wrong token' }
  return tokenMatches(token, cookieToken(req)) ? { ok: true } : { ok: false, status: 401, reason: 'token required' }
}

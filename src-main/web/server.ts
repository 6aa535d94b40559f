/**
 * `descent serve`: the workbench over HTTP + WebSocket for a browser, bound to 127.0.0.1 with
 * a random per-launch token. Serves the built renderer and the api map of src-shared/api.ts
 * over one WebSocket (request/response by id, plus pushed events).
 */
import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { extname, join, normalize, sep } from 'node:path'
import { WebSocketServer, type WebSocket } from 'ws'
import { ApiError, channels, type Channel } from '../../src-shared/api'
import { decodeWire, encodeWire, type ClientMessage, type ServerMessage } from '../../src-shared/wire'
import type { Workbench } from '../workbench/workbench'
import { authorize, originAllowed, TOKEN_COOKIE } from './security'

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
}

export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; connect-src 'self'; font-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'"

export interface WebHost {
  url: string
  port: number
  token: string
  server: Server
  close(): Promise<void>
}

/** `rendererDir`: the built renderer (out/renderer), given by the entry module that knows its place. */
export async function startWebHost(wb: Workbench, opts: { rendererDir: string; port?: number; token?: string }): Promise<WebHost> {
  const token = opts.token ?? randomBytes(24).toString('base64url')
  const rendererDir = opts.rendererDir
  let port = 0

  const refuse = (res: ServerResponse, status: number, reason: string): void => {
    res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store' })
    res.end(`${status}: ${reason}\n`)
  }

  const serveFile = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    let rel = decodeURIComponent(url.pathname)
    if (rel === '/' || rel === '') rel = '/index.html'
    const file = normalize(join(rendererDir, rel))
    if (!file.startsWith(normalize(rendererDir + sep)) && file !== normalize(rendererDir)) return refuse(res, 404, 'not found')
    let body: Buffer
    try {
      body = await readFile(file)
    } catch {
      return refuse(res, 404, 'not found')
    }
    const headers: Record<string, string> = {
      'content-type': MIME[extname(file)] ?? 'application/octet-stream',
      'x-content-type-options': 'nosniff',
      'referrer-policy': 'no-referrer',
      'cache-control': 'no-store',
    }
    if (extname(file) === '.html') {
      headers['content-security-policy'] = CSP
      headers['x-frame-options'] = 'DENY'
      headers['set-cookie'] = `${TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`
    }
    res.writeHead(200, headers)
    res.end(body)
  }

  const server = createServer((req, res) => {
    const verdict = authorize(req, token, port)
    if (!verdict.ok) return refuse(res, verdict.status, verdict.reason)
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed')
    serveFile(req, res).catch(() => refuse(res, 500, 'internal error'))
  })

  const wss = new WebSocketServer({ noServer: true, maxPayload: 16 * 1024 * 1024 })
  const sockets = new Set<WebSocket>()

  server.on('upgrade', (req, socket, head) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    const verdict = authorize(req, token, port)
    const reject = (status: number, reason: string): void => {
      socket.write(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
      socket.destroy()
    }
    if (url.pathname !== '/ws') return reject(404, 'Not Found')
    if (!verdict.ok) return reject(verdict.status, verdict.status === 403 ? 'Forbidden' : 'Unauthorized')
    if (!originAllowed(req.headers.origin, port)) return reject(403, 'Forbidden')
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req))
  })

  const send = (ws: WebSocket, m: ServerMessage): void => {
    if (ws.readyState === ws.OPEN) ws.send(encodeWire(m))
  }

  wss.on('connection', (ws) => {
    sockets.add(ws)
    ws.on('close', () => sockets.delete(ws))
    ws.on('message', (data, isBinary) => {
      let msg: ClientMessage
      try {
        if (isBinary) throw new Error('binary frames are not part of the protocol')
        const parsed = decodeWire(data.toString()) as Partial<ClientMessage>
        if (!parsed || typeof parsed !== 'object' || typeof parsed.id !== 'number' || typeof parsed.channel !== 'string') {
          throw new Error('a message is {"id": number, "channel": string, "input": object}')
        }
        msg = parsed as ClientMessage
      } catch (err) {
        send(ws, { id: -1, ok: false, error: { code: 'invalid-input', message: `malformed message: ${(err as Error).message}` } })
        return
      }
      if (!(channels as string[]).includes(msg.channel)) {
        send(ws, { id: msg.id, ok: false, error: { code: 'not-found', message: `unknown channel "${msg.channel}"; channels: ${channels.join(', ')}` } })
        return
      }
      wb.call(msg.channel as Channel, msg.input).then(
        (output) => send(ws, { id: msg.id, ok: true, output }),
        (err: unknown) => {
          const e = err instanceof ApiError ? err : new ApiError('internal', (err as Error).message)
          send(ws, { id: msg.id, ok: false, error: e.toPayload() })
        },
      )
    })
  })

  const offEvents = wb.on((event, payload) => {
    const text = encodeWire({ event, payload })
    for (const ws of sockets) if (ws.readyState === ws.OPEN) ws.send(text)
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve())
  })
  port = (server.address() as { port: number }).port
  const url = `http://127.0.0.1:${port}/?token=${token}`
  return {
    url,
    port,
    token,
    server,
    async close() {
      offEvents()
      for (const ws of sockets) ws.terminate()
      wss.close()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    },
  }
}

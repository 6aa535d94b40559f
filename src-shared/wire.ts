/**
 * JSON wire codec for the web transport. Float64Arrays travel as base64 of their bytes
 * ({"$f64": "..."}) so metric batches stay compact and bit-exact; Electron's structured clone
 * carries them natively and does not need this.
 */

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const B64_INDEX = new Int16Array(128).fill(-1)
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i

export function bytesToBase64(bytes: Uint8Array): string {
  const parts: string[] = []
  let chunk = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2]
    chunk += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + B64[n & 63]
    if (chunk.length > 8192) {
      parts.push(chunk)
      chunk = ''
    }
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = bytes[i] << 16
    chunk += B64[n >> 18] + B64[(n >> 12) & 63] + '=='
  } else if (rest === 2) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8)
    chunk += B64[n >> 18] + B64[(n >> 12) & 63] + B64[(n >> 6) & 63] + '='
  }
  parts.push(chunk)
  return parts.join('')
}

export function base64ToBytes(text: string): Uint8Array {
  const clean = text.replace(/=+$/, '')
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4))
  let o = 0
  for (let i = 0; i < clean.length; i += 4) {
    const c0 = B64_INDEX[clean.charCodeAt(i)]
    const c1 = B64_INDEX[clean.charCodeAt(i + 1)]
    const c2 = i + 2 < clean.length ? B64_INDEX[clean.charCodeAt(i + 2)] : 0
    const c3 = i + 3 < clean.length ? B64_INDEX[clean.charCodeAt(i + 3)] : 0
    if (c0 < 0 || c1 < 0 || c2 < 0 || c3 < 0) throw new Error('invalid base64')
    const n = (c0 << 18) | (c1 << 12) | (c2 << 6) | c3
    out[o++] = n >> 16
    if (o < out.length) out[o++] = (n >> 8) & 255
    if (o < out.length) out[o++] = n & 255
  }
  return out
}

/** JSON.stringify that encodes Float64Arrays losslessly. */
export function encodeWire(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v instanceof Float64Array) {
      return { $f64: bytesToBase64(new Uint8Array(v.buffer, v.byteOffset, v.byteLength)) }
    }
    return v
  })
}

/** JSON.parse that restores Float64Arrays written by encodeWire. */
export function decodeWire(text: string): unknown {
  return JSON.parse(text, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v) && typeof (v as { $f64?: unknown }).$f64 === 'string') {
      const bytes = base64ToBytes((v as { $f64: string }).$f64)
      if (bytes.length % 8 !== 0) throw new Error('Float64Array payload is not a multiple of 8 bytes')
      return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.length / 8)
    }
    return v
  })
}

/** Messages of the WebSocket protocol. */
export type ClientMessage = { id: number; channel: string; input: unknown }
export type ServerMessage =
  | { id: number; ok: true; output: unknown }
  | { id: number; ok: false; error: { code: string; message: string; issues?: { path: string; message: string }[] } }
  | { event: string; payload: unknown }

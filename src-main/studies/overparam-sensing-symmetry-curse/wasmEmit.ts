/**
 * A minimal WebAssembly binary emitter for the study's SIMD kernels (senseWasm.ts, factorWasm.ts):
 * the modules are written byte by byte here, so there is no compiled artefact to keep in sync.
 * numeric/wasm-simd.ts has the same helpers privately; these are a copy kept with the study.
 *
 * References: WebAssembly Core Specification 2.0, §5 (binary format) and the SIMD opcode table.
 */
import { wasmSimdKernel } from '../../numeric/wasm-simd'

export function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

export function sleb(n: number): number[] {
  const out: number[] = []
  for (;;) {
    const byte = n & 0x7f
    n >>= 7
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte)
      return out
    }
    out.push(byte | 0x80)
  }
}

const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()]
const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]
const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body]

export const I32 = 0x7f
export const F64 = 0x7c
export const V128 = 0x7b
export const BLOCK = [0x02, 0x40]
export const LOOP = [0x03, 0x40]
export const END = 0x0b
export const BR = 0x0c
export const BR_IF = 0x0d
export const I32_GT_U = 0x4b
export const I32_GE_U = 0x4f
export const I32_ADD = 0x6a
export const I32_AND = 0x71
export const I32_SUB = 0x6b
export const I32_MUL = 0x6c
export const I32_SHL = 0x74
export const I32_SHR_U = 0x76
export const F64_LOAD = 0x2b
export const F64_STORE = 0x39
export const F64_CONST_0 = [0x44, 0, 0, 0, 0, 0, 0, 0, 0]
export const F64_ADD = 0xa0
export const F64_SUB = 0xa1
export const F64_MUL = 0xa2
export const F64_DIV = 0xa3
const simd = (code: number): number[] => [0xfd, ...uleb(code)]
export const V_LOAD = simd(0x00)
export const V_SPLAT_LOAD = simd(0x0a)
export const V_STORE = simd(0x0b)
export const V_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)]
export const V_SPLAT = simd(0x14)
export const V_LANE0 = [...simd(0x21), 0]
export const V_LANE1 = [...simd(0x21), 1]
export const V_REPLACE0 = [...simd(0x22), 0]
export const V_REPLACE1 = [...simd(0x22), 1]
export const V_ADD = simd(0xf0)
export const V_SUB = simd(0xf1)
export const V_MUL = simd(0xf2)
/** memarg with alignment hint 2^3 (8 bytes: rows of odd length start off 16) and a constant offset. */
export const mem = (offset = 0): number[] => [3, ...uleb(offset)]

export const get = (i: number): number[] => [0x20, ...uleb(i)]
export const set = (i: number): number[] => [0x21, ...uleb(i)]
export const i32 = (v: number): number[] => [0x41, ...sleb(v)]

/** Code buffer with a variadic append. */
export class Code {
  readonly bytes: number[] = []
  emit(...parts: number[][]): this {
    for (const p of parts) this.bytes.push(...p)
    return this
  }
}

export interface FuncSpec {
  name: string
  params: number[]
  results: number[]
  /** local declarations as [count, type] after the parameters */
  locals: [number, number][]
  code: number[]
}

/** A module with one exported memory (1 page to start) and the given exported functions. */
export function moduleBytes(funcs: FuncSpec[]): Uint8Array {
  const type = section(1, vec(funcs.map((f) => [0x60, ...vec(f.params.map((t) => [t])), ...vec(f.results.map((t) => [t]))])))
  const func = section(3, vec(funcs.map((_, i) => uleb(i))))
  const memory = section(5, vec([[0x00, ...uleb(1)]]))
  const exports = section(7, vec([[...str('memory'), 0x02, ...uleb(0)], ...funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)])]))
  const bodies = funcs.map((f) => {
    const body = [...vec(f.locals.map(([count, t]) => [...uleb(count), t])), ...f.code, END]
    return [...uleb(body.length), ...body]
  })
  const code = section(10, vec(bodies))
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...func, ...memory, ...exports, ...code])
}

/** The slice of the WebAssembly JS API used here (the project's TypeScript libs omit its types). */
interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}

const compiled = new Map<string, object | null>()

/**
 * A fresh instance (its own memory, grown to hold `doubles` float64 values) of the module that
 * `build` emits, compiled once per key; null where WebAssembly SIMD is unavailable or switched
 * off (numeric/wasm-simd's setWasmSimdEnabled, which governs every SIMD path): callers then run
 * their JavaScript loops, which give the same bits.
 */
export function instantiate(key: string, build: () => FuncSpec[], doubles: number): { f64: Float64Array; exports: Record<string, unknown> } | null {
  if (wasmSimdKernel() === null) return null
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
  if (!api) return null
  let mod = compiled.get(key)
  if (mod === undefined) {
    mod = null
    try {
      const bytes = moduleBytes(build())
      if (api.validate(bytes)) mod = new api.Module(bytes)
    } catch {
      mod = null
    }
    compiled.set(key, mod)
  }
  if (mod === null || doubles * 8 > 2 ** 31) return null
  try {
    const inst = new api.Instance(mod, {})
    const memory = inst.exports.memory as WasmMemory
    const bytes = doubles * 8
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536))
    return { f64: new Float64Array(memory.buffer), exports: inst.exports }
  } catch {
    return null
  }
}

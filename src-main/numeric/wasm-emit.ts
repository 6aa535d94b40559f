/**
 * The one WebAssembly binary emitter of the project, for the numeric core's and the studies'
 * SIMD128 kernels: the modules are written byte by byte from TypeScript, so there is no compiled
 * artefact (.wasm, .wat, a C toolchain) to keep in sync with the code. Used by
 * - numeric/wasm-simd.ts (the gemm/gemv/tred2/QL kernels; it assembles its own module with the
 *   primitives here);
 * - numeric/wasm-arena.ts (gemmSkipZeros and the WasmArena's layer kernels);
 * - gns-approx-newton (wasmKernels.ts);
 * - overparam-sensing-symmetry-curse (senseWasm.ts, factorWasm.ts);
 * - vr-halpern-finite-sum (lsqPass.ts);
 * - subgm-small-init-robust-recovery (sensingPasses.ts).
 *
 * What is here: the binary-format primitives (LEB128, vectors, names, sections, function types),
 * one opcode table (names follow the text format: `f64x2.add` is F64X2_ADD; single-byte opcodes
 * are numbers, prefixed ones and those with a fixed immediate arrays, those with a variable
 * immediate camelCase functions: `brIf(1)`, `f64Load(8)`), the local and constant helpers,
 * memarg, a code buffer, `moduleBytes` (a module of exported functions and one exported memory)
 * and `instantiate` (a compiled-once module, a fresh instance with its own memory per call).
 *
 * References: WebAssembly Core Specification 2.0, §5 (binary format: §5.2.2 integers, §5.4
 * instructions, §5.5 modules) and its SIMD opcode table (§5.4.8 vector instructions).
 */

// ---- binary-format primitives (§5.1–5.2) ---------------------------------------------------------

/** Unsigned LEB128. */
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

/** Signed LEB128 (for 32-bit values). */
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

/** A vector: its length, then the items. */
export const vec = (items: number[][]): number[] => [...uleb(items.length), ...items.flat()]
/** A name (ASCII here). */
export const str = (s: string): number[] => [...uleb(s.length), ...Array.from(s, (c) => c.charCodeAt(0))]
/** A section: its id, its byte length, then the body. */
export const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body]
/** A function type (§5.3.5): 0x60, the parameter types, the result types. */
export const funcType = (params: number[], results: number[]): number[] => [0x60, ...vec(params.map((t) => [t])), ...vec(results.map((t) => [t]))]
/** The module preamble (§5.5.16): the magic `\0asm` and version 1. */
export const MODULE_HEADER = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00]

// ---- value types (§5.3.1) ----------------------------------------------------------------------

export const I32 = 0x7f
export const F64 = 0x7c
export const V128 = 0x7b

// ---- instructions (§5.4) -----------------------------------------------------------------------

// control (block types are the empty type 0x40)
export const BLOCK = [0x02, 0x40]
export const LOOP = [0x03, 0x40]
/** if (empty block type): pops an i32, runs its body when nonzero, else the `else` arm if any */
export const IF = [0x04, 0x40]
export const ELSE = 0x05
export const END = 0x0b
export const BR = 0x0c
export const BR_IF = 0x0d
export const RETURN = 0x0f
/** br to the label `depth` levels out (0: the innermost block or loop) */
export const br = (depth: number): number[] => [BR, ...uleb(depth)]
/** br_if to the label `depth` levels out */
export const brIf = (depth: number): number[] => [BR_IF, ...uleb(depth)]

// variables and constants
export const get = (i: number): number[] => [0x20, ...uleb(i)]
export const set = (i: number): number[] => [0x21, ...uleb(i)]
export const tee = (i: number): number[] => [0x22, ...uleb(i)]
export const i32Const = (v: number): number[] => [0x41, ...sleb(v)]
/** f64.const 0 */
export const F64_CONST_0 = [0x44, 0, 0, 0, 0, 0, 0, 0, 0]
/** f64.const v (the IEEE 754 bits, little-endian) */
export function f64Const(v: number): number[] {
  const bits = new DataView(new ArrayBuffer(8))
  bits.setFloat64(0, v, true)
  return [0x44, ...new Uint8Array(bits.buffer)]
}

// memory (each followed by a memarg)
export const I32_LOAD = 0x28
export const I32_STORE = 0x36
export const F64_LOAD = 0x2b
export const F64_STORE = 0x39
/**
 * memarg: the alignment hint as log2 bytes (default 2^3: 8 bytes, also for v128, whose rows of
 * odd length start off 16) and a constant offset.
 */
export const memarg = (offset = 0, align = 3): number[] => [align, ...uleb(offset)]
/** f64.load at a constant byte offset (alignment 8) */
export const f64Load = (offset = 0): number[] => [F64_LOAD, ...memarg(offset)]
/** f64.store at a constant byte offset (alignment 8) */
export const f64Store = (offset = 0): number[] => [F64_STORE, ...memarg(offset)]

// i32
export const I32_EQZ = 0x45
export const I32_LT_U = 0x49
export const I32_GT_U = 0x4b
export const I32_GE_U = 0x4f
export const I32_ADD = 0x6a
export const I32_SUB = 0x6b
export const I32_MUL = 0x6c
export const I32_AND = 0x71
export const I32_OR = 0x72
export const I32_SHL = 0x74
export const I32_SHR_U = 0x76

// f64 (comparisons push an i32, 1 or 0; every comparison with a NaN is false except ne)
export const F64_EQ = 0x61
export const F64_NE = 0x62
export const F64_LT = 0x63
export const F64_GT = 0x64
export const F64_LE = 0x65
export const F64_GE = 0x66
export const F64_SQRT = 0x9f
export const F64_ADD = 0xa0
export const F64_SUB = 0xa1
export const F64_MUL = 0xa2
export const F64_DIV = 0xa3

// SIMD128: prefix 0xfd, then the opcode as u32 LEB128
export const simd = (code: number): number[] => [0xfd, ...uleb(code)]
export const V128_LOAD = simd(0x00)
export const V128_LOAD64_SPLAT = simd(0x0a)
export const V128_STORE = simd(0x0b)
/** v128.const 0 */
export const V128_CONST_0 = [...simd(0x0c), ...new Array<number>(16).fill(0)]
/** i8x16.shuffle: 16 lane indices follow (0–15 the first operand's bytes, 16–31 the second's). */
export const I8X16_SHUFFLE = simd(0x0d)
/** i8x16.shuffle that pairs f64 lane `lane` of both operands: (a, b) → [a[lane], b[lane]]. */
export const shuffleLane = (lane: number): number[] => [...I8X16_SHUFFLE, ...Array.from({ length: 16 }, (_, b) => (b < 8 ? 8 * lane + b : 16 + 8 * lane + b - 8))]
export const F64X2_SPLAT = simd(0x14)
/** f64x2.extract_lane l */
export const extractLane = (l: number): number[] => [...simd(0x21), l]
/** f64x2.replace_lane l */
export const replaceLane = (l: number): number[] => [...simd(0x22), l]
export const F64X2_NEG = simd(0xed)
export const F64X2_ADD = simd(0xf0)
export const F64X2_SUB = simd(0xf1)
export const F64X2_MUL = simd(0xf2)
export const F64X2_DIV = simd(0xf3)
/** v128.load at a constant byte offset (alignment hint 8, see memarg) */
export const v128Load = (offset = 0): number[] => [...V128_LOAD, ...memarg(offset)]
/** v128.store at a constant byte offset */
export const v128Store = (offset = 0): number[] => [...V128_STORE, ...memarg(offset)]
/** v128.load64_splat at a constant byte offset: one f64 into both lanes */
export const v128Load64Splat = (offset = 0): number[] => [...V128_LOAD64_SPLAT, ...memarg(offset)]

// ---- modules (§5.5) -----------------------------------------------------------------------------

/**
 * Code buffer with a variadic append. `emit` is bound to its buffer, so it may be taken apart:
 * `const { bytes: code, emit } = new Code()`.
 */
export class Code {
  readonly bytes: number[] = []
  readonly emit = (...parts: number[][]): this => {
    for (const p of parts) this.bytes.push(...p)
    return this
  }
}

export interface FuncSpec {
  /** the export name */
  name: string
  params: number[]
  results: number[]
  /** local declarations as [count, type] after the parameters */
  locals: [number, number][]
  /** the body without its final `end` (moduleBytes appends it) */
  code: number[]
}

/**
 * A module with one type per function, the functions exported under their names, and one memory
 * (1 page to start) exported as `memory` (before the functions).
 */
export function moduleBytes(funcs: FuncSpec[]): Uint8Array {
  const type = section(1, vec(funcs.map((f) => funcType(f.params, f.results))))
  const func = section(3, vec(funcs.map((_, i) => uleb(i))))
  const memory = section(5, vec([[0x00, ...uleb(1)]]))
  const exports = section(7, vec([[...str('memory'), 0x02, ...uleb(0)], ...funcs.map((f, i) => [...str(f.name), 0x00, ...uleb(i)])]))
  const bodies = funcs.map((f) => {
    const body = [...vec(f.locals.map(([count, t]) => [...uleb(count), t])), ...f.code, END]
    return [...uleb(body.length), ...body]
  })
  const code = section(10, vec(bodies))
  return Uint8Array.from([...MODULE_HEADER, ...type, ...func, ...memory, ...exports, ...code])
}

// ---- instantiation -------------------------------------------------------------------------------

let simdEnabled = true

/**
 * Switch every WebAssembly SIMD path off (or back on): the numeric core's kernels and the
 * studies' modules alike. Each path gives bit-identical results to its JavaScript twin; tests use
 * this to prove it, and it is an escape hatch should a runtime miscompile a module.
 */
export function setWasmSimdEnabled(on: boolean): void {
  simdEnabled = on
}

/** false after setWasmSimdEnabled(false) */
export function wasmSimdEnabled(): boolean {
  return simdEnabled
}

/** The slice of the WebAssembly JS API used here and in wasm-simd.ts (the project's TypeScript libs omit its types). */
export interface WasmMemory {
  readonly buffer: ArrayBuffer
  grow(pages: number): number
}
export interface WasmApi {
  validate(bytes: Uint8Array): boolean
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> }
}

const compiled = new Map<string, object | null>()

/**
 * A fresh instance (its own memory, grown to hold `doubles` float64 values; `f64` views all of it,
 * `f64.buffer` is the memory's buffer) of the module that `build` emits, compiled once per `key`
 * (keys are global: prefix them with the study). Null where WebAssembly SIMD is unavailable or
 * switched off (setWasmSimdEnabled above), where the module does not validate (no SIMD128), or beyond 2 GiB: callers then run their JavaScript twins, which give
 * the same bits.
 */
export function instantiate(key: string, build: () => FuncSpec[], doubles: number): { f64: Float64Array; exports: Record<string, unknown> } | null {
  if (!simdEnabled) return null
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

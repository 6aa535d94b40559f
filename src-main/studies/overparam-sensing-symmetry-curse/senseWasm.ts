/**
 * The sensing pass of residualMatrix / residualMatrixSymmetric in WebAssembly SIMD128, emitted
 * byte by byte here (no compiled artefact), for the m × len sensing matrix (rows A_i, or the
 * folded rows for symmetric Z):
 *   res_q = (⟨A_q, z⟩ − y_q)/m,   loss = Σ_q (⟨A_q, z⟩ − y_q)²,   s = Σ_q res_q·A_q.
 * One pass over the matrix: four rows at a time, their dot products and then, while the rows are
 * still in L1, their axpys into s (the JavaScript version streams the 2 MB matrix twice).
 *
 * Bit-identical to the JavaScript loops in problem.ts: each dot product keeps the even/odd
 * partial sums (the two lanes of one f64x2 accumulator, the odd tail into the even sum, then
 * s0 + s1), each s entry receives res_q·A_q[p] for q in order, and wasm has no fused
 * multiply-add. A test checks the two paths against each other.
 *
 * References: WebAssembly Core Specification 2.0, §5 (binary format) and the SIMD opcode table.
 */
import { wasmSimdKernel } from '../../numeric/wasm-simd'

// ---- a minimal binary emitter --------------------------------------------------------------

function uleb(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n >>>= 7
    if (n !== 0) byte |= 0x80
    out.push(byte)
  } while (n !== 0)
  return out
}

function sleb(n: number): number[] {
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

const I32 = 0x7f
const F64 = 0x7c
const V128 = 0x7b
const BLOCK = [0x02, 0x40]
const LOOP = [0x03, 0x40]
const END = 0x0b
const BR = 0x0c
const BR_IF = 0x0d
const I32_CONST = 0x41
const I32_GT_U = 0x4b
const I32_GE_U = 0x4f
const I32_ADD = 0x6a
const I32_MUL = 0x6c
const I32_SHL = 0x74
const I32_SHR_U = 0x76
const F64_LOAD = 0x2b
const F64_STORE = 0x39
const F64_CONST_0 = [0x44, 0, 0, 0, 0, 0, 0, 0, 0]
const F64_ADD = 0xa0
const F64_SUB = 0xa1
const F64_MUL = 0xa2
const F64_DIV = 0xa3
const simd = (code: number): number[] => [0xfd, ...uleb(code)]
const V_LOAD = simd(0x00)
const V_STORE = simd(0x0b)
const V_ZERO = [...simd(0x0c), ...new Array<number>(16).fill(0)]
const V_SPLAT = simd(0x14)
const V_LANE0 = [...simd(0x21), 0]
const V_LANE1 = [...simd(0x21), 1]
const V_ADD = simd(0xf0)
const V_MUL = simd(0xf2)
/** memarg: alignment hint 2^3 (8 bytes: rows of odd length start off 16) and no offset. */
const MEM = [3, 0]

const get = (i: number): number[] => [0x20, ...uleb(i)]
const set = (i: number): number[] => [0x21, ...uleb(i)]
const i32 = (v: number): number[] => [I32_CONST, ...sleb(v)]

// Parameters of sense(a, z, y, res, s, m, len, mf) → loss: byte addresses, counts, and m as f64.
const A = 0
const Z = 1
const Y = 2
const RES = 3
const S = 4
const M = 5
const LEN = 6
const MF = 7
/** Rows per group (4, 6 and 8 measured alike: the pass is bound by the f64x2 multiplies and adds). */
const GROUP = 4
// i32 locals
const Q = 8
const P = 9
const ROWB = 10
const PAIRB = 11
const LENB = 12
const ROW = 13 // GROUP of them: the byte addresses of the rows
const N_I32 = ROW + GROUP - Q
// f64 locals
const LOSS = ROW + GROUP
const S0 = LOSS + 1 // GROUP even partial sums
const S1 = S0 + GROUP // GROUP odd partial sums
const W = S1 + GROUP // GROUP values res_q
const RQ = W + GROUP
const V = RQ + 1
const N_F64 = V + 1 - LOSS
// v128 locals
const ACC = V + 1 // GROUP accumulators
const ZV = ACC + GROUP
const SV = ZV + 1
const WV = SV + 1 // GROUP splatted res_q
const N_V128 = WV + GROUP - ACC

/** The code for one group of R consecutive rows q … q+R−1 (dot products, then axpys); q += R. */
function group(R: number): number[] {
  const c: number[] = []
  const emit = (...parts: number[][]): void => {
    for (const p of parts) c.push(...p)
  }
  // row addresses
  emit(get(A), get(Q), get(ROWB), [I32_MUL, I32_ADD], set(ROW))
  for (let r = 1; r < R; r++) emit(get(ROW + r - 1), get(ROWB), [I32_ADD], set(ROW + r))
  for (let r = 0; r < R; r++) emit(V_ZERO, set(ACC + r))
  // dot products over the pairs of entries
  emit(i32(0), set(P), BLOCK, LOOP, get(P), get(PAIRB), [I32_GE_U, BR_IF, 1])
  emit(get(Z), get(P), [I32_ADD], V_LOAD, MEM, set(ZV))
  for (let r = 0; r < R; r++) emit(get(ACC + r), get(ROW + r), get(P), [I32_ADD], V_LOAD, MEM, get(ZV), V_MUL, V_ADD, set(ACC + r))
  emit(get(P), i32(16), [I32_ADD], set(P), [BR, 0, END, END])
  for (let r = 0; r < R; r++) emit(get(ACC + r), V_LANE0, set(S0 + r), get(ACC + r), V_LANE1, set(S1 + r))
  // an odd last entry goes into the even sum
  emit(BLOCK, get(P), get(LENB), [I32_GE_U, BR_IF, 0])
  for (let r = 0; r < R; r++) emit(get(S0 + r), get(ROW + r), get(P), [I32_ADD, F64_LOAD], MEM, get(Z), get(P), [I32_ADD, F64_LOAD], MEM, [F64_MUL, F64_ADD], set(S0 + r))
  emit([END])
  // rq = s0 + s1 − y_q; res_q = rq/m; loss += rq²
  for (let r = 0; r < R; r++) {
    const yAddr = [...get(Y), ...get(Q), ...i32(3), I32_SHL, I32_ADD]
    emit(get(S0 + r), get(S1 + r), [F64_ADD], yAddr, [F64_LOAD, 3, 8 * r], [F64_SUB], set(RQ))
    emit(get(RQ), get(MF), [F64_DIV], set(W + r))
    emit(get(RES), get(Q), i32(3), [I32_SHL, I32_ADD], get(W + r), [F64_STORE, 3, 8 * r])
    emit(get(LOSS), get(RQ), get(RQ), [F64_MUL, F64_ADD], set(LOSS))
    emit(get(W + r), V_SPLAT, set(WV + r))
  }
  // s += res_q·A_q, q in order
  emit(i32(0), set(P), BLOCK, LOOP, get(P), get(PAIRB), [I32_GE_U, BR_IF, 1])
  emit(get(S), get(P), [I32_ADD], V_LOAD, MEM, set(SV))
  for (let r = 0; r < R; r++) emit(get(SV), get(WV + r), get(ROW + r), get(P), [I32_ADD], V_LOAD, MEM, V_MUL, V_ADD, set(SV))
  emit(get(S), get(P), [I32_ADD], get(SV), V_STORE, MEM)
  emit(get(P), i32(16), [I32_ADD], set(P), [BR, 0, END, END])
  emit(BLOCK, get(P), get(LENB), [I32_GE_U, BR_IF, 0])
  emit(get(S), get(P), [I32_ADD, F64_LOAD], MEM, set(V))
  for (let r = 0; r < R; r++) emit(get(V), get(W + r), get(ROW + r), get(P), [I32_ADD, F64_LOAD], MEM, [F64_MUL, F64_ADD], set(V))
  emit(get(S), get(P), [I32_ADD], get(V), [F64_STORE], MEM, [END])
  emit(get(Q), i32(R), [I32_ADD], set(Q))
  return c
}

function senseBody(): number[] {
  const c: number[] = []
  const emit = (...parts: number[][]): void => {
    for (const p of parts) c.push(...p)
  }
  emit(get(LEN), i32(3), [I32_SHL], set(LENB))
  emit(get(LEN), i32(3), [I32_SHL], set(ROWB))
  emit(get(LEN), i32(1), [I32_SHR_U], i32(4), [I32_SHL], set(PAIRB))
  emit(F64_CONST_0, set(LOSS), i32(0), set(Q))
  // groups of GROUP rows while q + GROUP ≤ m, then single rows
  emit(BLOCK, LOOP, get(Q), i32(GROUP), [I32_ADD], get(M), [I32_GT_U, BR_IF, 1], group(GROUP), [BR, 0, END, END])
  emit(BLOCK, LOOP, get(Q), get(M), [I32_GE_U, BR_IF, 1], group(1), [BR, 0, END, END])
  emit(get(LOSS), [END])
  const locals = vec([
    [...uleb(N_I32), I32],
    [...uleb(N_F64), F64],
    [...uleb(N_V128), V128],
  ])
  return [...locals, ...c]
}

function moduleBytes(): Uint8Array {
  const type = section(1, vec([[0x60, ...vec([...new Array<number[]>(7).fill([I32]), [F64]]), ...vec([[F64]])]]))
  const func = section(3, vec([uleb(0)]))
  const memory = section(5, vec([[0x00, ...uleb(1)]]))
  const exports = section(7, vec([
    [...str('memory'), 0x02, ...uleb(0)],
    [...str('sense'), 0x00, ...uleb(0)],
  ]))
  const body = senseBody()
  const code = section(10, vec([[...uleb(body.length), ...body]]))
  return Uint8Array.from([0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, ...type, ...func, ...memory, ...exports, ...code])
}

// ---- the driver -------------------------------------------------------------------------------

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

let compiled: object | null | undefined

function compiledModule(): object | null {
  if (compiled !== undefined) return compiled
  compiled = null
  try {
    const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly
    const bytes = moduleBytes()
    if (api && api.validate(bytes)) compiled = new api.Module(bytes)
  } catch {
    compiled = null
  }
  return compiled
}

/** One instance per sensing matrix: its own memory holds the matrix, y and the scratch vectors. */
export interface SenseKernel {
  m: number
  len: number
  run: (z: Float64Array, res: Float64Array, s: Float64Array) => number
}

/**
 * A kernel for the m × len matrix `rows` (copied in once) and the targets y, or null where
 * WebAssembly SIMD is unavailable or switched off (numeric/wasm-simd's setWasmSimdEnabled, which
 * governs every SIMD path): the caller then runs its JavaScript loops.
 */
export function senseKernel(rows: Float64Array, y: Float64Array, m: number, len: number): SenseKernel | null {
  if (wasmSimdKernel() === null) return null
  const mod = compiledModule()
  if (mod === null) return null
  const api = (globalThis as { WebAssembly?: WasmApi }).WebAssembly!
  // layout in doubles: rows (m·len), z (len), y (m), res (m), s (len)
  const aOff = 0
  const zOff = m * len
  const yOff = zOff + len
  const resOff = yOff + m
  const sOff = resOff + m
  const bytes = (sOff + len) * 8
  if (bytes > 2 ** 31) return null
  let memory: WasmMemory
  let sense: (a: number, z: number, y: number, res: number, s: number, m: number, len: number, mf: number) => number
  try {
    const inst = new api.Instance(mod, {})
    memory = inst.exports.memory as WasmMemory
    sense = inst.exports.sense as typeof sense
    if (memory.buffer.byteLength < bytes) memory.grow(Math.ceil((bytes - memory.buffer.byteLength) / 65536))
  } catch {
    return null
  }
  const mem = new Float64Array(memory.buffer)
  mem.set(rows.subarray(0, m * len), aOff)
  mem.set(y.subarray(0, m), yOff)
  return {
    m,
    len,
    run(z, res, s) {
      mem.set(z.subarray(0, len), zOff)
      mem.fill(0, sOff, sOff + len)
      const loss = sense(aOff * 8, zOff * 8, yOff * 8, resOff * 8, sOff * 8, m, len, m)
      res.set(mem.subarray(resOff, resOff + m))
      s.set(mem.subarray(sOff, sOff + len))
      return loss
    },
  }
}

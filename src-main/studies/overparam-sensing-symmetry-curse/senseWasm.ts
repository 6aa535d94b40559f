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
 */
import {
  BLOCK, BR, BR_IF, Code, END, F64, F64_ADD, F64_CONST_0, F64_DIV, F64_LOAD, F64_MUL, F64_STORE, F64_SUB, I32, I32_ADD,
  I32_GE_U, I32_GT_U, I32_MUL, I32_SHL, I32_SHR_U, LOOP, V128, V_ADD, V_LANE0, V_LANE1, V_LOAD, V_MUL, V_SPLAT, V_STORE,
  V_ZERO, get, i32, instantiate, mem, set, type FuncSpec,
} from './wasmEmit'

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
  const c = new Code()
  const emit = c.emit.bind(c)
  // row addresses
  emit(get(A), get(Q), get(ROWB), [I32_MUL, I32_ADD], set(ROW))
  for (let r = 1; r < R; r++) emit(get(ROW + r - 1), get(ROWB), [I32_ADD], set(ROW + r))
  for (let r = 0; r < R; r++) emit(V_ZERO, set(ACC + r))
  // dot products over the pairs of entries
  emit(i32(0), set(P), BLOCK, LOOP, get(P), get(PAIRB), [I32_GE_U, BR_IF, 1])
  emit(get(Z), get(P), [I32_ADD], V_LOAD, mem(), set(ZV))
  for (let r = 0; r < R; r++) emit(get(ACC + r), get(ROW + r), get(P), [I32_ADD], V_LOAD, mem(), get(ZV), V_MUL, V_ADD, set(ACC + r))
  emit(get(P), i32(16), [I32_ADD], set(P), [BR, 0, END, END])
  for (let r = 0; r < R; r++) emit(get(ACC + r), V_LANE0, set(S0 + r), get(ACC + r), V_LANE1, set(S1 + r))
  // an odd last entry goes into the even sum
  emit(BLOCK, get(P), get(LENB), [I32_GE_U, BR_IF, 0])
  for (let r = 0; r < R; r++) emit(get(S0 + r), get(ROW + r), get(P), [I32_ADD, F64_LOAD], mem(), get(Z), get(P), [I32_ADD, F64_LOAD], mem(), [F64_MUL, F64_ADD], set(S0 + r))
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
  emit(get(S), get(P), [I32_ADD], V_LOAD, mem(), set(SV))
  for (let r = 0; r < R; r++) emit(get(SV), get(WV + r), get(ROW + r), get(P), [I32_ADD], V_LOAD, mem(), V_MUL, V_ADD, set(SV))
  emit(get(S), get(P), [I32_ADD], get(SV), V_STORE, mem())
  emit(get(P), i32(16), [I32_ADD], set(P), [BR, 0, END, END])
  emit(BLOCK, get(P), get(LENB), [I32_GE_U, BR_IF, 0])
  emit(get(S), get(P), [I32_ADD, F64_LOAD], mem(), set(V))
  for (let r = 0; r < R; r++) emit(get(V), get(W + r), get(ROW + r), get(P), [I32_ADD, F64_LOAD], mem(), [F64_MUL, F64_ADD], set(V))
  emit(get(S), get(P), [I32_ADD], get(V), [F64_STORE], mem(), [END])
  emit(get(Q), i32(R), [I32_ADD], set(Q))
  return c.bytes
}

function senseFunc(): FuncSpec {
  const c = new Code()
  c.emit(get(LEN), i32(3), [I32_SHL], set(LENB))
  c.emit(get(LEN), i32(3), [I32_SHL], set(ROWB))
  c.emit(get(LEN), i32(1), [I32_SHR_U], i32(4), [I32_SHL], set(PAIRB))
  c.emit(F64_CONST_0, set(LOSS), i32(0), set(Q))
  // groups of GROUP rows while q + GROUP ≤ m, then single rows
  c.emit(BLOCK, LOOP, get(Q), i32(GROUP), [I32_ADD], get(M), [I32_GT_U, BR_IF, 1], group(GROUP), [BR, 0, END, END])
  c.emit(BLOCK, LOOP, get(Q), get(M), [I32_GE_U, BR_IF, 1], group(1), [BR, 0, END, END])
  c.emit(get(LOSS))
  return {
    name: 'sense',
    params: [I32, I32, I32, I32, I32, I32, I32, F64],
    results: [F64],
    locals: [
      [N_I32, I32],
      [N_F64, F64],
      [N_V128, V128],
    ],
    code: c.bytes,
  }
}

// ---- the driver -------------------------------------------------------------------------------

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
  // layout in doubles: rows (m·len), z (len), y (m), res (m), s (len)
  const aOff = 0
  const zOff = m * len
  const yOff = zOff + len
  const resOff = yOff + m
  const sOff = resOff + m
  const inst = instantiate('sense', () => [senseFunc()], sOff + len)
  if (inst === null) return null
  const sense = inst.exports.sense as (a: number, z: number, y: number, res: number, s: number, m: number, len: number, mf: number) => number
  const buf = inst.f64
  buf.set(rows.subarray(0, m * len), aOff)
  buf.set(y.subarray(0, m), yOff)
  return {
    m,
    len,
    run(z, res, s) {
      buf.set(z.subarray(0, len), zOff)
      buf.fill(0, sOff, sOff + len)
      const loss = sense(aOff * 8, zOff * 8, yOff * 8, resOff * 8, sOff * 8, m, len, m)
      res.set(buf.subarray(resOff, resOff + m))
      s.set(buf.subarray(sOff, sOff + len))
      return loss
    },
  }
}

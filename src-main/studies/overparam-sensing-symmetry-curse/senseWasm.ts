/**
 * The sensing pass of residualMatrix / residualMatrixSymmetric in WebAssembly SIMD128, emitted
 * byte by byte here (no compiled artefact), for the m × len sensing matrix (rows A_i, or the
 * folded rows for symmetric Z):
 *   res_q = (⟨A_q, z⟩ − y_q)/m,   loss = Σ_q (⟨A_q, z⟩ − y_q)²,   s = Σ_q res_q·A_q.
 * One pass over the matrix (a module per row length, which is baked in): eight rows at a time, their dot products and then, while the rows are
 * still in L1, their axpys into s (the JavaScript version streams the 2 MB matrix twice).
 *
 * Bit-identical to the JavaScript loops in problem.ts: each dot product keeps the even/odd
 * partial sums (the two lanes of one f64x2 accumulator, the odd tail into the even sum, then
 * s0 + s1), each s entry receives res_q·A_q[p] for q in order, and wasm has no fused
 * multiply-add. A test checks the two paths against each other.
 */
import {
  BLOCK, BR, BR_IF, Code, END, F64, F64_ADD, F64_CONST_0, F64_DIV, F64_LOAD, F64_MUL, F64_STORE, F64_SUB, F64X2_ADD, F64X2_MUL,
  F64X2_SPLAT, I32, I32_ADD, I32_GE_U, I32_GT_U, I32_MUL, I32_SHL, LOOP, V128, V128_CONST_0, V128_LOAD, V128_STORE, extractLane,
  get, i32Const, instantiate, memarg, set, type FuncSpec,
} from '../../numeric/wasm-emit'

// Parameters of sense(a, z, y, res, s, m, mf) → loss: byte addresses, the row count, and m as f64.
const A = 0
const Z = 1
const Y = 2
const RES = 3
const S = 4
const M = 5
const MF = 6
/**
 * Rows per group, and pairs of entries per loop iteration (the row length is baked in). Groups of
 * 2–8 rows and unrolling by 2–4 measured within a few per cent of each other (8 × 2 the best):
 * the pass is bound by the f64x2 multiplies and adds.
 */
const GROUP = 8
const UNROLL = 2
// i32 locals
const Q = 7
const PA = 8 // the group's first row, advanced along it; row r is at the constant offset r·len·8
const PZ = 9 // z (or s), advanced with PA
const ZEND = 10
const N_I32 = 4
// f64 locals
const LOSS = 11
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

/**
 * The code for one group of R consecutive rows q … q+R−1 of length len (dot products, then
 * axpys); q += R. The pairs of entries run UNROLL to a loop iteration, the leftover pairs and an
 * odd last entry inline; every load is a pointer plus a constant offset.
 */
function group(R: number, len: number): number[] {
  const rowB = 8 * len
  const pairs = len >> 1
  const iters = Math.floor(pairs / UNROLL)
  const rem = pairs % UNROLL
  const c = new Code()
  const emit = c.emit.bind(c)
  const start = (base: number): void => {
    emit(get(A), get(Q), i32Const(rowB), [I32_MUL, I32_ADD], set(PA), get(base), set(PZ))
    emit(get(base), i32Const(16 * UNROLL * iters), [I32_ADD], set(ZEND))
  }
  const dotPair = (u: number): number[][] => {
    const out: number[][] = [get(PZ), V128_LOAD, memarg(16 * u), set(ZV)]
    for (let r = 0; r < R; r++) out.push(get(ACC + r), get(PA), V128_LOAD, memarg(r * rowB + 16 * u), get(ZV), F64X2_MUL, F64X2_ADD, set(ACC + r))
    return out
  }
  const axpyPair = (u: number): number[][] => {
    const out: number[][] = [get(PZ), V128_LOAD, memarg(16 * u), set(SV)]
    for (let r = 0; r < R; r++) out.push(get(SV), get(WV + r), get(PA), V128_LOAD, memarg(r * rowB + 16 * u), F64X2_MUL, F64X2_ADD, set(SV))
    out.push(get(PZ), get(SV), V128_STORE, memarg(16 * u))
    return out
  }
  const advance: number[][] = [get(PA), i32Const(16 * UNROLL), [I32_ADD], set(PA), get(PZ), i32Const(16 * UNROLL), [I32_ADD], set(PZ)]
  const pairLoop = (pair: (u: number) => number[][]): void => {
    if (iters > 0) {
      const body: number[][] = []
      for (let u = 0; u < UNROLL; u++) body.push(...pair(u))
      emit(BLOCK, LOOP, get(PZ), get(ZEND), [I32_GE_U, BR_IF, 1], ...body, ...advance, [BR, 0, END, END])
    }
    for (let u = 0; u < rem; u++) emit(...pair(u))
  }
  // dot products over the pairs of entries
  start(Z)
  for (let r = 0; r < R; r++) emit(V128_CONST_0, set(ACC + r))
  pairLoop(dotPair)
  for (let r = 0; r < R; r++) emit(get(ACC + r), extractLane(0), set(S0 + r), get(ACC + r), extractLane(1), set(S1 + r))
  // an odd last entry goes into the even sum
  if (len & 1) {
    for (let r = 0; r < R; r++) emit(get(S0 + r), get(PA), [F64_LOAD], memarg(r * rowB + 16 * rem), get(PZ), [F64_LOAD], memarg(16 * rem), [F64_MUL, F64_ADD], set(S0 + r))
  }
  // rq = s0 + s1 − y_q; res_q = rq/m; loss += rq²
  for (let r = 0; r < R; r++) {
    emit(get(S0 + r), get(S1 + r), [F64_ADD], get(Y), get(Q), i32Const(3), [I32_SHL, I32_ADD, F64_LOAD], memarg(8 * r), [F64_SUB], set(RQ))
    emit(get(RQ), get(MF), [F64_DIV], set(W + r))
    emit(get(RES), get(Q), i32Const(3), [I32_SHL, I32_ADD], get(W + r), [F64_STORE], memarg(8 * r))
    emit(get(LOSS), get(RQ), get(RQ), [F64_MUL, F64_ADD], set(LOSS))
    emit(get(W + r), F64X2_SPLAT, set(WV + r))
  }
  // s += res_q·A_q, q in order
  start(S)
  pairLoop(axpyPair)
  if (len & 1) {
    emit(get(PZ), [F64_LOAD], memarg(16 * rem), set(V))
    for (let r = 0; r < R; r++) emit(get(V), get(W + r), get(PA), [F64_LOAD], memarg(r * rowB + 16 * rem), [F64_MUL, F64_ADD], set(V))
    emit(get(PZ), get(V), [F64_STORE], memarg(16 * rem))
  }
  emit(get(Q), i32Const(R), [I32_ADD], set(Q))
  return c.bytes
}

/** sense(a, z, y, res, s, m, mf) for rows of length len. */
function senseFunc(len: number): FuncSpec {
  const c = new Code()
  c.emit(F64_CONST_0, set(LOSS), i32Const(0), set(Q))
  // groups of GROUP rows while q + GROUP ≤ m, then single rows
  c.emit(BLOCK, LOOP, get(Q), i32Const(GROUP), [I32_ADD], get(M), [I32_GT_U, BR_IF, 1], group(GROUP, len), [BR, 0, END, END])
  c.emit(BLOCK, LOOP, get(Q), get(M), [I32_GE_U, BR_IF, 1], group(1, len), [BR, 0, END, END])
  c.emit(get(LOSS))
  return {
    name: 'sense',
    params: [I32, I32, I32, I32, I32, I32, F64],
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
  const inst = instantiate(`overparam-sensing sense len=${len}`, () => [senseFunc(len)], sOff + len)
  if (inst === null) return null
  const sense = inst.exports.sense as (a: number, z: number, y: number, res: number, s: number, m: number, mf: number) => number
  const buf = inst.f64
  buf.set(rows.subarray(0, m * len), aOff)
  buf.set(y.subarray(0, m), yOff)
  return {
    m,
    len,
    run(z, res, s) {
      buf.set(z.subarray(0, len), zOff)
      buf.fill(0, sOff, sOff + len)
      const loss = sense(aOff * 8, zOff * 8, yOff * 8, resOff * 8, sOff * 8, m, m)
      res.set(buf.subarray(resOff, resOff + m))
      s.set(buf.subarray(sOff, sOff + len))
      return loss
    },
  }
}

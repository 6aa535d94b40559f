/**
 * The sensing pass of residualMatrix / residualMatrixSymmetric in WebAssembly SIMD128, emitted
 * byte by byte here (no compiled artefact), for the m × len sensing matrix (rows A_i, or the
 * folded rows for symmetric Z):
 *   res_q = (⟨A_q, z⟩ − y_q)/m,   loss = Σ_q (⟨A_q, z⟩ − y_q)²,   s = Σ_q res_q·A_q.
 * One pass over the matrix (a module per row length, which is baked in), software-pipelined in
 * groups of four rows: one sweep along the rows does the axpys into s of a group whose res_q are
 * known and, in the same loop, the dot products of the next group, so that the next rows stream
 * in from L2 while the current ones (read a sweep earlier, now in L1) feed the axpys (the
 * JavaScript version streams the 2 MB matrix twice).
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

// Parameters of sense(a, z, y, res, m, mf) → loss: byte addresses, the row count, and m as f64.
// s (len doubles) lives right after z, at z + 8·len, so that one pointer walks both.
const A = 0
const Z = 1
const Y = 2
const RES = 3
const M = 4
const MF = 5
/**
 * Rows per group. A sweep keeps the group's 4 dot-product accumulators and 4 splatted weights in
 * registers, with one pair of entries per iteration. Measured on the asymmetric sensing step
 * (m = 600, len = 400; the pass alone, load average ≈ 1.5): 55.6 µs against 67 µs for the
 * earlier pass (eight rows' dot products, then their axpys, two pairs per iteration: TurboFan
 * put the loop's loads ahead of its arithmetic and spilled accumulators to the stack every
 * iteration); groups of 3 or 5: 57 µs, 6: 62 µs; two pairs per iteration: the same, three:
 * 62 µs; the dot products before the axpys in the loop body: 67 µs; all dot products (rows
 * descending) and then all axpys (ascending), for L2 reuse between the two passes: 66 µs.
 */
const GROUP = 4
// i32 locals
const Q = 6
const PA = 7 // the group's first row, advanced along it; row r is at the constant offset r·len·8
const PZ = 8 // z, advanced with PA (s at the constant offset len·8)
const ZEND = 9
const N_I32 = 4
// f64 locals
const LOSS = 10
const S0 = LOSS + 1 // GROUP even partial sums (of the rows whose dot products the last sweep formed)
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

/** What one sweep along the rows does: the axpys of rows 0 … axpy−1 and the dot products of rows dot0 … dot0 + dot − 1. */
interface Sweep {
  axpy: number
  dot0: number
  dot: number
}

/**
 * The code of the pass for rows of length len: res_q, loss and s, each exactly as the JavaScript
 * loops of problem.ts form them (see the file header); every load is a pointer plus a constant
 * offset.
 */
function passCode(len: number): number[] {
  const rowB = 8 * len
  const sB = 8 * len // s relative to z
  const pairs = len >> 1
  const c = new Code()
  const emit = c.emit.bind(c)
  /** one sweep over the pairs of entries of the group's rows (from row Q), one pair per iteration */
  const sweep = ({ axpy, dot0, dot }: Sweep): void => {
    emit(get(A), get(Q), i32Const(rowB), [I32_MUL, I32_ADD], set(PA), get(Z), set(PZ))
    emit(get(Z), i32Const(16 * pairs), [I32_ADD], set(ZEND))
    for (let r = 0; r < dot; r++) emit(V128_CONST_0, set(ACC + r))
    const body: number[][] = []
    if (axpy > 0) {
      // s += res_q·A_q, q in order; its store comes first, so TurboFan keeps this arithmetic in
      // place (the dot products' adds, used only by the next iteration, it moves to the end)
      body.push(get(PZ), V128_LOAD, memarg(sB), set(SV))
      for (let r = 0; r < axpy; r++) body.push(get(SV), get(WV + r), get(PA), V128_LOAD, memarg(r * rowB), F64X2_MUL, F64X2_ADD, set(SV))
      body.push(get(PZ), get(SV), V128_STORE, memarg(sB))
    }
    if (dot > 0) {
      body.push(get(PZ), V128_LOAD, memarg(0), set(ZV))
      for (let r = 0; r < dot; r++) body.push(get(ACC + r), get(PA), V128_LOAD, memarg((dot0 + r) * rowB), get(ZV), F64X2_MUL, F64X2_ADD, set(ACC + r))
    }
    body.push(get(PA), i32Const(16), [I32_ADD], set(PA), get(PZ), i32Const(16), [I32_ADD], set(PZ))
    if (pairs > 0) emit(BLOCK, LOOP, get(PZ), get(ZEND), [I32_GE_U, BR_IF, 1], ...body, [BR, 0, END, END])
    // an odd last entry (PA, PZ now point at it): into s, and into the even sums of the dot products
    if (len & 1 && axpy > 0) {
      emit(get(PZ), [F64_LOAD], memarg(sB), set(V))
      for (let r = 0; r < axpy; r++) emit(get(V), get(W + r), get(PA), [F64_LOAD], memarg(r * rowB), [F64_MUL, F64_ADD], set(V))
      emit(get(PZ), get(V), [F64_STORE], memarg(sB))
    }
    for (let r = 0; r < dot; r++) {
      emit(get(ACC + r), extractLane(0), set(S0 + r), get(ACC + r), extractLane(1), set(S1 + r))
      if (len & 1) emit(get(S0 + r), get(PA), [F64_LOAD], memarg((dot0 + r) * rowB), get(PZ), [F64_LOAD], memarg(0), [F64_MUL, F64_ADD], set(S0 + r))
    }
  }
  /** rq = s0 + s1 − y_q; res_q = rq/m; loss += rq² for rows Q … Q + R − 1 (and their splats) */
  const residuals = (R: number): void => {
    for (let r = 0; r < R; r++) {
      emit(get(S0 + r), get(S1 + r), [F64_ADD], get(Y), get(Q), i32Const(3), [I32_SHL, I32_ADD, F64_LOAD], memarg(8 * r), [F64_SUB], set(RQ))
      emit(get(RQ), get(MF), [F64_DIV], set(W + r))
      emit(get(RES), get(Q), i32Const(3), [I32_SHL, I32_ADD], get(W + r), [F64_STORE], memarg(8 * r))
      emit(get(LOSS), get(RQ), get(RQ), [F64_MUL, F64_ADD], set(LOSS))
      emit(get(W + r), F64X2_SPLAT, set(WV + r))
    }
  }
  const next = (R: number): number[][] => [get(Q), i32Const(R), [I32_ADD], set(Q)]
  emit(F64_CONST_0, set(LOSS), i32Const(0), set(Q))
  // whole groups, pipelined: the dot products of the first, then (axpys of one, dot products of
  // the next) while a next group exists, then the axpys of the last
  emit(BLOCK, get(Q), i32Const(GROUP), [I32_ADD], get(M), [I32_GT_U, BR_IF, 0])
  sweep({ axpy: 0, dot0: 0, dot: GROUP })
  emit(BLOCK, LOOP, get(Q), i32Const(2 * GROUP), [I32_ADD], get(M), [I32_GT_U, BR_IF, 1])
  residuals(GROUP)
  sweep({ axpy: GROUP, dot0: GROUP, dot: GROUP })
  emit(...next(GROUP), [BR, 0, END, END])
  residuals(GROUP)
  sweep({ axpy: GROUP, dot0: 0, dot: 0 })
  emit(...next(GROUP), [END])
  // the last m mod GROUP rows one at a time: dot product, then axpy
  emit(BLOCK, LOOP, get(Q), get(M), [I32_GE_U, BR_IF, 1])
  sweep({ axpy: 0, dot0: 0, dot: 1 })
  residuals(1)
  sweep({ axpy: 1, dot0: 0, dot: 0 })
  emit(...next(1), [BR, 0, END, END])
  emit(get(LOSS))
  return c.bytes
}

/** sense(a, z, y, res, m, mf) for rows of length len. */
function senseFunc(len: number): FuncSpec {
  return {
    name: 'sense',
    params: [I32, I32, I32, I32, I32, F64],
    results: [F64],
    locals: [
      [N_I32, I32],
      [N_F64, F64],
      [N_V128, V128],
    ],
    code: passCode(len),
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
  // layout in doubles: rows (m·len), z (len), s (len: right after z, as the pass expects), y (m), res (m)
  const aOff = 0
  const zOff = m * len
  const sOff = zOff + len
  const yOff = sOff + len
  const resOff = yOff + m
  const inst = instantiate(`overparam-sensing sense len=${len}`, () => [senseFunc(len)], resOff + m)
  if (inst === null) return null
  const sense = inst.exports.sense as (a: number, z: number, y: number, res: number, m: number, mf: number) => number
  const buf = inst.f64
  buf.set(rows.subarray(0, m * len), aOff)
  buf.set(y.subarray(0, m), yOff)
  // views made once (the memory does not grow after this): run() allocates nothing
  const zView = buf.subarray(zOff, zOff + len)
  const sView = buf.subarray(sOff, sOff + len)
  const resView = buf.subarray(resOff, resOff + m)
  return {
    m,
    len,
    run(z, res, s) {
      zView.set(z.length === len ? z : z.subarray(0, len))
      sView.fill(0)
      const loss = sense(aOff * 8, zOff * 8, yOff * 8, resOff * 8, m, m)
      if (res.length === m) res.set(resView)
      else res.subarray(0, m).set(resView)
      if (s.length === len) s.set(sView)
      else s.subarray(0, len).set(sView)
      return loss
    },
  }
}

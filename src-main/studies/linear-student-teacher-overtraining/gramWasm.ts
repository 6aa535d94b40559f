/**
 * H = XᵀX (P×P) of the N×P row-major X in WebAssembly SIMD128, emitted byte by byte here (one
 * module per (N, P), both baked in), computing only the blocks on and above the diagonal: the
 * numeric core's packed gemm (exampleGram's route) forms all P² entries and packs X twice first.
 *
 * X needs no packing: at step p, rows i0 … i0+3 of op(A) = Xᵀ and columns j0 … j0+3 of op(B) = X
 * are the four consecutive doubles X[p][i0 …] and X[p][j0 …]. Each 4×4 block of H (fewer at the
 * edge; P even, so columns come in pairs) accumulates in eight f64x2 registers over p = 0 … N−1,
 * acc += splat(X[p][i])·X[p][j, j+1], as the gemm kernel's panel does (accumulators from +0, the
 * product a·b, one add per p, no fused multiply-add in wasm), then is stored row-wise and, lane by
 * lane, transposed into the block below the diagonal. Every entry is therefore the sum from +0, in
 * p order, of X[p][i]·X[p][j], which is what the packed gemm gives for N ≤ its panel depth (256: one
 * panel, C = 0 + acc); a unit test compares the bits with exampleGram. Entries (i, j) and (j, i) are
 * the same sum (the products commute), as exampleGram's mirrored upper triangle is.
 *
 * The JavaScript twin is exampleGram itself (SIMD off, odd or small P, N over the panel depth).
 */
import {
  END, F64_LOAD, F64_STORE, F64X2_DIV, F64X2_SPLAT, I32, I32_ADD, I32_LOAD, I32_LT_U, I32_MUL, replaceLane, LOOP, V128, V128_CONST_0, V128_LOAD, V128_LOAD64_SPLAT, V128_STORE, F64X2_ADD, F64X2_MUL,
  BR_IF, extractLane, get, i32Const, instantiate, memarg, set, Code, type FuncSpec, wasmSimdEnabled,
} from '../../numeric/wasm-emit'
import { GEMM_PANEL_DEPTH } from '../../numeric/wasm-simd'

// gram(x, h): byte addresses of X and H
const X = 0
const H = 1
// i32 locals
const PX = 2
const PEND = 3
// v128 locals: 8 accumulators (row r, pair h at ACC + 2r + h), two X[p][j…] pairs, one splat
const ACC = 4
const B0 = ACC + 8
const AV = B0 + 2

function gramFunc(N: number, P: number): FuncSpec {
  const c = new Code()
  const emit = c.emit.bind(c)
  const rowB = 8 * P
  for (let i0 = 0; i0 < P; i0 += 4) {
    const R = Math.min(4, P - i0)
    for (let j0 = i0; j0 < P; j0 += 4) {
      const C = Math.min(2, (P - j0) >> 1) // column pairs
      for (let r = 0; r < R; r++) for (let h = 0; h < C; h++) emit(V128_CONST_0, set(ACC + 2 * r + h))
      emit(get(X), set(PX), get(X), i32Const(N * rowB), [I32_ADD], set(PEND))
      emit(LOOP)
      for (let h = 0; h < C; h++) emit(get(PX), V128_LOAD, memarg(8 * (j0 + 2 * h)), set(B0 + h))
      for (let r = 0; r < R; r++) {
        emit(get(PX), V128_LOAD64_SPLAT, memarg(8 * (i0 + r)), set(AV))
        for (let h = 0; h < C; h++) emit(get(ACC + 2 * r + h), get(AV), get(B0 + h), F64X2_MUL, F64X2_ADD, set(ACC + 2 * r + h))
      }
      emit(get(PX), i32Const(rowB), [I32_ADD], set(PX), get(PX), get(PEND), [I32_LT_U, BR_IF, 0], [END])
      for (let r = 0; r < R; r++) {
        const i = i0 + r
        for (let h = 0; h < C; h++) {
          const j = j0 + 2 * h
          emit(get(H), get(ACC + 2 * r + h), V128_STORE, memarg(8 * (i * P + j)))
          for (let l = 0; l < 2; l++) emit(get(H), get(ACC + 2 * r + h), extractLane(l), [F64_STORE], memarg(8 * ((j + l) * P + i)))
        }
      }
    }
  }
  return { name: 'gram', params: [I32, I32], results: [], locals: [[2, I32], [11, V128]], code: c.bytes }
}

interface GramKernel {
  N: number
  P: number
  X: Float64Array
  H: Float64Array
  run: (x: number, h: number) => void
}
let cached: GramKernel | null = null

/**
 * XᵀX into a view of the module's memory (valid until the next call), bit for bit exampleGram's
 * H; null where this path does not apply (SIMD off or unavailable, P odd or < 4, N beyond the
 * gemm's panel depth or P²N below its packed size, where exampleGram takes other routes): the
 * caller then runs exampleGram.
 */
export function gramWasm(Xin: Float64Array, N: number, P: number): Float64Array | null {
  if (!wasmSimdEnabled() || P % 2 !== 0 || P < 4 || N > GEMM_PANEL_DEPTH || P * P * N < 24 * 24 * 24) return null
  let k = cached
  if (!k || k.N !== N || k.P !== P) {
    const inst = instantiate(`linear-student gram ${N}x${P}`, () => [gramFunc(N, P)], N * P + P * P)
    if (!inst) return null
    k = cached = {
      N,
      P,
      X: inst.f64.subarray(0, N * P),
      H: inst.f64.subarray(N * P, N * P + P * P),
      run: inst.exports.gram as GramKernel['run'],
    }
  }
  k.X.set(Xin.subarray(0, N * P))
  k.run(0, N * P * 8)
  return k.H
}

/**
 * The products of exampleEigenProjections in wasm SIMD (a module per n, baked in; n even), on a
 * copy of symEig's working matrix W (eigenvectors as rows, unsorted) and the ascending order:
 * with U[i][j] = W[order[j]][i],
 *   c_j = Σ_i b_i·U[i][j], e_j = Σ_i ε_i·U[i][j]   (each from +0, i ascending: gemv's Aᵀx),
 *   g_j = c_j/μ_j,   (U·g)_i = 0 + (Σ_{j even} U[i][j]·g_j + Σ_{j odd} U[i][j]·g_j)   (gemv's Ax),
 * the two sums of U·g each in j order. Columns j, j+1 of U are the lanes of one f64x2 for c, e and
 * g (rows order[j] and order[j+1] of W read entry by entry into the two lanes); U·g's two sums are
 * two rows acc0, acc1 fed a whole row of W at a time, i in pairs. Lane-wise IEEE operations in the
 * same order as the JavaScript loops of exampleEigenProjections' reference (symEig + gemv):
 * bit-identical (modes-bits.test.ts).
 */
interface ProjLayout {
  w: number
  ord: number
  b: number
  eps: number
  mu: number
  c: number
  e: number
  ug: number
  acc: number
  doubles: number
}
function projLayout(n: number): ProjLayout {
  // in doubles; ord holds n i32 (n/2 doubles, n even)
  const w = 0
  const ord = n * n
  const b = ord + n / 2
  const eps = b + n
  const mu = eps + n
  const c = mu + n
  const e = c + n
  const ug = e + n
  const acc = ug + n
  return { w, ord, b, eps, mu, c, e, ug, acc, doubles: acc + 2 * n }
}

// proj(): no parameters, everything at baked addresses. i32 locals:
const JP = 0 // byte offset of the column pair j, j+1 in a length-n vector (16 per pair)
const J4 = 1 // byte offset of order[j] (8 per pair)
const RA = 2 // byte address of row order[j] of W
const RB = 3 // … of row order[j + 1]
const I = 4 // byte offset along a row
// v128 locals
const AC = 5
const AE = 6
const U = 7
const G = 8
const GA = 9
const GB = 10

function projFunc(n: number): FuncSpec {
  const L = projLayout(n)
  const rowB = 8 * n
  const c = new Code()
  const emit = c.emit.bind(c)
  const loopWhile = (body: () => void, stepB: number, end: number): void => {
    emit(i32Const(0), set(I), LOOP)
    body()
    emit(get(I), i32Const(stepB), [I32_ADD], set(I), get(I), i32Const(end), [I32_LT_U, BR_IF, 0], [END])
  }
  // acc0, acc1 = 0
  loopWhile(() => emit(get(I), V128_CONST_0, V128_STORE, memarg(8 * L.acc)), 16, 2 * rowB)
  emit(i32Const(0), set(JP), i32Const(0), set(J4), LOOP)
  emit(get(J4), [I32_LOAD], memarg(8 * L.ord, 2), i32Const(rowB), [I32_MUL], set(RA))
  emit(get(J4), [I32_LOAD], memarg(8 * L.ord + 4, 2), i32Const(rowB), [I32_MUL], set(RB))
  emit(V128_CONST_0, set(AC), V128_CONST_0, set(AE))
  loopWhile(() => {
    emit(get(RA), get(I), [I32_ADD], V128_LOAD64_SPLAT, memarg(8 * L.w), get(RB), get(I), [I32_ADD, F64_LOAD], memarg(8 * L.w), replaceLane(1), set(U))
    emit(get(AC), get(I), V128_LOAD64_SPLAT, memarg(8 * L.b), get(U), F64X2_MUL, F64X2_ADD, set(AC))
    emit(get(AE), get(I), V128_LOAD64_SPLAT, memarg(8 * L.eps), get(U), F64X2_MUL, F64X2_ADD, set(AE))
  }, 8, rowB)
  emit(get(JP), get(AC), V128_STORE, memarg(8 * L.c), get(JP), get(AE), V128_STORE, memarg(8 * L.e))
  emit(get(AC), get(JP), V128_LOAD, memarg(8 * L.mu), F64X2_DIV, set(G))
  emit(get(G), extractLane(0), F64X2_SPLAT, set(GA), get(G), extractLane(1), F64X2_SPLAT, set(GB))
  loopWhile(() => {
    emit(get(I), get(I), V128_LOAD, memarg(8 * L.acc), get(RA), get(I), [I32_ADD], V128_LOAD, memarg(8 * L.w), get(GA), F64X2_MUL, F64X2_ADD, V128_STORE, memarg(8 * L.acc))
    emit(get(I), get(I), V128_LOAD, memarg(8 * L.acc + rowB), get(RB), get(I), [I32_ADD], V128_LOAD, memarg(8 * L.w), get(GB), F64X2_MUL, F64X2_ADD, V128_STORE, memarg(8 * L.acc + rowB))
  }, 16, rowB)
  emit(get(JP), i32Const(16), [I32_ADD], set(JP), get(J4), i32Const(8), [I32_ADD], set(J4))
  emit(get(JP), i32Const(rowB), [I32_LT_U, BR_IF, 0], [END])
  // U·g = 0 + (acc0 + acc1)
  loopWhile(() => emit(get(I), V128_CONST_0, get(I), V128_LOAD, memarg(8 * L.acc), get(I), V128_LOAD, memarg(8 * L.acc + rowB), F64X2_ADD, F64X2_ADD, V128_STORE, memarg(8 * L.ug)), 16, rowB)
  return { name: 'proj', params: [], results: [], locals: [[5, I32], [6, V128]], code: c.bytes }
}

export interface ProjKernel {
  n: number
  /** W (n×n, eigenvectors as rows), then fill order, b, ε and μ (= d[order[j]]) before run() */
  W: Float64Array
  order: Int32Array
  b: Float64Array
  eps: Float64Array
  mu: Float64Array
  /** outputs of run() */
  c: Float64Array
  e: Float64Array
  Ug: Float64Array
  run: () => void
}
let projCached: ProjKernel | null = null

/** The projection kernel for n (even, ≥ 2), or null where WebAssembly SIMD is unavailable or off. */
export function projKernel(n: number): ProjKernel | null {
  if (!wasmSimdEnabled() || n % 2 !== 0 || n < 2) return null
  if (projCached && projCached.n === n) return projCached
  const L = projLayout(n)
  const inst = instantiate(`linear-student proj ${n}`, () => [projFunc(n)], L.doubles)
  if (!inst) return null
  const f = inst.f64
  const v = (at: number): Float64Array => f.subarray(at, at + n)
  return (projCached = {
    n,
    W: f.subarray(L.w, L.w + n * n),
    order: new Int32Array(f.buffer, 8 * L.ord, n),
    b: v(L.b),
    eps: v(L.eps),
    mu: v(L.mu),
    c: v(L.c),
    e: v(L.e),
    Ug: v(L.ug),
    run: inst.exports.proj as () => void,
  })
}

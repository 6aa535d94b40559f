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
  END, F64_STORE, I32, I32_ADD, I32_LT_U, LOOP, V128, V128_CONST_0, V128_LOAD, V128_LOAD64_SPLAT, V128_STORE, F64X2_ADD, F64X2_MUL,
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

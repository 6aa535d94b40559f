/**
 * Problem A's full pass F(u) = Σ_i (1/N)·a_i(a_iᵀu − b_i), in WebAssembly SIMD128 with a scalar
 * twin that gives the same bits.
 *
 * Storage. The first N − N mod 8 rows are kept in groups of eight, column by column: group g
 * holds, for j = 0..dp−1, the eight entries A[8g..8g+7][j] one after another (dp = d rounded up
 * to even; a padding column is zero). The last N mod 8 rows follow row-major with stride dp.
 * In this layout one f64x2 holds the same column of two rows, so the residuals of eight rows are
 * four vector chains that run each row's sum r_i = −b_i + Σ_j a_ij·u_j in its own order, j = 0,
 * 1, …; and two neighbouring columns of a row are one shuffle away, so out_j += r_i·a_ij runs two
 * columns per vector, rows in order. Every row's residual and every out_j therefore see the same
 * IEEE operations, in the same order, as the textbook row-by-row loop (wasm has no fused
 * multiply-add), and the two paths here and the row-by-row loop agree to the bit. (A padding
 * column adds 0·0 = +0 to a residual: it can only turn r = −0 into +0, and a zero r adds
 * ±0 to out_j, which never changes it, since out_j starts at +0 and so is never −0.)
 *
 * Per row the pass reads a_i once (both uses while it is in L1), against two sweeps over A for
 * Aᵀ(Au − b).
 *
 * The module is emitted byte by byte through numeric/wasm-emit.ts (WebAssembly Core
 * Specification 2.0, §5 binary format and the SIMD opcode table).
 */

import {
  BR_IF, END, F64, F64X2_ADD, F64X2_DIV, F64X2_MUL, F64X2_NEG, F64X2_SPLAT, I32, I32_ADD, I32_LT_U, I32_MUL, I32_SUB, I8X16_SHUFFLE, LOOP,
  V128, V128_LOAD, V128_LOAD64_SPLAT, V128_STORE, extractLane, get, i32Const, instantiate, memarg, set, tee, type FuncSpec,
} from '../../numeric/wasm-emit'

/** i8x16.shuffle picking lane `l` (0 or 1) of each operand: (x_l, y_l). */
const pickLanes = (l: number) => {
  const x = Array.from({ length: 8 }, (_, k) => 8 * l + k)
  return [...I8X16_SHUFFLE, ...x, ...x.map((k) => k + 16)]
}

/** Rows per group: four f64x2 residual chains. */
export const GROUP = 8

// parameters: a, b, u, out (byte addresses), groups, dp (i32), n (f64)
const P_A = 0
const P_B = 1
const P_U = 2
const P_OUT = 3
const P_G = 4
const P_DP = 5
const P_N = 6
// i32 locals
const L_PA = 7
const L_PU = 8
const L_UEND = 9
const L_PO = 10
const L_BLK = 11
const L_BP = 12
const L_GLEFT = 13
const L_OEND = 14
// v128 locals
const L_ACC = 15 // four
const L_UJ = 19
const L_RS = 20 // eight: the splatted residuals of the group's rows
const L_OV = 28
const L_X = 29
const L_Y = 30
const L_NV = 31

/** full(a, b, u, out, groups, dp, n): the grouped rows' part of the pass. */
function fullFunc(): FuncSpec {
  const c: number[] = []
  const pairs = GROUP / 2
  // NV = splat(n); UEND = u + 8·dp; OEND = out + 8·dp; BLK = a; BP = b; GLEFT = groups
  c.push(...get(P_N), ...F64X2_SPLAT, ...set(L_NV))
  c.push(...get(P_U), ...get(P_DP), ...i32Const(8), I32_MUL, I32_ADD, ...set(L_UEND))
  c.push(...get(P_OUT), ...get(P_DP), ...i32Const(8), I32_MUL, I32_ADD, ...set(L_OEND))
  c.push(...get(P_A), ...set(L_BLK), ...get(P_B), ...set(L_BP), ...get(P_G), ...set(L_GLEFT))
  c.push(...LOOP) // over groups (the caller passes groups ≥ 1)
  // pass 1: acc_k = −(b_{2k}, b_{2k+1}); acc_k += (a_{2k,j}, a_{2k+1,j})·u_j for j = 0..dp−1
  for (let k = 0; k < pairs; k++) c.push(...get(L_BP), ...V128_LOAD, ...memarg(16 * k), ...F64X2_NEG, ...set(L_ACC + k))
  c.push(...get(L_BLK), ...set(L_PA), ...get(P_U), ...set(L_PU))
  c.push(...LOOP)
  c.push(...get(L_PU), ...V128_LOAD64_SPLAT, ...memarg(0), ...set(L_UJ))
  for (let k = 0; k < pairs; k++) {
    c.push(...get(L_ACC + k), ...get(L_PA), ...V128_LOAD, ...memarg(16 * k), ...get(L_UJ), ...F64X2_MUL, ...F64X2_ADD, ...set(L_ACC + k))
  }
  c.push(...get(L_PA), ...i32Const(16 * pairs), I32_ADD, ...set(L_PA))
  c.push(...get(L_PU), ...i32Const(8), I32_ADD, ...tee(L_PU), ...get(L_UEND), I32_LT_U, BR_IF, 0, END)
  // r = acc / n, each row's r splatted
  for (let k = 0; k < pairs; k++) {
    c.push(...get(L_ACC + k), ...get(L_NV), ...F64X2_DIV, ...tee(L_X))
    c.push(...extractLane(0), ...F64X2_SPLAT, ...set(L_RS + 2 * k))
    c.push(...get(L_X), ...extractLane(1), ...F64X2_SPLAT, ...set(L_RS + 2 * k + 1))
  }
  // pass 2: for column pairs (j, j+1): out += r_row·(a_row,j, a_row,j+1), rows in order
  c.push(...get(L_BLK), ...set(L_PA), ...get(P_OUT), ...set(L_PO))
  c.push(...LOOP)
  c.push(...get(L_PO), ...V128_LOAD, ...memarg(0), ...set(L_OV))
  for (let k = 0; k < pairs; k++) {
    c.push(...get(L_PA), ...V128_LOAD, ...memarg(16 * k), ...set(L_X)) // column j, rows 2k, 2k+1
    c.push(...get(L_PA), ...V128_LOAD, ...memarg(16 * pairs + 16 * k), ...set(L_Y)) // column j+1
    for (let l = 0; l < 2; l++) {
      c.push(...get(L_OV), ...get(L_RS + 2 * k + l), ...get(L_X), ...get(L_Y), ...pickLanes(l), ...F64X2_MUL, ...F64X2_ADD, ...set(L_OV))
    }
  }
  c.push(...get(L_PO), ...get(L_OV), ...V128_STORE, ...memarg(0))
  c.push(...get(L_PA), ...i32Const(32 * pairs), I32_ADD, ...set(L_PA))
  c.push(...get(L_PO), ...i32Const(16), I32_ADD, ...tee(L_PO), ...get(L_OEND), I32_LT_U, BR_IF, 0, END)
  // next group: its columns start where pass 2 stopped
  c.push(...get(L_PA), ...set(L_BLK))
  c.push(...get(L_BP), ...i32Const(8 * GROUP), I32_ADD, ...set(L_BP))
  c.push(...get(L_GLEFT), ...i32Const(1), I32_SUB, ...tee(L_GLEFT), BR_IF, 0, END)
  return {
    name: 'full',
    params: [I32, I32, I32, I32, I32, I32, F64],
    results: [],
    locals: [
      [8, I32],
      [17, V128],
    ],
    code: c,
  }
}

// ---- the driver -------------------------------------------------------------------------------

type FullFn = (a: number, b: number, u: number, out: number, groups: number, dp: number, n: number) => void

/**
 * The rows of A and b in the grouped layout above, in the memory of their own wasm instance
 * when WebAssembly SIMD is available (`simd` false forces the scalar twin, for tests; so does
 * numeric/wasm-simd's setWasmSimdEnabled(false)).
 */
export class LsqRows {
  readonly N: number
  readonly d: number
  /** d rounded up to even */
  readonly dp: number
  /** rows in whole groups */
  readonly grouped: number
  /** the layout: grouped rows, then the tail rows; then b; then u and out (dp each) */
  readonly mem: Float64Array
  readonly simd: boolean
  private readonly bOff: number
  private readonly uOff: number
  private readonly outOff: number
  private readonly kernel: FullFn | null
  private readonly r = new Float64Array(GROUP)

  constructor(A: Float64Array, b: Float64Array, N: number, d: number, simd = true) {
    const dp = d + (d % 2)
    const grouped = N - (N % GROUP)
    this.N = N
    this.d = d
    this.dp = dp
    this.grouped = grouped
    this.bOff = N * dp // dp is even: b, u and out start 16-byte aligned
    this.uOff = this.bOff + N + (N % 2)
    this.outOff = this.uOff + dp
    const doubles = this.outOff + dp
    const inst = simd && grouped > 0 ? instantiate('vr-halpern-finite-sum lsq full', () => [fullFunc()], doubles) : null
    this.mem = inst ? inst.f64.subarray(0, doubles) : new Float64Array(doubles)
    const kernel = inst ? (inst.exports.full as FullFn) : null
    this.kernel = kernel
    this.simd = kernel !== null
    const m = this.mem
    for (let i = 0; i < N; i++) {
      for (let j = 0; j < d; j++) m[this.index(i, j)] = A[i * d + j]
      m[this.bOff + i] = b[i]
    }
  }

  /** Where a_ij lies in `mem`. */
  index(i: number, j: number): number {
    if (i < this.grouped) return (i - (i % GROUP)) * this.dp + j * GROUP + (i % GROUP)
    return i * this.dp + j
  }

  /** out ← Σ_i (1/N)·a_i(a_iᵀu − b_i), rows in order (the same bits on both paths). */
  full(u: Float64Array, out: Float64Array): void {
    const { mem: m, d, dp, N, grouped, uOff, outOff } = this
    for (let j = 0; j < d; j++) m[uOff + j] = u[j]
    if (dp > d) m[uOff + d] = 0
    m.fill(0, outOff, outOff + dp)
    if (this.kernel && grouped > 0) this.kernel(0, 8 * this.bOff, 8 * uOff, 8 * outOff, grouped / GROUP, dp, N)
    else this.groupsScalar()
    for (let j = 0; j < d; j++) out[j] = m[outOff + j]
    // the tail rows, row by row
    for (let i = grouped; i < N; i++) {
      const o = i * dp
      let r = -m[this.bOff + i]
      for (let j = 0; j < d; j++) r += m[o + j] * u[j]
      r /= N
      for (let j = 0; j < d; j++) out[j] += r * m[o + j]
    }
  }

  /** The scalar twin of the kernel: the grouped rows, the same operations in the same order. */
  private groupsScalar(): void {
    const { mem: m, dp, N, grouped, bOff, uOff, outOff, r } = this
    for (let g = 0; g < grouped; g += GROUP) {
      const base = g * dp
      for (let k = 0; k < GROUP; k++) {
        let s = -m[bOff + g + k]
        for (let j = 0; j < dp; j++) s += m[base + j * GROUP + k] * m[uOff + j]
        r[k] = s / N
      }
      for (let j = 0; j < dp; j++) {
        let v = m[outOff + j]
        for (let k = 0; k < GROUP; k++) v += r[k] * m[base + j * GROUP + k]
        m[outOff + j] = v
      }
    }
  }
}

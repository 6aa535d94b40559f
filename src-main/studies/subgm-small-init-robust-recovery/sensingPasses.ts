/**
 * The two loops of a measurement pass over the m packed sensing matrices S_i (n = d(d+1)/2
 * doubles each), in WebAssembly SIMD128 with scalar twins that give the same bits:
 *   dots:    q_i = ⟨S_i, zw⟩ with four partial sums (entries e ≡ 0, 1, 2, 3 mod 4; the last
 *            n mod 4 entries go to the first), combined as ((s0 + s1) + s2) + s3;
 *   addRows: g += Σ_t coef_t·S_{rows_t}, t in order for every entry.
 * One f64x2 holds partial sums 0 and 1 and another 2 and 3, so each lane performs the scalar
 * loop's multiplies and adds in its order (wasm has no fused multiply-add); addRows runs two
 * entries per vector, each entry's sum in order. The S_i live in the memory of their own wasm
 * instance (`sensing` is a view of it); zw, q, g, rows and coef are copied in and out per call
 * (O(n + m) next to the O(nm) work).
 *
 * The module is emitted byte by byte through numeric/wasm-emit.ts (WebAssembly Core
 * Specification 2.0, §5 binary format and the SIMD opcode table).
 */

import {
  BLOCK, BR_IF, END, F64, F64_ADD, F64_LOAD, F64_MUL, F64_STORE, F64X2_ADD, F64X2_MUL, I32, I32_ADD, I32_AND, I32_EQZ, I32_GE_U, I32_LOAD,
  I32_LT_U, I32_MUL, I32_SUB, LOOP, V128, V128_CONST_0, V128_LOAD, V128_LOAD64_SPLAT, V128_STORE, extractLane, get, i32Const,
  instantiate, memarg, set, type FuncSpec,
} from '../../numeric/wasm-emit'

/** `while (cond) body`: cond pushes an i32 (non-zero: run the body), evaluated before each round. */
function whileLoop(cond: number[], body: number[]): number[] {
  return [...BLOCK, ...cond, I32_EQZ, BR_IF, 0, ...LOOP, ...body, ...cond, BR_IF, 0, END, END]
}

/** Measurements per group in `dots` (eight f64x2 chains). */
const DOT_GROUP = 4
/** Rows per sweep of g in `addRows`. */
const ADD_GROUP = 4

// dots(a, zw, q, n, m): parameters 0..4 (i32, addresses in bytes, n and m counts)
function dotsFunc(): FuncSpec {
  const P_A = 0
  const P_Z = 1
  const P_Q = 2
  const P_N = 3
  const P_M = 4
  const L_ROW = 5 // i32: the group's first row
  const L_E = 6 // i32: byte offset within a row
  const L_N4 = 7 // i32: 8·(n − n mod 4)
  const L_NB = 8 // i32: 8·n
  const L_LEFT = 9 // i32: measurements left
  const L_PQ = 10 // i32
  const L_ACC = 11 // v128 × 2·DOT_GROUP: (s0, s1), (s2, s3) per measurement
  const L_Z01 = L_ACC + 2 * DOT_GROUP
  const L_Z23 = L_Z01 + 1
  const L_S = L_Z23 + 1 // f64
  const c: number[] = []
  c.push(...get(P_N), ...i32Const(8), I32_MUL, ...set(L_NB))
  c.push(...get(P_N), ...get(P_N), ...i32Const(3), I32_AND, I32_SUB, ...i32Const(8), I32_MUL, ...set(L_N4))
  c.push(...get(P_A), ...set(L_ROW), ...get(P_Q), ...set(L_PQ), ...get(P_M), ...set(L_LEFT))
  const group = (K: number): number[] => {
    const g: number[] = []
    const rowAddr = (k: number) => [...get(L_ROW), ...(k > 0 ? [...get(L_NB), ...i32Const(k), I32_MUL, I32_ADD] : [])]
    for (let k = 0; k < 2 * K; k++) g.push(...V128_CONST_0, ...set(L_ACC + k))
    g.push(...i32Const(0), ...set(L_E))
    const inner: number[] = []
    inner.push(...get(P_Z), ...get(L_E), I32_ADD, ...V128_LOAD, ...memarg(0), ...set(L_Z01))
    inner.push(...get(P_Z), ...get(L_E), I32_ADD, ...V128_LOAD, ...memarg(16), ...set(L_Z23))
    for (let k = 0; k < K; k++) {
      for (let h = 0; h < 2; h++) {
        inner.push(...get(L_ACC + 2 * k + h), ...rowAddr(k), ...get(L_E), I32_ADD, ...V128_LOAD, ...memarg(16 * h), ...get(h === 0 ? L_Z01 : L_Z23), ...F64X2_MUL, ...F64X2_ADD, ...set(L_ACC + 2 * k + h))
      }
    }
    inner.push(...get(L_E), ...i32Const(32), I32_ADD, ...set(L_E))
    g.push(...whileLoop([...get(L_E), ...get(L_N4), I32_LT_U], inner))
    for (let k = 0; k < K; k++) {
      // s0 with the last n mod 4 entries, then ((s0 + s1) + s2) + s3
      g.push(...get(L_ACC + 2 * k), ...extractLane(0), ...set(L_S))
      g.push(...get(L_N4), ...set(L_E))
      const tail = [...get(L_S), ...rowAddr(k), ...get(L_E), I32_ADD, F64_LOAD, ...memarg(0), ...get(P_Z), ...get(L_E), I32_ADD, F64_LOAD, ...memarg(0), F64_MUL, F64_ADD, ...set(L_S)]
      tail.push(...get(L_E), ...i32Const(8), I32_ADD, ...set(L_E))
      g.push(...whileLoop([...get(L_E), ...get(L_NB), I32_LT_U], tail))
      g.push(...get(L_PQ), ...get(L_S), ...get(L_ACC + 2 * k), ...extractLane(1), F64_ADD)
      g.push(...get(L_ACC + 2 * k + 1), ...extractLane(0), F64_ADD, ...get(L_ACC + 2 * k + 1), ...extractLane(1), F64_ADD, F64_STORE, ...memarg(8 * k))
    }
    g.push(...get(L_ROW), ...get(L_NB), ...i32Const(K), I32_MUL, I32_ADD, ...set(L_ROW))
    g.push(...get(L_PQ), ...i32Const(8 * K), I32_ADD, ...set(L_PQ))
    g.push(...get(L_LEFT), ...i32Const(K), I32_SUB, ...set(L_LEFT))
    return g
  }
  c.push(...whileLoop([...get(L_LEFT), ...i32Const(DOT_GROUP), I32_GE_U], group(DOT_GROUP)))
  c.push(...whileLoop([...get(L_LEFT)], group(1)))
  return {
    name: 'dots',
    params: [I32, I32, I32, I32, I32],
    results: [],
    locals: [
      [6, I32],
      [2 * DOT_GROUP + 2, V128],
      [1, F64],
    ],
    code: c,
  }
}

// addRows(a, g, rows, coef, count, n): parameters 0..5 (i32; addresses in bytes)
function addRowsFunc(): FuncSpec {
  const P_A = 0
  const P_G = 1
  const P_ROWS = 2
  const P_COEF = 3
  const P_COUNT = 4
  const P_N = 5
  const L_NB = 6 // i32: 8·n
  const L_N2 = 7 // i32: 8·(n − n mod 2)
  const L_F = 8 // i32: byte offset within a row
  const L_LEFT = 9 // i32: rows left
  const L_PR = 10 // i32: into rows
  const L_PC = 11 // i32: into coef
  const L_R = 12 // i32 × ADD_GROUP: row addresses
  const L_C = L_R + ADD_GROUP // v128 × ADD_GROUP: splatted coefficients
  const L_V = L_C + ADD_GROUP // v128
  const L_S = L_V + 1 // f64
  const c: number[] = []
  c.push(...get(P_N), ...i32Const(8), I32_MUL, ...set(L_NB))
  c.push(...get(P_N), ...get(P_N), ...i32Const(1), I32_AND, I32_SUB, ...i32Const(8), I32_MUL, ...set(L_N2))
  c.push(...get(P_ROWS), ...set(L_PR), ...get(P_COEF), ...set(L_PC), ...get(P_COUNT), ...set(L_LEFT))
  const group = (K: number): number[] => {
    const g: number[] = []
    for (let k = 0; k < K; k++) {
      g.push(...get(P_A), ...get(L_PR), I32_LOAD, ...memarg(4 * k, 2), ...get(L_NB), I32_MUL, I32_ADD, ...set(L_R + k))
      g.push(...get(L_PC), ...V128_LOAD64_SPLAT, ...memarg(8 * k), ...set(L_C + k))
    }
    g.push(...i32Const(0), ...set(L_F))
    const inner: number[] = [...get(P_G), ...get(L_F), I32_ADD, ...V128_LOAD, ...memarg(0), ...set(L_V)]
    for (let k = 0; k < K; k++) {
      inner.push(...get(L_V), ...get(L_C + k), ...get(L_R + k), ...get(L_F), I32_ADD, ...V128_LOAD, ...memarg(0), ...F64X2_MUL, ...F64X2_ADD, ...set(L_V))
    }
    inner.push(...get(P_G), ...get(L_F), I32_ADD, ...get(L_V), ...V128_STORE, ...memarg(0))
    inner.push(...get(L_F), ...i32Const(16), I32_ADD, ...set(L_F))
    g.push(...whileLoop([...get(L_F), ...get(L_N2), I32_LT_U], inner))
    // an odd n leaves one entry
    const last: number[] = [...get(P_G), ...get(L_F), I32_ADD, F64_LOAD, ...memarg(0), ...set(L_S)]
    for (let k = 0; k < K; k++) {
      last.push(...get(L_S), ...get(L_C + k), ...extractLane(0), ...get(L_R + k), ...get(L_F), I32_ADD, F64_LOAD, ...memarg(0), F64_MUL, F64_ADD, ...set(L_S))
    }
    last.push(...get(P_G), ...get(L_F), I32_ADD, ...get(L_S), F64_STORE, ...memarg(0))
    last.push(...get(L_F), ...i32Const(8), I32_ADD, ...set(L_F))
    g.push(...whileLoop([...get(L_F), ...get(L_NB), I32_LT_U], last))
    g.push(...get(L_PR), ...i32Const(4 * K), I32_ADD, ...set(L_PR))
    g.push(...get(L_PC), ...i32Const(8 * K), I32_ADD, ...set(L_PC))
    g.push(...get(L_LEFT), ...i32Const(K), I32_SUB, ...set(L_LEFT))
    return g
  }
  c.push(...whileLoop([...get(L_LEFT), ...i32Const(ADD_GROUP), I32_GE_U], group(ADD_GROUP)))
  c.push(...whileLoop([...get(L_LEFT)], group(1)))
  return {
    name: 'addRows',
    params: [I32, I32, I32, I32, I32, I32],
    results: [],
    locals: [
      [6 + ADD_GROUP, I32],
      [ADD_GROUP + 1, V128],
      [1, F64],
    ],
    code: c,
  }
}

// ---- the driver -------------------------------------------------------------------------------

type DotsFn = (a: number, zw: number, q: number, n: number, m: number) => void
type AddRowsFn = (a: number, g: number, rows: number, coef: number, count: number, n: number) => void

/** Above this many bytes the matrices stay in a plain array and the scalar loops run. */
const WASM_MAX_BYTES = 2 ** 31

/**
 * The m packed sensing matrices and the two loops over them. `simd` false (or a runtime without
 * WebAssembly SIMD, or numeric/wasm-simd's setWasmSimdEnabled(false)) keeps them in a plain
 * Float64Array and runs the scalar twins.
 */
export class SensingPasses {
  readonly m: number
  readonly n: number
  /** the m packed matrices, one after another (a view of the wasm memory when `simd`) */
  readonly sensing: Float64Array
  readonly simd: boolean
  private readonly f64: Float64Array
  private readonly i32: Int32Array
  /** offsets in doubles (rowsOff in int32s) */
  private readonly zwOff: number
  private readonly qOff: number
  private readonly gOff: number
  private readonly coefOff: number
  private readonly rowsOff: number
  private readonly dotsFn: DotsFn | null
  private readonly addRowsFn: AddRowsFn | null

  constructor(m: number, n: number, simd = true) {
    this.m = m
    this.n = n
    const even = (x: number) => x + (x % 2)
    this.zwOff = even(m * n)
    this.qOff = this.zwOff + even(n)
    this.gOff = this.qOff + even(m)
    this.coefOff = this.gOff + even(n)
    const rowsStart = this.coefOff + even(m) // in doubles
    this.rowsOff = 2 * rowsStart
    const bytes = 8 * rowsStart + 4 * m
    const inst = simd && bytes <= WASM_MAX_BYTES ? instantiate('subgm-small-init-robust-recovery sensing passes', () => [dotsFunc(), addRowsFunc()], Math.ceil(bytes / 8)) : null
    const buffer = inst ? inst.f64.buffer : new ArrayBuffer(Math.ceil(bytes / 8) * 8)
    const dotsFn = inst ? (inst.exports.dots as DotsFn) : null
    const addRowsFn = inst ? (inst.exports.addRows as AddRowsFn) : null
    this.f64 = new Float64Array(buffer, 0, Math.floor(bytes / 8))
    this.i32 = new Int32Array(buffer, 0, Math.floor(bytes / 4))
    this.sensing = this.f64.subarray(0, m * n)
    this.dotsFn = dotsFn
    this.addRowsFn = addRowsFn
    this.simd = dotsFn !== null
  }

  /** q_i = ⟨S_i, zw⟩ for every i. */
  dots(zw: Float64Array, q: Float64Array): void {
    const { f64, n, m, zwOff, qOff } = this
    if (!this.dotsFn) {
      scalarDots(this.sensing, zw, n, m, q)
      return
    }
    f64.set(zw.subarray(0, n), zwOff)
    this.dotsFn(0, 8 * zwOff, 8 * qOff, n, m)
    q.set(f64.subarray(qOff, qOff + m))
  }

  /** g += Σ_{t < count} coef[t]·S_{rows[t]}, t in order for every entry. */
  addRows(g: Float64Array, rows: Int32Array, coef: Float64Array, count: number): void {
    const { f64, i32, n, gOff, coefOff, rowsOff } = this
    if (!this.addRowsFn) {
      scalarAddRows(g, this.sensing, n, rows, coef, count)
      return
    }
    if (count === 0) return
    f64.set(g.subarray(0, n), gOff)
    f64.set(coef.subarray(0, count), coefOff)
    i32.set(rows.subarray(0, count), rowsOff)
    this.addRowsFn(0, 8 * gOff, 4 * rowsOff, 8 * coefOff, count, n)
    g.set(f64.subarray(gOff, gOff + n))
  }
}

/** The scalar twin of `dots`: two measurements at a time (sharing the loads of zw). */
function scalarDots(A: Float64Array, zw: Float64Array, n: number, m: number, q: Float64Array): void {
  const n4 = n - (n % 4)
  let i = 0
  for (; i + 1 < m; i += 2) {
    const o = i * n
    const p = o + n
    let a0 = 0
    let a1 = 0
    let a2 = 0
    let a3 = 0
    let b0 = 0
    let b1 = 0
    let b2 = 0
    let b3 = 0
    let e = 0
    for (; e < n4; e += 4) {
      const z0 = zw[e]
      const z1 = zw[e + 1]
      const z2 = zw[e + 2]
      const z3 = zw[e + 3]
      a0 += A[o + e] * z0
      a1 += A[o + e + 1] * z1
      a2 += A[o + e + 2] * z2
      a3 += A[o + e + 3] * z3
      b0 += A[p + e] * z0
      b1 += A[p + e + 1] * z1
      b2 += A[p + e + 2] * z2
      b3 += A[p + e + 3] * z3
    }
    for (; e < n; e++) {
      a0 += A[o + e] * zw[e]
      b0 += A[p + e] * zw[e]
    }
    q[i] = a0 + a1 + a2 + a3
    q[i + 1] = b0 + b1 + b2 + b3
  }
  if (i < m) {
    const o = i * n
    let a0 = 0
    let a1 = 0
    let a2 = 0
    let a3 = 0
    let e = 0
    for (; e < n4; e += 4) {
      a0 += A[o + e] * zw[e]
      a1 += A[o + e + 1] * zw[e + 1]
      a2 += A[o + e + 2] * zw[e + 2]
      a3 += A[o + e + 3] * zw[e + 3]
    }
    for (; e < n; e++) a0 += A[o + e] * zw[e]
    q[i] = a0 + a1 + a2 + a3
  }
}

/**
 * The scalar twin of `addRows`: four rows per sweep of g, so that g is loaded and stored once per
 * four rows; each entry's sum in t order.
 */
function scalarAddRows(g: Float64Array, A: Float64Array, n: number, rows: Int32Array, coef: Float64Array, count: number): void {
  let t = 0
  for (; t + 3 < count; t += 4) {
    const c0 = coef[t]
    const c1 = coef[t + 1]
    const c2 = coef[t + 2]
    const c3 = coef[t + 3]
    const o0 = rows[t] * n
    const o1 = rows[t + 1] * n
    const o2 = rows[t + 2] * n
    const o3 = rows[t + 3] * n
    for (let f = 0; f < n; f++) {
      let v = g[f]
      v += c0 * A[o0 + f]
      v += c1 * A[o1 + f]
      v += c2 * A[o2 + f]
      v += c3 * A[o3 + f]
      g[f] = v
    }
  }
  for (; t < count; t++) {
    const c = coef[t]
    const o = rows[t] * n
    for (let f = 0; f < n; f++) g[f] += c * A[o + f]
  }
}

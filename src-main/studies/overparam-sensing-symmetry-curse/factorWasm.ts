/**
 * One GD step in WebAssembly SIMD128 (module emitted here per factor width k, with the k-loops
 * unrolled): Z = FGᵀ, S = Z − M*, Σ(Z − M*)², the weights ηS (or η(S + Sᵀ)) and the row updates
 * X − W·B of symmetricStep / asymmetricStep. In sensing mode the residual matrix S is formed in
 * between by the sensing pass and the weights are taken from it. The factors live in the
 * instance's memory; the solver reads them through Float64Array views.
 *
 * Bit-identical to the JavaScript path (productFGt, residualMatrix, sumSquaredResidual,
 * symmetricStep, asymmetricStep): every entry of Z is Σ_l F_il·G_jl from 0 in l order, with two
 * entries (j, j+1) in the lanes of one f64x2; Σ(Z − M*)² keeps sumSquaredResidual's two sums
 * (even and odd columns: the lanes); every entry of X − W·B subtracts W_ij·B_jl for j in order,
 * with two rows of X in the lanes; wasm has no fused multiply-add. A test checks the two paths.
 */
import {
  BLOCK, BR, BR_IF, Code, END, F64, F64_ADD, F64_CONST_0, F64_LOAD, F64_MUL, F64_STORE, F64_SUB, F64X2_ADD, F64X2_MUL, F64X2_SPLAT,
  F64X2_SUB, I32, I32_ADD, I32_AND, I32_GE_U, I32_GT_U, I32_MUL, I32_SHL, I32_SHR_U, LOOP, V128, V128_CONST_0, V128_LOAD,
  V128_LOAD64_SPLAT, V128_STORE, extractLane, get, i32Const, instantiate, memarg, replaceLane, set, type FuncSpec,
} from '../../numeric/wasm-emit'

/** Widths up to this use the kernel (2k + 2 f64x2 registers at most in the update loop). */
export const FACTOR_WASM_MAX_K = 12

const loop = (c: Code, cond: number[][], body: number[][]): void => {
  c.emit(BLOCK, LOOP, ...cond, [BR_IF, 1], ...body, [BR, 0, END, END])
}

/**
 * resid(f, g, gtp, mstar, z, s, w, wt, n, eta) → Σ(Z − M*)²: Z = FGᵀ, S = Z − M*; when `weights`
 * (the asymmetric step) also W = ηS and Wᵀ. gtp is scratch for G in pairs of rows, transposed:
 * gtp[(j >> 1)·2k + 2l + (j & 1)] = G_jl, so that G_jl, G_(j+1)l is one load.
 */
function residFunc(k: number, weights: boolean): FuncSpec {
  const [F, G, GTP, MS, Z, S, W, WT, N, ETA] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]
  // i32 locals
  const [I, J, NB, PAIRB, ROW, FI, GP, WTP] = [10, 11, 12, 13, 14, 15, 16, 17]
  // f64 locals
  const [T, D] = [18, 19]
  // v128 locals
  const [ACC, DV, SS, EV] = [20, 21, 22, 23]
  const FV = 24 // k splatted F_il
  const c = new Code()
  c.emit(get(N), i32Const(3), [I32_SHL], set(NB))
  c.emit(get(N), i32Const(1), [I32_SHR_U], i32Const(4), [I32_SHL], set(PAIRB))
  c.emit(get(ETA), F64X2_SPLAT, set(EV), V128_CONST_0, set(SS))
  // gtp from G: row j of G (k entries) to gtp + ((j >> 1)·2k + (j & 1))·8, stride 16
  c.emit(i32Const(0), set(J))
  loop(c, [get(J), get(N), [I32_GE_U]], [
    get(GTP), get(J), i32Const(1), [I32_SHR_U], i32Const(16 * k), [I32_MUL, I32_ADD], get(J), i32Const(1), [I32_AND], i32Const(3), [I32_SHL, I32_ADD], set(GP),
    get(G), get(J), i32Const(8 * k), [I32_MUL, I32_ADD], set(FI),
    ...Array.from({ length: k }, (_, l) => [...get(GP), ...get(FI), F64_LOAD, ...memarg(8 * l), F64_STORE, ...memarg(16 * l)]),
    get(J), i32Const(1), [I32_ADD], set(J),
  ])
  c.emit(i32Const(0), set(I))
  const rowBody: number[][] = [
    get(F), get(I), i32Const(8 * k), [I32_MUL, I32_ADD], set(FI),
    ...Array.from({ length: k }, (_, l) => [...get(FI), ...V128_LOAD64_SPLAT, ...memarg(8 * l), ...set(FV + l)]),
    get(I), get(NB), [I32_MUL], set(ROW),
    get(GTP), set(GP),
    // row i of W goes down column i of Wᵀ: wt + 8i, then a row of Wᵀ (n·8 bytes) per column j
    get(WT), get(I), i32Const(3), [I32_SHL, I32_ADD], set(WTP),
    i32Const(0), set(J),
  ]
  // pairs (j, j+1)
  const pair: number[][] = [V128_CONST_0, set(ACC)]
  for (let l = 0; l < k; l++) pair.push(get(ACC), get(FV + l), get(GP), V128_LOAD, memarg(16 * l), F64X2_MUL, F64X2_ADD, set(ACC))
  pair.push(get(Z), get(ROW), [I32_ADD], get(J), [I32_ADD], get(ACC), V128_STORE, memarg())
  pair.push(get(ACC), get(MS), get(ROW), [I32_ADD], get(J), [I32_ADD], V128_LOAD, memarg(), F64X2_SUB, set(DV))
  pair.push(get(S), get(ROW), [I32_ADD], get(J), [I32_ADD], get(DV), V128_STORE, memarg())
  pair.push(get(SS), get(DV), get(DV), F64X2_MUL, F64X2_ADD, set(SS))
  if (weights) {
    pair.push(get(DV), get(EV), F64X2_MUL, set(DV))
    pair.push(get(W), get(ROW), [I32_ADD], get(J), [I32_ADD], get(DV), V128_STORE, memarg())
    pair.push(get(WTP), get(DV), extractLane(0), [F64_STORE], memarg(), get(WTP), get(NB), [I32_ADD], set(WTP))
    pair.push(get(WTP), get(DV), extractLane(1), [F64_STORE], memarg(), get(WTP), get(NB), [I32_ADD], set(WTP))
  }
  pair.push(get(GP), i32Const(16 * k), [I32_ADD], set(GP), get(J), i32Const(16), [I32_ADD], set(J))
  // an odd last column: one entry, its square into the even-column sum (lane 0)
  const tail: number[][] = [BLOCK, get(J), get(NB), [I32_GE_U, BR_IF, 0], F64_CONST_0, set(T)]
  for (let l = 0; l < k; l++) tail.push(get(T), get(FI), [F64_LOAD], memarg(8 * l), get(GP), [F64_LOAD], memarg(16 * l), [F64_MUL, F64_ADD], set(T))
  tail.push(get(Z), get(ROW), [I32_ADD], get(J), [I32_ADD], get(T), [F64_STORE], memarg())
  tail.push(get(T), get(MS), get(ROW), [I32_ADD], get(J), [I32_ADD, F64_LOAD], memarg(), [F64_SUB], set(D))
  tail.push(get(S), get(ROW), [I32_ADD], get(J), [I32_ADD], get(D), [F64_STORE], memarg())
  tail.push(get(SS), V128_CONST_0, get(D), get(D), [F64_MUL], replaceLane(0), F64X2_ADD, set(SS))
  if (weights) {
    tail.push(get(ETA), get(D), [F64_MUL], set(D))
    tail.push(get(W), get(ROW), [I32_ADD], get(J), [I32_ADD], get(D), [F64_STORE], memarg())
    tail.push(get(WTP), get(D), [F64_STORE], memarg())
  }
  tail.push([END])
  const pairLoop = new Code()
  loop(pairLoop, [get(J), get(PAIRB), [I32_GE_U]], pair)
  loop(c, [get(I), get(N), [I32_GE_U]], [...rowBody, pairLoop.bytes, ...tail, get(I), i32Const(1), [I32_ADD], set(I)])
  c.emit(get(SS), extractLane(0), get(SS), extractLane(1), [F64_ADD])
  return {
    name: weights ? 'residW' : 'resid',
    params: [I32, I32, I32, I32, I32, I32, I32, I32, I32, F64],
    results: [F64],
    locals: [
      [8, I32],
      [2, F64],
      [4 + k, V128],
    ],
    code: c.bytes,
  }
}

/** symWeights(s, w, n, eta): W_ij = W_ji = η(S_ij + S_ji) (the sum commutes: W is exactly symmetric). */
function symWeightsFunc(): FuncSpec {
  const [S, W, N, ETA] = [0, 1, 2, 3]
  const [I, J, NB, A, B] = [4, 5, 6, 7, 8]
  const V = 9
  const c = new Code()
  c.emit(get(N), i32Const(3), [I32_SHL], set(NB), i32Const(0), set(I))
  // a = (i·n + j)·8, b = (j·n + i)·8 for j = i … n − 1
  const inner = new Code()
  loop(inner, [get(J), get(N), [I32_GE_U]], [
    get(ETA), get(S), get(A), [I32_ADD, F64_LOAD], memarg(), get(S), get(B), [I32_ADD, F64_LOAD], memarg(), [F64_ADD, F64_MUL], set(V),
    get(W), get(A), [I32_ADD], get(V), [F64_STORE], memarg(),
    get(W), get(B), [I32_ADD], get(V), [F64_STORE], memarg(),
    get(A), i32Const(8), [I32_ADD], set(A), get(B), get(NB), [I32_ADD], set(B), get(J), i32Const(1), [I32_ADD], set(J),
  ])
  loop(c, [get(I), get(N), [I32_GE_U]], [
    get(I), set(J), get(I), get(NB), [I32_MUL], get(I), i32Const(3), [I32_SHL, I32_ADD], set(A), get(A), set(B),
    inner.bytes,
    get(I), i32Const(1), [I32_ADD], set(I),
  ])
  return { name: 'symWeights', params: [I32, I32, I32, F64], results: [], locals: [[5, I32], [1, F64]], code: c.bytes }
}

/** asymWeights(s, w, wt, n, eta): W = ηS and Wᵀ (for a residual S formed elsewhere: sensing mode). */
function asymWeightsFunc(): FuncSpec {
  const [S, W, WT, N, ETA] = [0, 1, 2, 3, 4]
  const [I, J, NB, A, B] = [5, 6, 7, 8, 9]
  const V = 10
  const c = new Code()
  c.emit(get(N), i32Const(3), [I32_SHL], set(NB), i32Const(0), set(I), i32Const(0), set(A))
  // a = (i·n + j)·8 runs through S row by row, b = (j·n + i)·8 down column i of Wᵀ
  const inner = new Code()
  loop(inner, [get(J), get(N), [I32_GE_U]], [
    get(ETA), get(S), get(A), [I32_ADD, F64_LOAD], memarg(), [F64_MUL], set(V),
    get(W), get(A), [I32_ADD], get(V), [F64_STORE], memarg(),
    get(WT), get(B), [I32_ADD], get(V), [F64_STORE], memarg(),
    get(A), i32Const(8), [I32_ADD], set(A), get(B), get(NB), [I32_ADD], set(B), get(J), i32Const(1), [I32_ADD], set(J),
  ])
  loop(c, [get(I), get(N), [I32_GE_U]], [get(I), i32Const(3), [I32_SHL], set(B), i32Const(0), set(J), inner.bytes, get(I), i32Const(1), [I32_ADD], set(I)])
  return { name: 'asymWeights', params: [I32, I32, I32, I32, F64], results: [], locals: [[5, I32], [1, F64]], code: c.bytes }
}

/**
 * update(out, base, b, v, n): out = base − V·B over n rows of k, the weights of rows r, r+1 at
 * v[t·n + r], v[t·n + r + 1] for t = 0 … n−1 (W for the symmetric and the G step, Wᵀ for the F step).
 */
function updateFunc(k: number): FuncSpec {
  const [OUT, BASE, B, V, N] = [0, 1, 2, 3, 4]
  const [R, T, NB, BP, VP, XR] = [5, 6, 7, 8, 9, 10]
  const A = 11 // k f64 (the odd last row)
  const WV = 11 + k
  const ACC = WV + 1 // k v128
  const c = new Code()
  const kb = 8 * k
  c.emit(get(N), i32Const(3), [I32_SHL], set(NB), i32Const(0), set(R))
  // row pairs while r + 2 ≤ n
  const init: number[][] = [get(BASE), get(R), i32Const(kb), [I32_MUL, I32_ADD], set(XR)]
  for (let l = 0; l < k; l++) init.push(get(XR), V128_LOAD64_SPLAT, memarg(8 * l), get(XR), [F64_LOAD], memarg(kb + 8 * l), replaceLane(1), set(ACC + l))
  init.push(get(B), set(BP), get(V), get(R), i32Const(3), [I32_SHL, I32_ADD], set(VP), i32Const(0), set(T))
  const body: number[][] = [get(VP), V128_LOAD, memarg(), set(WV)]
  for (let l = 0; l < k; l++) body.push(get(ACC + l), get(WV), get(BP), V128_LOAD64_SPLAT, memarg(8 * l), F64X2_MUL, F64X2_SUB, set(ACC + l))
  body.push(get(VP), get(NB), [I32_ADD], set(VP), get(BP), i32Const(kb), [I32_ADD], set(BP), get(T), i32Const(1), [I32_ADD], set(T))
  const tLoop = new Code()
  loop(tLoop, [get(T), get(N), [I32_GE_U]], body)
  const store: number[][] = [get(OUT), get(R), i32Const(kb), [I32_MUL, I32_ADD], set(XR)]
  for (let l = 0; l < k; l++) store.push(get(XR), get(ACC + l), extractLane(0), [F64_STORE], memarg(8 * l), get(XR), get(ACC + l), extractLane(1), [F64_STORE], memarg(kb + 8 * l))
  loop(c, [get(R), i32Const(2), [I32_ADD], get(N), [I32_GT_U]], [...init, tLoop.bytes, ...store, get(R), i32Const(2), [I32_ADD], set(R)])
  // an odd last row
  const last: number[][] = [BLOCK, get(R), get(N), [I32_GE_U, BR_IF, 0], get(BASE), get(R), i32Const(kb), [I32_MUL, I32_ADD], set(XR)]
  for (let l = 0; l < k; l++) last.push(get(XR), [F64_LOAD], memarg(8 * l), set(A + l))
  last.push(get(B), set(BP), get(V), get(R), i32Const(3), [I32_SHL, I32_ADD], set(VP), i32Const(0), set(T))
  const lbody: number[][] = []
  for (let l = 0; l < k; l++) lbody.push(get(A + l), get(VP), [F64_LOAD], memarg(), get(BP), [F64_LOAD], memarg(8 * l), [F64_MUL, F64_SUB], set(A + l))
  lbody.push(get(VP), get(NB), [I32_ADD], set(VP), get(BP), i32Const(kb), [I32_ADD], set(BP), get(T), i32Const(1), [I32_ADD], set(T))
  const lLoop = new Code()
  loop(lLoop, [get(T), get(N), [I32_GE_U]], lbody)
  last.push(lLoop.bytes, get(OUT), get(R), i32Const(kb), [I32_MUL, I32_ADD], set(XR))
  for (let l = 0; l < k; l++) last.push(get(XR), get(A + l), [F64_STORE], memarg(8 * l))
  last.push([END])
  c.emit(...last)
  return { name: 'update', params: [I32, I32, I32, I32, I32], results: [], locals: [[6, I32], [k, F64], [1 + k, V128]], code: c.bytes }
}

/** The kernel of one run: views of the factors (swapped by each step), Z and S, and the calls. */
export class FactorKernel {
  F: Float64Array
  G: Float64Array
  readonly Z: Float64Array
  readonly S: Float64Array
  private fOff: [number, number]
  private gOff: [number, number]
  private cur = 0

  private constructor(
    private readonly buf: Float64Array,
    private readonly ex: Record<string, (...args: number[]) => number>,
    private readonly n: number,
    private readonly k: number,
    private readonly symmetric: boolean,
    private readonly off: { gtp: number; ms: number; z: number; s: number; w: number; wt: number },
    fOff: [number, number],
    gOff: [number, number],
  ) {
    this.fOff = fOff
    this.gOff = gOff
    this.F = buf.subarray(fOff[0], fOff[0] + n * k)
    this.G = symmetric ? this.F : buf.subarray(gOff[0], gOff[0] + n * k)
    this.Z = buf.subarray(off.z, off.z + n * n)
    this.S = buf.subarray(off.s, off.s + n * n)
  }

  /** A kernel holding copies of M*, F0 and (asymmetric) G0, or null (k too wide, or no SIMD). */
  static create(Mstar: Float64Array, n: number, k: number, F0: Float64Array, G0: Float64Array | null): FactorKernel | null {
    if (k > FACTOR_WASM_MAX_K) return null
    const nk = n * k
    const nn = n * n
    const f: [number, number] = [0, nk]
    const g: [number, number] = [2 * nk, 3 * nk]
    const gtp = 4 * nk
    const ms = gtp + ((n + 1) >> 1) * 2 * k
    const off = { gtp, ms, z: ms + nn, s: ms + 2 * nn, w: ms + 3 * nn, wt: ms + 4 * nn }
    const inst = instantiate(`overparam-sensing factor k=${k}`, () => [residFunc(k, false), residFunc(k, true), symWeightsFunc(), asymWeightsFunc(), updateFunc(k)], off.wt + nn)
    if (inst === null) return null
    const buf = inst.f64
    buf.set(Mstar.subarray(0, nn), ms)
    buf.set(F0.subarray(0, nk), f[0])
    if (G0) buf.set(G0.subarray(0, nk), g[0])
    return new FactorKernel(buf, inst.exports as Record<string, (...args: number[]) => number>, n, k, G0 === null, off, f, g)
  }

  /** Z = FGᵀ, S = Z − M* and, for the next step, its weights; returns Σ(Z − M*)². */
  residual(eta: number): number {
    const { off, n } = this
    const f = this.fOff[this.cur] * 8
    if (this.symmetric) {
      const ss = this.ex.resid(f, f, off.gtp * 8, off.ms * 8, off.z * 8, off.s * 8, off.w * 8, off.wt * 8, n, eta)
      this.ex.symWeights(off.s * 8, off.w * 8, n, eta)
      return ss
    }
    const g = this.gOff[this.cur] * 8
    return this.ex.residW(f, g, off.gtp * 8, off.ms * 8, off.z * 8, off.s * 8, off.w * 8, off.wt * 8, n, eta)
  }

  /**
   * Replace the weights by those of the residual matrix now in S (sensing mode writes its S there
   * after residual(), whose Z − M* weights it supersedes).
   */
  weights(eta: number): void {
    const { off, n } = this
    if (this.symmetric) this.ex.symWeights(off.s * 8, off.w * 8, n, eta)
    else this.ex.asymWeights(off.s * 8, off.w * 8, off.wt * 8, n, eta)
  }

  /** The GD step with the weights of the last residual (at the current, possibly rebalanced, F and G). */
  step(): void {
    const { off, n, k } = this
    const next = 1 - this.cur
    const f = this.fOff[this.cur] * 8
    const fn = this.fOff[next] * 8
    if (this.symmetric) {
      this.ex.update(fn, f, f, off.w * 8, n)
    } else {
      const g = this.gOff[this.cur] * 8
      this.ex.update(fn, f, g, off.wt * 8, n)
      this.ex.update(this.gOff[next] * 8, g, f, off.w * 8, n)
    }
    this.cur = next
    this.F = this.buf.subarray(this.fOff[next], this.fOff[next] + n * k)
    this.G = this.symmetric ? this.F : this.buf.subarray(this.gOff[next], this.gOff[next] + n * k)
  }
}

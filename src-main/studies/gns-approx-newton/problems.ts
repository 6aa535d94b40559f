/**
 * The two test problems of the study, as objectives with value, gradient, and exact or
 * approximate Hessian oracles over preallocated scratch (no allocation per call).
 *
 * (1) Softmax / log-sum-exp, as in the repository's `create_log_sum_exp_zero_oracle`:
 *     f(x) = μ·log Σ_i exp((⟨a_i, x⟩ − b_i)/μ), rows shifted a_i ← a_i − ∇f(0) so that x* = 0
 *     and f* = f(0) exactly. Hessian (1/μ)(Aᵀdiag(π)A − ggᵀ); weighted Gauss–Newton drops −ggᵀ/μ.
 * (2) ℓ2-regularised logistic regression in margin form (this study's construction):
 *     f(x) = (1/m)Σ_i log(1 + exp(−⟨a_i, x⟩)) + (reg/2)‖x‖², a_i = y_i·z_i. Exact Hessian
 *     Aᵀdiag(s(1−s))A/m + reg·I; empirical Fisher Aᵀdiag((1−s)²)A/m + reg·I, s = σ(⟨a_i, x⟩).
 */
import { gemm, gemmStrided } from '../../numeric/dense'
import type { Rng } from '../../numeric/rng'
import { backSolveInPlace, choleskyInto, forwardSolveInPlace } from './cholesky'
import { WasmSoftmax } from './wasmKernels'

/** 'exact' = ∇²f; 'approx' = the problem's Hessian model (WGN for softmax, Fisher for logistic). */
export type HessianModel = 'exact' | 'approx'

export interface Objective {
  readonly n: number
  /** the optimal value, exact to rounding (softmax: f(0) after the shift; logistic: Newton's) */
  readonly fStar: number
  readonly x0: Float64Array
  value(x: Float64Array): number
  /** f(x), writing ∇f(x) into g */
  valueAndGradient(x: Float64Array, g: Float64Array): number
  /** writes the full symmetric n×n exact Hessian or Hessian model at x into H */
  hessian(x: Float64Array, model: HessianModel, H: Float64Array): void
  /** the metric B = AᵀA of the problem's (unshifted) data matrix, plus ε·I when m < n */
  gram(eps: number): Float64Array
}

/** Scratch for weightedGram's row-scaled copy of A, grown on demand (no allocation per call). */
let scaledRows = new Float64Array(0)

/**
 * H = scale·Σ_i w_i a_i a_iᵀ over the rows of A (m×n), as one product (diag(w)·A)ᵀ·A through the
 * numeric core's packed gemm (WebAssembly SIMD where available, bit-identical to its scalar
 * kernel): the full n×n product costs twice the multiply-adds of one triangle but runs several
 * times faster than rank-four updates in plain JavaScript. The upper triangle is then mirrored,
 * so H is exactly symmetric.
 */
export function weightedGram(
  A: Float64Array,
  w: Float64Array,
  m: number,
  n: number,
  scale: number,
  H: Float64Array,
): void {
  if (scaledRows.length < m * n) scaledRows = new Float64Array(m * n)
  const WA = scaledRows
  for (let i = 0; i < m; i++) {
    const wi = w[i]
    const ri = i * n
    for (let j = 0; j < n; j++) WA[ri + j] = wi * A[ri + j]
  }
  // H = scale·(WA)ᵀ·A (WA is stored m×n, so op = transpose)
  gemm(true, false, n, n, m, scale, WA, A, 0, H)
  mirrorUpper(H, n)
}

/**
 * The upper triangle (and diagonal blocks) of scale·WᵀA for W, A stored k×n: rows [0, h) over all
 * n columns and rows [h, n) over columns [h, n), as two packed gemm calls (h = n/2 rounded to a
 * multiple of 4): three quarters of the full product's work. Each entry is the same sum as in the
 * full product, so the upper triangle is the same to the bit; the lower triangle of the bottom-left
 * block is left as zeros (callers mirror the upper triangle).
 */
function upperGram(W: Float64Array, A: Float64Array, k: number, n: number, scale: number, H: Float64Array): void {
  const h = Math.min(n, 4 * Math.ceil(n / 8))
  H.fill(0, 0, n * n)
  // rows [0, h): op(W)[i][p] = W[p·n + i] (row stride 1, depth stride n); op(A)[p][j] = A[p·n + j]
  gemmStrided(h, n, k, scale, W, 0, 1, n, A, 0, n, 1, H, 0, n)
  if (h < n) gemmStrided(n - h, n - h, k, scale, W, h, 1, n, A, h, n, 1, H, h * n + h, n)
}

/** Copy the strict upper triangle of the n×n matrix H onto the lower one (H exactly symmetric). */
function mirrorUpper(H: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) for (let k = j + 1; k < n; k++) H[k * n + j] = H[j * n + k]
}

function gramOf(A: Float64Array, m: number, n: number, eps: number): Float64Array {
  const ones = new Float64Array(m).fill(1)
  const B = new Float64Array(n * n)
  weightedGram(A, ones, m, n, 1, B)
  if (m < n) for (let j = 0; j < n; j++) B[j * n + j] += eps
  return B
}

// ---------------------------------------------------------------- softmax / log-sum-exp

export interface SoftmaxData {
  m: number
  n: number
  mu: number
  /** unshifted A (m×n), entries U[−1, 1] */
  A: Float64Array
  b: Float64Array
}

/** Draw A and b with i.i.d. U[−1, 1] entries (A row-major first, then b). */
export function drawSoftmaxData(rng: Rng, m: number, n: number, mu: number): SoftmaxData {
  const A = new Float64Array(m * n)
  for (let i = 0; i < A.length; i++) A[i] = rng.uniformIn(-1, 1)
  const b = new Float64Array(m)
  for (let i = 0; i < m; i++) b[i] = rng.uniformIn(-1, 1)
  return { m, n, mu, A, b }
}

export class SoftmaxObjective implements Objective {
  readonly n: number
  readonly m: number
  readonly mu: number
  /** the shifted rows a_i − ∇f(0) (the first m rows of `AsG`) */
  readonly As: Float64Array
  readonly b: Float64Array
  readonly fStar: number
  readonly x0: Float64Array
  /** ∇f(0) of the unshifted problem (the shift) */
  readonly shift: Float64Array
  private readonly A: Float64Array
  private readonly z: Float64Array
  /** π (a view of the wasm kernels' memory once they exist) */
  private pi: Float64Array
  /**
   * The exact Hessian as one product: AsG is As with one more row, ∇f(x) (written by `hessian`),
   * and WG is the π-scaled rows of As with −∇f(x) as its last row, so that
   * (1/μ)·WGᵀ·AsG = (1/μ)(Asᵀdiag(π)As − ggᵀ), the rank-one term entering each entry's sum last.
   */
  private readonly AsG: Float64Array
  private WG: Float64Array | null = null
  /** the products with As in WebAssembly SIMD, As resident in its memory (null: the JavaScript paths) */
  private readonly kern: WasmSoftmax | null

  constructor(data: SoftmaxData) {
    const { m, n, mu, A, b } = data
    this.m = m
    this.n = n
    this.mu = mu
    this.A = A
    this.b = b
    this.z = new Float64Array(m)
    this.pi = new Float64Array(m)
    this.AsG = new Float64Array((m + 1) * n)
    // ∇f(0) with the unshifted rows: Aᵀπ(0), π(0) = softmax(−b/μ).
    this.As = A
    const zero = new Float64Array(n)
    this.shift = new Float64Array(n)
    this.valueAndGradient(zero, this.shift)
    const As = this.AsG.subarray(0, m * n)
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) As[i * n + j] = A[i * n + j] - this.shift[j]
    this.As = As
    this.kern = WasmSoftmax.create(As, m, n)
    if (this.kern) this.pi = this.kern.pi.subarray(0, m)
    // The softmax weights at 0 do not depend on A, so ∇f(0) = 0 after the shift: x* = 0.
    this.fStar = this.value(zero)
    this.x0 = new Float64Array(n).fill(1)
  }

  /** z_i = (⟨a_i, x⟩ − b_i)/μ and π = softmax(z) with the maximum subtracted; returns f. */
  private weights(x: Float64Array): number {
    const { m, n, mu, As, b, z, pi, kern } = this
    let zmax = -Infinity
    if (kern) {
      // the same sums in the wasm kernel (each over j in order from 0)
      kern.x.set(x)
      kern.rowDots()
      const s = kern.s
      for (let i = 0; i < m; i++) z[i] = (s[i] - b[i]) / mu
    }
    // ⟨a_i, x⟩ for four rows at a time: four independent sums (each over j in order, the same
    // bits as one row at a time) sharing each load of x_j
    let i = kern ? m : 0
    for (; i + 3 < m; i += 4) {
      const r0 = i * n
      const r1 = r0 + n
      const r2 = r1 + n
      const r3 = r2 + n
      let s0 = 0
      let s1 = 0
      let s2 = 0
      let s3 = 0
      for (let j = 0; j < n; j++) {
        const xj = x[j]
        s0 += As[r0 + j] * xj
        s1 += As[r1 + j] * xj
        s2 += As[r2 + j] * xj
        s3 += As[r3 + j] * xj
      }
      z[i] = (s0 - b[i]) / mu
      z[i + 1] = (s1 - b[i + 1]) / mu
      z[i + 2] = (s2 - b[i + 2]) / mu
      z[i + 3] = (s3 - b[i + 3]) / mu
    }
    for (; i < m; i++) {
      const ri = i * n
      let s = 0
      for (let j = 0; j < n; j++) s += As[ri + j] * x[j]
      z[i] = (s - b[i]) / mu
    }
    for (let r = 0; r < m; r++) if (z[r] > zmax) zmax = z[r]
    let sum = 0
    for (let i = 0; i < m; i++) {
      const e = Math.exp(z[i] - zmax)
      pi[i] = e
      sum += e
    }
    const inv = 1 / sum
    for (let i = 0; i < m; i++) pi[i] *= inv
    return mu * (zmax + Math.log(sum))
  }

  value(x: Float64Array): number {
    return this.weights(x)
  }

  valueAndGradient(x: Float64Array, g: Float64Array): number {
    const f = this.weights(x)
    const { m, n, As, pi, kern } = this
    if (kern && pi.every((p) => p !== 0)) {
      // every row enters in order, so the sums are the wasm kernel's (rows in order from 0)
      kern.weightedRowSum()
      g.set(kern.g.subarray(0, n))
      return f
    }
    g.fill(0)
    // g = Σ_i π_i a_i over the rows with π_i ≠ 0, in order, four rows per sweep of g (the same
    // sums as one row at a time)
    let i = 0
    for (;;) {
      while (i < m && pi[i] === 0) i++
      if (i + 3 >= m) break
      if (pi[i + 1] === 0 || pi[i + 2] === 0 || pi[i + 3] === 0) {
        const ri = i * n
        const p = pi[i]
        for (let j = 0; j < n; j++) g[j] += p * As[ri + j]
        i++
        continue
      }
      const p0 = pi[i]
      const p1 = pi[i + 1]
      const p2 = pi[i + 2]
      const p3 = pi[i + 3]
      const r0 = i * n
      const r1 = r0 + n
      const r2 = r1 + n
      const r3 = r2 + n
      for (let j = 0; j < n; j++) {
        let v = g[j]
        v += p0 * As[r0 + j]
        v += p1 * As[r1 + j]
        v += p2 * As[r2 + j]
        v += p3 * As[r3 + j]
        g[j] = v
      }
      i += 4
    }
    for (; i < m; i++) {
      const p = pi[i]
      if (p === 0) continue
      const ri = i * n
      for (let j = 0; j < n; j++) g[j] += p * As[ri + j]
    }
    return f
  }

  /**
   * H = (1/μ)·WGᵀ·AsG through the numeric core's packed gemm (see weightedGram): k = m + 1 rows
   * for the exact Hessian (the −ggᵀ/μ row last), k = m for the weighted Gauss–Newton model.
   */
  hessian(x: Float64Array, model: HessianModel, H: Float64Array): void {
    const { m, n, mu, pi, As, AsG, kern } = this
    const g = AsG.subarray(m * n)
    this.valueAndGradient(x, g)
    const exact = model === 'exact'
    const k = exact ? m + 1 : m
    if (kern) {
      // W = (1/μ)·WG written in the kernel's memory (the gemm path's packing computes the same
      // products: 1/μ times (π_i·a_ij)) from π there; g into the last row of its A
      const { W, A: KA, stride } = kern
      const c = 1 / mu
      kern.scaleRows(c)
      if (exact) {
        for (let j = 0; j < n; j++) W[m * stride + j] = c * -g[j]
        KA.set(g, m * stride)
      }
      kern.symmetricProduct(k, H)
      return
    }
    const WG = (this.WG ??= new Float64Array((m + 1) * n))
    for (let i = 0; i < m; i++) {
      const p = pi[i]
      const ri = i * n
      for (let j = 0; j < n; j++) WG[ri + j] = p * As[ri + j]
    }
    if (exact) for (let j = 0; j < n; j++) WG[m * n + j] = -g[j]
    upperGram(WG, AsG, k, n, 1 / mu, H)
    mirrorUpper(H, n)
  }

  gram(eps: number): Float64Array {
    return gramOf(this.A, this.m, this.n, eps)
  }
}

// ---------------------------------------------------------------- logistic regression

export interface LogisticData {
  m: number
  n: number
  reg: number
  /** margin-form rows a_i = y_i·z_i (m×n) */
  A: Float64Array
  /** the ±1 labels after flipping */
  y: Float64Array
  /** indices of the flipped labels */
  flipped: Int32Array
  /** per-feature scales e^{U[−r, r]} */
  scales: Float64Array
}

/**
 * This study's logistic instance (the spec's open point; see README): raw features N(0, 1),
 * each feature (column) scaled by e^{U[−r, r]}; a Gaussian teacher w* ~ N(0, I) labels the scaled
 * features by sign(⟨z_i, w*⟩); then exactly round(p·m) labels, chosen uniformly, are flipped.
 * Draw order: features, scales, teacher, flip permutation.
 */
export function drawLogisticData(rng: Rng, m: number, n: number, scaleRange: number, flip: number, reg: number): LogisticData {
  const Z = new Float64Array(m * n)
  for (let i = 0; i < Z.length; i++) Z[i] = rng.normal()
  const scales = new Float64Array(n)
  for (let j = 0; j < n; j++) scales[j] = Math.exp(rng.uniformIn(-scaleRange, scaleRange))
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) Z[i * n + j] *= scales[j]
  const teacher = new Float64Array(n)
  for (let j = 0; j < n; j++) teacher[j] = rng.normal()
  const y = new Float64Array(m)
  for (let i = 0; i < m; i++) {
    let s = 0
    for (let j = 0; j < n; j++) s += Z[i * n + j] * teacher[j]
    y[i] = s >= 0 ? 1 : -1
  }
  const nFlip = Math.round(flip * m)
  const perm = rng.permutation(m)
  const flipped = perm.slice(0, nFlip).sort()
  for (const i of flipped) y[i] = -y[i]
  const A = new Float64Array(m * n)
  for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) A[i * n + j] = y[i] * Z[i * n + j]
  return { m, n, reg, A, y, flipped, scales }
}

/** log(1 + e^t) without overflow. */
export function softplus(t: number): number {
  return t > 0 ? t + Math.log1p(Math.exp(-t)) : Math.log1p(Math.exp(t))
}

/** σ(t) = 1/(1 + e^{−t}) without overflow. */
export function sigmoid(t: number): number {
  if (t >= 0) return 1 / (1 + Math.exp(-t))
  const e = Math.exp(t)
  return e / (1 + e)
}

export class LogisticObjective implements Objective {
  readonly n: number
  readonly m: number
  readonly reg: number
  readonly A: Float64Array
  readonly x0: Float64Array
  readonly fStar: number
  /** Newton iterations and final ‖∇f‖ of the f* computation */
  readonly fStarNewton: { iterations: number; gradNorm: number }
  private readonly t: Float64Array
  private readonly w: Float64Array

  constructor(data: LogisticData) {
    this.m = data.m
    this.n = data.n
    this.reg = data.reg
    this.A = data.A
    this.t = new Float64Array(data.m)
    this.w = new Float64Array(data.m)
    this.x0 = new Float64Array(data.n)
    const { fStar, iterations, gradNorm } = this.solveForOptimum()
    this.fStar = fStar
    this.fStarNewton = { iterations, gradNorm }
  }

  /** margins t_i = ⟨a_i, x⟩ */
  private margins(x: Float64Array): void {
    const { m, n, A, t } = this
    for (let i = 0; i < m; i++) {
      const ri = i * n
      let s = 0
      for (let j = 0; j < n; j++) s += A[ri + j] * x[j]
      t[i] = s
    }
  }

  private regTerm(x: Float64Array): number {
    let s = 0
    for (let j = 0; j < this.n; j++) s += x[j] * x[j]
    return 0.5 * this.reg * s
  }

  value(x: Float64Array): number {
    this.margins(x)
    let s = 0
    for (let i = 0; i < this.m; i++) s += softplus(-this.t[i])
    return s / this.m + this.regTerm(x)
  }

  valueAndGradient(x: Float64Array, g: Float64Array): number {
    this.margins(x)
    const { m, n, A, t, reg } = this
    let s = 0
    for (let j = 0; j < n; j++) g[j] = reg * x[j]
    for (let i = 0; i < m; i++) {
      s += softplus(-t[i])
      // φ'(t) = −(1 − σ(t)) = −σ(−t)
      const c = -sigmoid(-t[i]) / m
      const ri = i * n
      for (let j = 0; j < n; j++) g[j] += c * A[ri + j]
    }
    return s / m + this.regTerm(x)
  }

  hessian(x: Float64Array, model: HessianModel, H: Float64Array): void {
    this.margins(x)
    const { m, n, t, w } = this
    for (let i = 0; i < m; i++) {
      const s = sigmoid(t[i])
      const oneMinus = sigmoid(-t[i])
      // exact φ'' = s(1 − s); empirical Fisher φ'² = (1 − s)²
      w[i] = model === 'exact' ? s * oneMinus : oneMinus * oneMinus
    }
    weightedGram(this.A, w, m, n, 1 / m, H)
    for (let j = 0; j < n; j++) H[j * n + j] += this.reg
  }

  gram(eps: number): Float64Array {
    return gramOf(this.A, this.m, this.n, eps)
  }

  /**
   * f* by damped Newton from 0 (exact Hessian, Armijo backtracking) until the Newton decrement
   * stalls: with reg > 0 the problem is reg-strongly convex, so f − f* ≤ ‖∇f‖²/(2·reg), far below
   * the 1e-8 tolerance once ‖∇f‖ ≈ 1e-12. Not counted as oracle calls of the run.
   */
  private solveForOptimum(): { fStar: number; iterations: number; gradNorm: number } {
    const n = this.n
    const x = new Float64Array(n)
    const g = new Float64Array(n)
    const d = new Float64Array(n)
    const xt = new Float64Array(n)
    const H = new Float64Array(n * n)
    const L = new Float64Array(n * n)
    let f = this.valueAndGradient(x, g)
    let best = f
    let it = 0
    for (; it < 100; it++) {
      this.hessian(x, 'exact', H)
      if (!choleskyInto(H, L, n)) break
      for (let j = 0; j < n; j++) d[j] = -g[j]
      forwardSolveInPlace(L, d, n)
      backSolveInPlace(L, d, n)
      let slope = 0
      for (let j = 0; j < n; j++) slope += g[j] * d[j]
      if (-slope < 1e-30) break
      let step = 1
      let ft = f
      for (let ls = 0; ls < 60; ls++) {
        for (let j = 0; j < n; j++) xt[j] = x[j] + step * d[j]
        ft = this.value(xt)
        if (ft <= f + 0.25 * step * slope) break
        step *= 0.5
      }
      if (!(ft <= f)) break
      x.set(xt)
      f = this.valueAndGradient(x, g)
      if (f < best) best = f
    }
    let gn = 0
    for (let j = 0; j < n; j++) gn += g[j] * g[j]
    return { fStar: best, iterations: it, gradNorm: Math.sqrt(gn) }
  }
}

/**
 * Iterative spectra of a symmetric operator known only through products v ↦ A·v (a matrix, a
 * Hessian-vector product, a Gauss–Newton product): power iteration, Lanczos with full
 * reorthogonalisation for extreme eigenvalues, and stochastic Lanczos quadrature (SLQ) for
 * traces of matrix functions and spectral densities.
 *
 * References: Golub & Van Loan, Matrix Computations (4th ed.), §10.1 (Lanczos) and §8.2.1
 * (power method); Ubaru, Chen & Saad, "Fast estimation of tr(f(A)) via stochastic Lanczos
 * quadrature", SIAM J. Matrix Anal. Appl. 38(4), 2017; Ghorbani, Krishnan & Xiao, "An
 * investigation into neural net optimization via Hessian eigenvalue density", ICML 2019.
 */
import { dot, nrm2 } from './dense'
import { symTridiagonalEig } from './linalg'
import type { Rng } from './rng'

/** out = A·x for a symmetric operator A on R^n. Must not keep references to x or out. */
export type MatVec = (x: Float64Array, out: Float64Array) => void

export interface PowerIterationResult {
  /** The Rayleigh quotient of the final iterate: the eigenvalue of largest magnitude. */
  value: number
  /** Its unit eigenvector. */
  vector: Float64Array
  iterations: number
  /** ‖A·v − value·v‖ at the end. */
  residual: number
  converged: boolean
}

export interface IterationOptions {
  /** Random start vector source (required unless `start` is given: no hidden randomness). */
  rng?: Rng
  start?: Float64Array
}

function startVector(n: number, opts: IterationOptions): Float64Array {
  const v = new Float64Array(n)
  if (opts.start) v.set(opts.start.subarray(0, n))
  else if (opts.rng) opts.rng.fillNormal(v)
  else throw new Error('spectra: pass `rng` or a `start` vector')
  const s = nrm2(v)
  if (!(s > 0)) throw new Error('spectra: start vector is zero')
  for (let i = 0; i < n; i++) v[i] /= s
  return v
}

/**
 * Power iteration for the eigenvalue of largest magnitude, stopped when the eigen-residual
 * ‖A·v − λ·v‖ ≤ tol·|λ|. Converges linearly at rate |λ₂/λ₁|; prefer `lanczosExtremes` when the
 * gap is small (it needs far fewer products).
 */
export function powerIteration(matvec: MatVec, n: number, opts: IterationOptions & { maxIter?: number; tol?: number } = {}): PowerIterationResult {
  const maxIter = opts.maxIter ?? 1000
  const tol = opts.tol ?? 1e-10
  let v: Float64Array = startVector(n, opts)
  let w: Float64Array = new Float64Array(n)
  let value = 0
  let residual = Infinity
  for (let it = 1; it <= maxIter; it++) {
    matvec(v, w)
    value = dot(v, w)
    let r2 = 0
    for (let i = 0; i < n; i++) {
      const r = w[i] - value * v[i]
      r2 += r * r
    }
    residual = Math.sqrt(r2)
    const s = nrm2(w)
    if (residual <= tol * Math.abs(value) || s === 0) {
      return { value, vector: v, iterations: it, residual, converged: true }
    }
    for (let i = 0; i < n; i++) w[i] /= s
    const t = v
    v = w
    w = t
  }
  return { value, vector: v, iterations: maxIter, residual, converged: false }
}

export interface LanczosResult {
  /** Diagonal of the tridiagonal T_k = Qᵀ·A·Q (length k). */
  alpha: Float64Array
  /** Off-diagonal of T_k (length k − 1). */
  beta: Float64Array
  /** The Lanczos basis as rows: k×n row-major, orthonormal to working precision. */
  basis: Float64Array
  /** Steps taken: fewer than asked when an invariant subspace is found (β ≈ 0). */
  steps: number
  /** β_k = ‖r_k‖, the norm of the residual after the last step (0 at breakdown). */
  nextBeta: number
}

/**
 * k steps of Lanczos with full reorthogonalisation (classical Gram–Schmidt applied twice against
 * every earlier basis vector, "twice is enough": Giraud et al. 2005). Costs k products and
 * O(k²n) flops; without reorthogonalisation, ghost copies of converged eigenvalues appear.
 */
export function lanczos(matvec: MatVec, n: number, steps: number, opts: IterationOptions = {}): LanczosResult {
  const k = Math.min(steps, n)
  const Q = new Float64Array(k * n)
  const alpha = new Float64Array(k)
  const betas = new Float64Array(Math.max(k - 1, 0))
  Q.set(startVector(n, opts), 0)
  const w = new Float64Array(n)
  let anorm = 0
  let taken = k
  let nextBeta = 0
  for (let j = 0; j < k; j++) {
    const q = Q.subarray(j * n, j * n + n)
    matvec(q, w)
    const a = dot(q, w)
    alpha[j] = a
    for (let i = 0; i < n; i++) w[i] -= a * q[i]
    if (j > 0) {
      const b = betas[j - 1]
      const qp = Q.subarray((j - 1) * n, j * n)
      for (let i = 0; i < n; i++) w[i] -= b * qp[i]
    }
    for (let pass = 0; pass < 2; pass++) {
      for (let l = 0; l <= j; l++) {
        const ql = Q.subarray(l * n, l * n + n)
        const c = dot(ql, w)
        for (let i = 0; i < n; i++) w[i] -= c * ql[i]
      }
    }
    const b = nrm2(w)
    anorm = Math.max(anorm, Math.abs(a) + b)
    if (j === k - 1) {
      nextBeta = k < n ? b : 0
      break
    }
    // Breakdown: the Krylov space is invariant, and T_j's eigenvalues are exact eigenvalues of A.
    if (b <= 1e-14 * Math.max(anorm, Number.MIN_VALUE)) {
      taken = j + 1
      break
    }
    betas[j] = b
    const next = Q.subarray((j + 1) * n, (j + 2) * n)
    for (let i = 0; i < n; i++) next[i] = w[i] / b
  }
  return {
    alpha: alpha.slice(0, taken),
    beta: betas.slice(0, Math.max(taken - 1, 0)),
    basis: Q.slice(0, taken * n),
    steps: taken,
    nextBeta,
  }
}

export interface RitzPairs {
  /** Ritz values, ascending: approximations to A's extreme eigenvalues. */
  values: Float64Array
  /** Ritz vectors as rows (values.length × n), returned when asked for. */
  vectors: Float64Array
  /** Residual norms ‖A·y − θ·y‖ = β_k·|last component of the T-eigenvector| (a posteriori bounds). */
  residuals: Float64Array
  /** Lanczos steps taken (= products of A with a vector). */
  steps: number
}

/**
 * Extreme eigenvalues from `steps` Lanczos steps: the Ritz values of T_k. With full
 * reorthogonalisation each Ritz value θ with residual r satisfies |θ − λ| ≤ r for some
 * eigenvalue λ (GVL Thm. 8.1.15); extreme ones converge first.
 */
export function lanczosExtremes(matvec: MatVec, n: number, steps: number, opts: IterationOptions & { vectors?: boolean } = {}): RitzPairs {
  const lz = lanczos(matvec, n, steps, opts)
  const k = lz.steps
  const { values, vectors: Y } = symTridiagonalEig(lz.alpha, lz.beta, true)
  const betaK = lz.nextBeta
  const residuals = new Float64Array(k)
  for (let j = 0; j < k; j++) residuals[j] = Math.abs(betaK * Y[(k - 1) * k + j])
  let vectors = new Float64Array(0)
  if (opts.vectors) {
    vectors = new Float64Array(k * n)
    for (let j = 0; j < k; j++) {
      for (let l = 0; l < k; l++) {
        const y = Y[l * k + j]
        if (y === 0) continue
        const off = l * n
        for (let i = 0; i < n; i++) vectors[j * n + i] += y * lz.basis[off + i]
      }
    }
  }
  return { values, vectors, residuals, steps: k }
}

export interface Quadrature {
  /** Gauss quadrature nodes (Ritz values), pooled over probes. */
  nodes: Float64Array
  /** Weights, pooled and normalised to sum to 1: a probability measure approximating the
   * spectral measure (1/n)·Σ δ(λ − λ_i). */
  weights: Float64Array
  /** Products of A with a vector spent. */
  matvecs: number
}

/**
 * Stochastic Lanczos quadrature (Ubaru, Chen & Saad 2017, Alg. 1): for each of `probes`
 * Rademacher vectors v, `steps` Lanczos steps from v/‖v‖ give T = Y·diag(θ)·Yᵀ, and the Gauss
 * rule {θ_k, (Y₀ₖ)²} integrates f against vᵀ·δ(λ − A)·v/‖v‖². Averaging over probes
 * estimates the spectral measure of A.
 */
export function stochasticLanczosQuadrature(matvec: MatVec, n: number, opts: { steps: number; probes: number; rng: Rng }): Quadrature {
  const nodes: number[] = []
  const weights: number[] = []
  const v = new Float64Array(n)
  let matvecs = 0
  for (let p = 0; p < opts.probes; p++) {
    for (let i = 0; i < n; i++) v[i] = opts.rng.bernoulli(0.5) ? 1 : -1
    const lz = lanczos(matvec, n, opts.steps, { start: v })
    matvecs += lz.steps
    const k = lz.steps
    const { values, vectors: Y } = symTridiagonalEig(lz.alpha, lz.beta, true)
    for (let j = 0; j < k; j++) {
      nodes.push(values[j])
      weights.push((Y[j] * Y[j]) / opts.probes)
    }
  }
  return { nodes: Float64Array.from(nodes), weights: Float64Array.from(weights), matvecs }
}

/** tr f(A) ≈ n·Σ w_k f(θ_k) from an SLQ quadrature of an n×n operator. */
export function slqTrace(q: Quadrature, n: number, f: (lambda: number) => number): number {
  let s = 0
  for (let k = 0; k < q.nodes.length; k++) s += q.weights[k] * f(q.nodes[k])
  return n * s
}

/**
 * The SLQ spectral density smoothed by a Gaussian kernel of width sigma, evaluated on `grid`:
 * φ(t) = Σ w_k·N(t; θ_k, σ²), integrating to 1 (Ghorbani et al. 2019, eq. 5).
 */
export function spectralDensity(q: Quadrature, grid: Float64Array, sigma: number): Float64Array {
  const out = new Float64Array(grid.length)
  const c = 1 / (sigma * Math.sqrt(2 * Math.PI))
  for (let g = 0; g < grid.length; g++) {
    let s = 0
    for (let k = 0; k < q.nodes.length; k++) {
      const z = (grid[g] - q.nodes[k]) / sigma
      s += q.weights[k] * Math.exp(-0.5 * z * z)
    }
    out[g] = c * s
  }
  return out
}

/** A MatVec for an explicit n×n row-major matrix (for tests and small problems). */
export function denseMatVec(A: Float64Array, n: number): MatVec {
  return (x, out) => {
    for (let i = 0; i < n; i++) {
      let s = 0
      const row = i * n
      for (let j = 0; j < n; j++) s += A[row + j] * x[j]
      out[i] = s
    }
  }
}

/**
 * The three finite-sum monotone inclusions 0 ∈ F(u) + G(u), F = Σ_{i=1}^n F_i, of this study.
 * Each problem exposes its components only through `full` (one full pass: n oracle calls) and
 * `addComponentDiff` (F_i at two points: 2 calls); the algorithms count calls, the problems
 * never do. `residual` is the uncounted plotting probe.
 */
import { frobNorm } from '../../numeric/dense'
import { spectralNorm, symEigvalues } from '../../numeric/linalg'
import type { Rng } from '../../numeric/rng'
import { LsqRows } from './lsqPass'
import { SimplexProjector } from './simplex'

export interface FiniteSumProblem {
  readonly kind: 'A' | 'B' | 'D'
  /** dimension of u */
  readonly dim: number
  /** number of components F_i */
  readonly n: number
  /** the starting (and anchor) point u_0 */
  readonly u0: Float64Array
  /** ‖F‖'s Lipschitz constant: λ_max(AᵀA/N) (A), ‖A‖₂ (B), ‖M‖₂ (D) */
  readonly lipF: number
  /** the component scale: L_avg = √(max‖a_i‖²·L_F) (A), ‖A‖_F (B), ‖M‖_F (D) */
  readonly lipAvg: number
  /** out ← F(u) = Σ_i F_i(u), computed component by component (costs n calls) */
  full(u: Float64Array, out: Float64Array): void
  /** out += scale·(F_i(u) − F_i(v)) (costs 2 calls) */
  addComponentDiff(i: number, u: Float64Array, v: Float64Array, scale: number, out: Float64Array): void
  /** out ← F(u) by the cheapest exact route, for uncounted probes */
  probeF(u: Float64Array, out: Float64Array): void
  /** z ← J_G(z) in place: simplex projections (B) or the identity (A, D) */
  resolvent(z: Float64Array): void
  /** the optimality measure: ‖F(u)‖ (A, D) or the natural residual ‖u − J_G(u − F(u))‖ (B) */
  residual(u: Float64Array): number
}

function norm(x: Float64Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i] * x[i]
  return Math.sqrt(s)
}

/** λ_max of a symmetric d×d matrix. */
function lambdaMax(S: Float64Array, d: number): number {
  const v = symEigvalues(S, d)
  return v[d - 1]
}

// ---------------------------------------------------------------- problem A: least squares

export interface LeastSquaresData {
  N: number
  d: number
  /** rows a_i, N×d row-major */
  A: Float64Array
  b: Float64Array
}

/**
 * Problem A (this study's construction): a_i ~ N(rowMean·1, I_d), w ~ N(0, I_d),
 * b = A·w + noiseScale·ε with ε ~ N(0, I_N), all from the data stream in that order.
 */
export function leastSquaresData(rng: Rng, N: number, d: number, rowMean: number, noiseScale: number): LeastSquaresData {
  const A = new Float64Array(N * d)
  for (let k = 0; k < N * d; k++) A[k] = rowMean + rng.normal()
  const w = new Float64Array(d)
  for (let j = 0; j < d; j++) w[j] = rng.normal()
  const b = new Float64Array(N)
  for (let i = 0; i < N; i++) {
    let s = 0
    for (let j = 0; j < d; j++) s += A[i * d + j] * w[j]
    b[i] = s + noiseScale * rng.normal()
  }
  return { N, d, A, b }
}

/**
 * F(u) = (1/N)Σ_i a_i(a_iᵀu − b_i) with components F_i(u) = (1/N)·a_i(a_iᵀu − b_i), so that
 * the mean-form F is exactly Σ_i F_i (the PAGE update (n/b)·Σ_B assumes a plain sum).
 * Cocoercive: ⟨F(u) − F(v), u − v⟩ ≥ ‖F(u) − F(v)‖²/L_F. u_0 = 0.
 */
export class LeastSquaresProblem implements FiniteSumProblem {
  readonly kind = 'A' as const
  readonly dim: number
  readonly n: number
  readonly u0: Float64Array
  readonly lipF: number
  readonly lipAvg: number
  /** H = AᵀA/N and h = Aᵀb/N, for the uncounted probes F(u) = Hu − h */
  readonly H: Float64Array
  readonly h: Float64Array
  /** the rows a_i, N×d row-major (the component oracle reads one at a time) */
  private readonly A: Float64Array
  /** the same rows and b in the full pass's layout (lsqPass.ts) */
  readonly rows: LsqRows
  private readonly tmp: Float64Array

  constructor(data: LeastSquaresData, simd = true) {
    const { N, d, A, b } = data
    this.dim = d
    this.n = N
    this.A = A
    this.rows = new LsqRows(A, b, N, d, simd)
    this.u0 = new Float64Array(d)
    this.tmp = new Float64Array(d)
    const H = new Float64Array(d * d)
    const h = new Float64Array(d)
    let maxRow = 0
    for (let i = 0; i < N; i++) {
      const o = i * d
      let r = 0
      for (let j = 0; j < d; j++) {
        const aj = A[o + j]
        r += aj * aj
        h[j] += aj * b[i]
        for (let k = j; k < d; k++) H[j * d + k] += aj * A[o + k]
      }
      if (r > maxRow) maxRow = r
    }
    for (let j = 0; j < d; j++) {
      h[j] /= N
      for (let k = j; k < d; k++) {
        H[j * d + k] /= N
        H[k * d + j] = H[j * d + k]
      }
    }
    this.H = H
    this.h = h
    this.lipF = lambdaMax(H, d)
    // E_q‖F_q(u) − F_q(v)‖² = (1/N)Σ‖a_i‖²(a_iᵀz)² ≤ max‖a_i‖²·zᵀHz ≤ max‖a_i‖²·L_F·‖z‖²
    this.lipAvg = Math.sqrt(maxRow * this.lipF)
  }

  /**
   * F(u) = Σ_i F_i(u): one pass over the rows, each row's residual r_i = (a_iᵀu − b_i)/N summed
   * over j in order and out_j += r_i·a_ij over i in order (lsqPass.ts: WebAssembly SIMD, or its
   * scalar twin; the same bits either way, and as the row-by-row loop).
   */
  full(u: Float64Array, out: Float64Array): void {
    this.rows.full(u, out)
  }

  addComponentDiff(i: number, u: Float64Array, v: Float64Array, scale: number, out: Float64Array): void {
    const { A, dim: d, n: N } = this
    const o = i * d
    let r = 0
    for (let j = 0; j < d; j++) r += A[o + j] * (u[j] - v[j])
    r *= scale / N
    for (let j = 0; j < d; j++) out[j] += r * A[o + j]
  }

  probeF(u: Float64Array, out: Float64Array): void {
    const { H, h, dim: d } = this
    for (let j = 0; j < d; j++) {
      let s = -h[j]
      for (let k = 0; k < d; k++) s += H[j * d + k] * u[k]
      out[j] = s
    }
  }

  resolvent(): void {}

  residual(u: Float64Array): number {
    this.probeF(u, this.tmp)
    return norm(this.tmp)
  }
}

// ---------------------------------------------------------------- problem B: policeman–burglar game

/**
 * Nemirovski's policeman–burglar payoff A_ij = w_i·(1 − e^{−θ|i−j|}), w_i = |N(0,1)| (the wealth
 * of house i scales row i). `scaling: 'columns'` reproduces the official script's `w * C`, which
 * numpy broadcasts over columns: A_ij = w_j·(1 − e^{−θ|i−j|}).
 */
export function policemanBurglarMatrix(rng: Rng, n: number, theta: number, scaling: 'rows' | 'columns'): Float64Array {
  const w = new Float64Array(n)
  for (let i = 0; i < n; i++) w[i] = Math.abs(rng.normal())
  const A = new Float64Array(n * n)
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      A[i * n + j] = (scaling === 'rows' ? w[i] : w[j]) * (1 - Math.exp(-theta * Math.abs(i - j)))
    }
  }
  return A
}

/**
 * The bilinear game min_{x∈Δ} max_{y∈Δ} yᵀAx as in `matrix_game.py`: u = (x, y),
 * F(u) = (Aᵀy, −Ax), G = normal cone of Δ×Δ. Component i (the script's split) touches
 * coordinate i of each player: F_i(x, y) = (A[i,:]ᵀ·y_i, −A[:,i]·x_i), so Σ_i F_i = F.
 * u_0 = (1/n, …, 1/n) for both players.
 */
export class MatrixGameProblem implements FiniteSumProblem {
  readonly kind = 'B' as const
  readonly dim: number
  readonly n: number
  readonly u0: Float64Array
  readonly lipF: number
  readonly lipAvg: number
  readonly A: Float64Array
  private readonly At: Float64Array
  private readonly proj: SimplexProjector
  private readonly tmp: Float64Array

  constructor(A: Float64Array, n: number) {
    this.n = n
    this.dim = 2 * n
    this.A = A
    const At = new Float64Array(n * n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) At[j * n + i] = A[i * n + j]
    this.At = At
    this.u0 = new Float64Array(2 * n).fill(1 / n)
    this.lipF = spectralNorm(A, n, n)
    this.lipAvg = frobNorm(A)
    this.proj = new SimplexProjector(n)
    this.tmp = new Float64Array(2 * n)
  }

  full(u: Float64Array, out: Float64Array): void {
    const { A, At, n } = this
    for (let j = 0; j < n; j++) {
      // (Aᵀy)_j = Σ_i A_ij y_i
      let s = 0
      const o = j * n
      for (let i = 0; i < n; i++) s += At[o + i] * u[n + i]
      out[j] = s
    }
    for (let i = 0; i < n; i++) {
      let s = 0
      const o = i * n
      for (let j = 0; j < n; j++) s += A[o + j] * u[j]
      out[n + i] = -s
    }
  }

  addComponentDiff(i: number, u: Float64Array, v: Float64Array, scale: number, out: Float64Array): void {
    const { A, At, n } = this
    const dy = scale * (u[n + i] - v[n + i])
    const dx = scale * (u[i] - v[i])
    const o = i * n
    for (let j = 0; j < n; j++) {
      out[j] += A[o + j] * dy // row i of A, times y_i
      out[n + j] -= At[o + j] * dx // column i of A, times x_i
    }
  }

  probeF(u: Float64Array, out: Float64Array): void {
    this.full(u, out)
  }

  resolvent(z: Float64Array): void {
    this.proj.project(z, z, 0)
    this.proj.project(z, z, this.n)
  }

  /** ‖u − Π(u − F(u))‖, the script's `res` (unit step inside the projection). */
  residual(u: Float64Array): number {
    const t = this.tmp
    this.full(u, t)
    for (let k = 0; k < this.dim; k++) t[k] = u[k] - t[k]
    this.resolvent(t)
    let s = 0
    for (let k = 0; k < this.dim; k++) s += (u[k] - t[k]) ** 2
    return Math.sqrt(s)
  }
}

// ---------------------------------------------------------------- problem D: the hard QP

/**
 * The hard quadratic program of `quadratic_programming.py`: min_x ½xᵀHx − hᵀx s.t. Ax = b, as
 * the saddle operator F(x, y) = (Hx − h − Aᵀy, Ax − b) with A the anti-bidiagonal
 * A[i][n−1−i] = 1/4, A[i][n−2−i] = −1/4, H = 2AᵀA, b = 1/4·1, h = e_n/4, u_0 = (1/n)·1.
 * Component i (the script's split): F_i(x, y) = (H[:,i]x_i − A[i,:]ᵀy_i − h/n, A[:,i]x_i − b/n).
 * Unconstrained (G = 0). Not cocoercive: ⟨M(0,y), (0,y)⟩ = 0 while M(0,y) ≠ 0.
 */
export class HardQpProblem implements FiniteSumProblem {
  readonly kind = 'D' as const
  readonly dim: number
  readonly n: number
  readonly u0: Float64Array
  readonly lipF: number
  readonly lipAvg: number
  readonly M: Float64Array
  /** ‖H‖₂ + ‖A‖₂ (= 1.0 at n = 100), the block bound on ‖M‖₂ = 0.81 */
  readonly blockLipschitz: number
  private readonly Amat: Float64Array
  private readonly H: Float64Array
  private readonly bvec: Float64Array
  private readonly hvec: Float64Array
  private readonly tmp: Float64Array

  constructor(n: number) {
    this.n = n
    this.dim = 2 * n
    const A = new Float64Array(n * n)
    for (let i = 0; i < n; i++) {
      A[i * n + (n - 1 - i)] = 0.25
      if (i < n - 1) A[i * n + (n - 2 - i)] = -0.25
    }
    const H = new Float64Array(n * n)
    for (let j = 0; j < n; j++) {
      for (let k = 0; k < n; k++) {
        let s = 0
        for (let i = 0; i < n; i++) s += A[i * n + j] * A[i * n + k]
        H[j * n + k] = 2 * s
      }
    }
    this.Amat = A
    this.H = H
    this.bvec = new Float64Array(n).fill(0.25)
    this.hvec = new Float64Array(n)
    this.hvec[n - 1] = 0.25
    this.u0 = new Float64Array(2 * n).fill(1 / n)
    const m = 2 * n
    const M = new Float64Array(m * m)
    for (let i = 0; i < n; i++) {
      for (let j = 0; j < n; j++) {
        M[i * m + j] = H[i * n + j]
        M[i * m + n + j] = -A[j * n + i]
        M[(n + i) * m + j] = A[i * n + j]
      }
    }
    this.M = M
    this.lipF = spectralNorm(M, m, m)
    // the spec's L_avg = 5.86 at n = 100 is ‖M‖_F (the game's analogue is ‖A‖_F)
    this.lipAvg = frobNorm(M)
    this.blockLipschitz = spectralNorm(H, n, n) + spectralNorm(A, n, n)
    this.tmp = new Float64Array(m)
  }

  full(u: Float64Array, out: Float64Array): void {
    const { H, Amat: A, bvec, hvec, n } = this
    for (let i = 0; i < n; i++) {
      let s = -hvec[i]
      for (let j = 0; j < n; j++) s += H[i * n + j] * u[j] - A[j * n + i] * u[n + j]
      out[i] = s
      let t = -bvec[i]
      for (let j = 0; j < n; j++) t += A[i * n + j] * u[j]
      out[n + i] = t
    }
  }

  addComponentDiff(i: number, u: Float64Array, v: Float64Array, scale: number, out: Float64Array): void {
    const { H, Amat: A, n } = this
    const dx = scale * (u[i] - v[i])
    const dy = scale * (u[n + i] - v[n + i])
    for (let j = 0; j < n; j++) {
      out[j] += H[j * n + i] * dx - A[i * n + j] * dy
      out[n + j] += A[j * n + i] * dx
    }
  }

  probeF(u: Float64Array, out: Float64Array): void {
    this.full(u, out)
  }

  resolvent(): void {}

  residual(u: Float64Array): number {
    this.full(u, this.tmp)
    return norm(this.tmp)
  }
}

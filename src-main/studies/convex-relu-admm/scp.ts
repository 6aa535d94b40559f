/**
 * The sampled convex program (SCP; spec: "Second algorithm, reconstructed, not verified"): sample
 * N hidden directions h_i ~ N(0, I₃), normalise them, and solve the unconstrained ℓ1 problem over
 * the output weights of the random ReLU features,
 *
 *   min_c  F(c) = ½ ‖A c − y‖² + β ‖c‖₁,   A_ki = (x̃_k·h_i)₊,
 *
 * the spec's reading of the paper's SCP (the bidual of the Pilanci–Ergen dual with sampled
 * constraints). With ‖h_i‖ = 1 the network u_i = h_i √|c_i|, a_i = sign(c_i) √|c_i| has exactly
 * the non-convex objective F(c), so F ≥ p* for every c (and p_s ≤ F for the same directions,
 * since c_i h_i lies in the cone of its own arrangement).
 *
 * Solver: FISTA (Beck & Teboulle 2009, Alg. FISTA with constant step 1/L), L = λ_max(AᵀA) by power
 * iteration on the n×n matrix AAᵀ, padded by 1 %:
 *   c_k = S_{β/L}(z_k − Aᵀ(A z_k − y)/L),  t_{k+1} = (1 + √(1 + 4t_k²))/2,
 *   z_{k+1} = c_k + ((t_k − 1)/t_{k+1}) (c_k − c_{k−1}).
 * Certificate: θ = r·min(1, β/‖Aᵀr‖∞) with r = A c − y is dual feasible for the lasso, so
 * D(θ) = −½‖θ‖² − θᵀy ≤ min F, and (F − D)/F bounds the relative suboptimality.
 */
import type { Rng } from '../../numeric/rng'
import type { XorData } from './problem'

export class SampledConvexProgram {
  readonly N: number
  readonly n: number
  /** N×3 unit directions */
  readonly H: Float64Array
  /** n×N features, row-major */
  readonly A: Float64Array
  readonly c: Float64Array
  private readonly cPrev: Float64Array
  private readonly z: Float64Array
  private readonly r: Float64Array
  private readonly g: Float64Array
  readonly L: number
  private tk = 1

  constructor(
    readonly data: XorData,
    N: number,
    readonly beta: number,
    rng: Rng,
  ) {
    const { n, X } = data
    this.N = N
    this.n = n
    this.H = new Float64Array(3 * N)
    this.A = new Float64Array(n * N)
    for (let i = 0; i < N; i++) {
      // the same three normals per direction as sampledArrangements, so one stream gives both
      const h0 = rng.normal(), h1 = rng.normal(), h2 = rng.normal()
      const nrm = Math.hypot(h0, h1, h2)
      this.H[3 * i] = h0 / nrm
      this.H[3 * i + 1] = h1 / nrm
      this.H[3 * i + 2] = h2 / nrm
      for (let k = 0; k < n; k++) {
        const z = X[3 * k] * this.H[3 * i] + X[3 * k + 1] * this.H[3 * i + 1] + X[3 * k + 2] * this.H[3 * i + 2]
        this.A[k * N + i] = z > 0 ? z : 0
      }
    }
    this.c = new Float64Array(N)
    this.cPrev = new Float64Array(N)
    this.z = new Float64Array(N)
    this.r = new Float64Array(n)
    this.g = new Float64Array(N)
    this.L = 1.01 * largestEigenvalueAAt(this.A, n, N)
  }

  /** r = A x − y */
  private residual(x: Float64Array): Float64Array {
    const { A, n, N, r } = this
    const y = this.data.y
    for (let k = 0; k < n; k++) {
      let s = 0
      for (let i = 0; i < N; i++) s += A[k * N + i] * x[i]
      r[k] = s - y[k]
    }
    return r
  }

  step(): void {
    const { A, n, N, c, cPrev, z, g, L, beta } = this
    const r = this.residual(z)
    g.fill(0)
    for (let k = 0; k < n; k++) {
      const rk = r[k]
      for (let i = 0; i < N; i++) g[i] += A[k * N + i] * rk
    }
    cPrev.set(c)
    const thr = beta / L
    for (let i = 0; i < N; i++) {
      const a = z[i] - g[i] / L
      c[i] = a > thr ? a - thr : a < -thr ? a + thr : 0
    }
    const t1 = (1 + Math.sqrt(1 + 4 * this.tk * this.tk)) / 2
    const mom = (this.tk - 1) / t1
    for (let i = 0; i < N; i++) z[i] = c[i] + mom * (c[i] - cPrev[i])
    this.tk = t1
  }

  /** F(c), the dual bound, the relative gap (F − D)/F, accuracy (sign(0) is wrong) and nonzeros. */
  evaluate(): { objective: number; dual: number; gap: number; trainAccuracy: number; nonzeros: number } {
    const { A, n, N, c, beta } = this
    const y = this.data.y
    const r = this.residual(c)
    let loss = 0
    let correct = 0
    for (let k = 0; k < n; k++) {
      loss += r[k] * r[k]
      if (Math.sign(r[k] + y[k]) === y[k]) correct++
    }
    let l1 = 0
    let nonzeros = 0
    for (let i = 0; i < N; i++) {
      l1 += Math.abs(c[i])
      if (c[i] !== 0) nonzeros++
    }
    const F = 0.5 * loss + beta * l1
    let atr = 0
    for (let i = 0; i < N; i++) {
      let s = 0
      for (let k = 0; k < n; k++) s += A[k * N + i] * r[k]
      atr = Math.max(atr, Math.abs(s))
    }
    const t = atr > beta ? beta / atr : 1
    let rr = 0
    let ry = 0
    for (let k = 0; k < n; k++) {
      rr += r[k] * r[k]
      ry += r[k] * y[k]
    }
    const dual = -0.5 * t * t * rr - t * ry
    return { objective: F, dual, gap: (F - dual) / F, trainAccuracy: correct / n, nonzeros }
  }
}

/** λ_max(A Aᵀ) for A n×N (= λ_max(AᵀA)), by power iteration from the all-ones vector. */
export function largestEigenvalueAAt(A: Float64Array, n: number, N: number): number {
  const S = new Float64Array(n * n)
  for (let a = 0; a < n; a++)
    for (let b = a; b < n; b++) {
      let s = 0
      for (let i = 0; i < N; i++) s += A[a * N + i] * A[b * N + i]
      S[a * n + b] = s
      S[b * n + a] = s
    }
  let x = new Float64Array(n).fill(1 / Math.sqrt(n))
  let lambda = 0
  for (let it = 0; it < 1000; it++) {
    const y = new Float64Array(n)
    for (let a = 0; a < n; a++) {
      let s = 0
      for (let b = 0; b < n; b++) s += S[a * n + b] * x[b]
      y[a] = s
    }
    const nrm = Math.hypot(...y)
    if (nrm === 0) return 0
    const next = nrm
    for (let a = 0; a < n; a++) y[a] /= nrm
    x = y
    if (Math.abs(next - lambda) <= 1e-13 * next) {
      lambda = next
      break
    }
    lambda = next
  }
  return lambda
}

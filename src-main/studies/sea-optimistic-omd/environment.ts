/**
 * The SEA environment of this study (its own construction; neither paper has experiments):
 * a drifting centre c_t = μ·e₂ + A·sin(2πt/P)·e₁ (v = e₁ ⊥ μ, unit norm) and Gaussian noise
 * ξ_t ~ N(0, (σ²/d)·I), with either linear losses f_t(x) = ⟨−c_t + ξ_t, x⟩ or λ-strongly convex
 * ones f_t(x) = (λ/2)‖x − c_t‖² + ⟨ξ_t, x⟩, on the ball of radius R in ℝ^d.
 */
import type { Rng } from '../../numeric/rng'

export type LossType = 'convex' | 'stronglyConvex'

export interface EnvironmentSpec {
  lossType: LossType
  d: number
  radius: number
  mu: number
  A: number
  P: number
  sigma: number
  lambda: number
}

/** Π(x) = x·R/max(R, ‖x‖), in place: the Euclidean projection onto the ball of radius R. */
export function projectBall(x: Float64Array, radius: number): void {
  let s = 0
  for (let j = 0; j < x.length; j++) s += x[j] * x[j]
  const nrm = Math.sqrt(s)
  if (nrm > radius) {
    const f = radius / nrm
    for (let j = 0; j < x.length; j++) x[j] *= f
  }
}

export class SeaEnvironment {
  /** the current round's centre c_t and noise ξ_t */
  readonly c: Float64Array
  readonly xi: Float64Array
  private readonly cPrev: Float64Array
  private readonly noiseStd: number
  t = 0
  /** Σ²₁:t = Σ_s sup_x ‖∇F_s(x) − ∇F_{s−1}(x)‖², F_0 ≡ 0 */
  adversarialVariation = 0

  constructor(
    readonly spec: EnvironmentSpec,
    private readonly rng: Rng,
  ) {
    this.c = new Float64Array(spec.d)
    this.xi = new Float64Array(spec.d)
    this.cPrev = new Float64Array(spec.d)
    this.noiseStd = spec.sigma / Math.sqrt(spec.d)
  }

  /** Draw round t+1: its centre, its noise, and its term of Σ²₁:t. */
  next(): void {
    const { d, mu, A, P, lossType, lambda, radius } = this.spec
    this.t++
    this.cPrev.set(this.c)
    this.c.fill(0)
    this.c[0] = A * Math.sin((2 * Math.PI * this.t) / P)
    if (d > 1) this.c[1] = mu
    else this.c[0] += mu
    for (let j = 0; j < d; j++) this.xi[j] = this.noiseStd > 0 ? this.noiseStd * this.rng.normal() : 0
    let diff = 0
    for (let j = 0; j < d; j++) diff += (this.c[j] - this.cPrev[j]) ** 2
    if (lossType === 'convex') {
      // ∇F_t = −c_t; the first round's term is ‖c_1 − 0‖²
      this.adversarialVariation += diff
    } else if (this.t === 1) {
      // sup over the ball of ‖λ(x − c_1) − 0‖ = λ(R + ‖c_1‖)
      this.adversarialVariation += (lambda * (radius + Math.sqrt(diff))) ** 2
    } else {
      this.adversarialVariation += lambda * lambda * diff
    }
  }

  /** out ← ∇f_t(x) */
  gradient(x: Float64Array, out: Float64Array): void {
    const { d, lossType, lambda } = this.spec
    if (lossType === 'convex') for (let j = 0; j < d; j++) out[j] = -this.c[j] + this.xi[j]
    else for (let j = 0; j < d; j++) out[j] = lambda * (x[j] - this.c[j]) + this.xi[j]
  }

  /** f_t(x) */
  loss(x: Float64Array): number {
    const { d, lossType, lambda } = this.spec
    let s = 0
    if (lossType === 'convex') {
      for (let j = 0; j < d; j++) s += (-this.c[j] + this.xi[j]) * x[j]
      return s
    }
    let q = 0
    for (let j = 0; j < d; j++) {
      q += (x[j] - this.c[j]) ** 2
      s += this.xi[j] * x[j]
    }
    return 0.5 * lambda * q + s
  }
}

/**
 * The best fixed point in hindsight for the realised losses f_1..f_t, and its cumulative loss,
 * updated in O(d) per round from running sums.
 *   linear: Σ_τ f_τ(u) = ⟨s, u⟩ with s = Σ_τ(−c_τ + ξ_τ), minimised by u = −R·s/‖s‖;
 *   quadratic: (λ/2)(t‖u‖² − 2⟨u, Σc⟩ + Σ‖c‖²) + ⟨Σξ, u⟩, isotropic, so
 *   u = Π(mean_τ(c_τ − ξ_τ/λ)) exactly.
 */
export class HindsightComparator {
  private readonly sumC: Float64Array
  private readonly sumXi: Float64Array
  private sumCSq = 0
  private t = 0
  readonly u: Float64Array

  constructor(private readonly spec: EnvironmentSpec) {
    this.sumC = new Float64Array(spec.d)
    this.sumXi = new Float64Array(spec.d)
    this.u = new Float64Array(spec.d)
  }

  add(env: SeaEnvironment): void {
    this.t++
    for (let j = 0; j < this.spec.d; j++) {
      this.sumC[j] += env.c[j]
      this.sumXi[j] += env.xi[j]
      this.sumCSq += env.c[j] * env.c[j]
    }
  }

  /** min_{u ∈ ball} Σ_{τ≤t} f_τ(u) (and this.u ← the minimiser) */
  bestLoss(): number {
    const { d, radius, lossType, lambda } = this.spec
    const { sumC, sumXi, u, t } = this
    if (lossType === 'convex') {
      let s2 = 0
      for (let j = 0; j < d; j++) s2 += (sumXi[j] - sumC[j]) ** 2
      const sn = Math.sqrt(s2)
      for (let j = 0; j < d; j++) u[j] = sn > 0 ? (-radius * (sumXi[j] - sumC[j])) / sn : 0
      return -radius * sn
    }
    for (let j = 0; j < d; j++) u[j] = (sumC[j] - sumXi[j] / lambda) / t
    projectBall(u, radius)
    let uu = 0
    let uc = 0
    let uxi = 0
    for (let j = 0; j < d; j++) {
      uu += u[j] * u[j]
      uc += u[j] * sumC[j]
      uxi += u[j] * sumXi[j]
    }
    return 0.5 * lambda * (t * uu - 2 * uc + this.sumCSq) + uxi
  }
}

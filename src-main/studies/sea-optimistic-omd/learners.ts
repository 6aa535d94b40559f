/**
 * Online learners on the ball, Euclidean mirror map ψ = ½‖·‖², as explicit state machines:
 * `predict(t)` sets x_t (and η_t), `update(g_t, t)` consumes the observed gradient.
 * D = 2R is the diameter, G the gradient bound used by the step sizes.
 */
import { projectBall } from './environment'

export interface Learner {
  readonly name: string
  /** the point x_t played in the current round */
  readonly x: Float64Array
  /** the step size η_t of the current round */
  eta: number
  predict(t: number): void
  update(g: Float64Array, t: number): void
}

export interface LearnerConstants {
  d: number
  radius: number
  /** diameter D = 2R */
  D: number
  G: number
  /** strong convexity λ (0 for linear losses) */
  lambda: number
  /** smoothness of the expected loss: 0 (linear) or λ (quadratic) */
  L: number
  delta: number
  stronglyConvex: boolean
}

function sqDist(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2
  return s
}

/**
 * Optimistic OMD (Chen et al. 2023, Alg. 1 with the Euclidean regulariser), hint m_t = g_{t−1}
 * (m_1 = 0), x̂_1 = 0:
 *   x_t = Π(x̂_t − η_t·m_t),   x̂_{t+1} = Π(x̂_t − η_t·g_t),
 * convex: η_t = D/√(δ + 4G² + V̄_{t−1}), V̄_{t−1} = Σ_{s<t}‖g_s − m_s‖² (the step quoted for
 * Chen et al. in arXiv 2510.04685; bound O(D√σ²₁:T + D√Σ²₁:T + LD²));
 * λ-strongly convex: η_t = 2/(λt) (the factor 2 is reconstructed from the OMD analysis).
 */
export class OptimisticOMD implements Learner {
  readonly name = 'OOMD'
  readonly x: Float64Array
  eta = 0
  /** V̄_t = Σ_{s≤t}‖g_s − m_s‖² */
  variation = 0
  private readonly xHat: Float64Array
  private readonly hint: Float64Array

  constructor(private readonly k: LearnerConstants) {
    this.x = new Float64Array(k.d)
    this.xHat = new Float64Array(k.d)
    this.hint = new Float64Array(k.d)
  }

  predict(t: number): void {
    const { k } = this
    this.eta = k.stronglyConvex ? 2 / (k.lambda * t) : k.D / Math.sqrt(k.delta + 4 * k.G * k.G + this.variation)
    for (let j = 0; j < k.d; j++) this.x[j] = this.xHat[j] - this.eta * this.hint[j]
    projectBall(this.x, k.radius)
  }

  update(g: Float64Array): void {
    const { k } = this
    for (let j = 0; j < k.d; j++) this.xHat[j] -= this.eta * g[j]
    projectBall(this.xHat, k.radius)
    this.variation += sqDist(g, this.hint)
    this.hint.set(g)
  }
}

/**
 * Online gradient descent (Zinkevich 2003), x_1 = 0: x_{t+1} = Π(x_t − η_t·g_t),
 * convex η_t = D/(G√t); λ-strongly convex η_t = 1/(λt) (Hazan, Agarwal & Kale 2007).
 */
export class OnlineGradientDescent implements Learner {
  readonly name = 'OGD'
  readonly x: Float64Array
  eta = 0

  constructor(private readonly k: LearnerConstants) {
    this.x = new Float64Array(k.d)
  }

  predict(t: number): void {
    this.eta = this.k.stronglyConvex ? 1 / (this.k.lambda * t) : this.k.D / (this.k.G * Math.sqrt(t))
  }

  update(g: Float64Array): void {
    for (let j = 0; j < this.k.d; j++) this.x[j] -= this.eta * g[j]
    projectBall(this.x, this.k.radius)
  }
}

/**
 * Optimistic FTRL (Sachs et al. 2022, Thm 5), Euclidean regulariser, hint m_t = g_{t−1}:
 *   x_t = Π(−η_t·(Σ_{s<t} g_s + m_t)),  η_t = D²/(ν + Σ_{s<t} η_s‖g_s − m_s‖²),  ν = LD² + DG
 * (the extracted text reads DG², which is not dimensionally consistent with η = D²/ν).
 * On the ball the FTRL argmin of ⟨S, x⟩ + ‖x‖²/(2η) is exactly Π(−ηS).
 */
export class OptimisticFTRL implements Learner {
  readonly name = 'OFTRL'
  readonly x: Float64Array
  eta = 0
  private readonly sum: Float64Array
  private readonly hint: Float64Array
  private weighted = 0
  private readonly nu: number

  constructor(private readonly k: LearnerConstants) {
    this.x = new Float64Array(k.d)
    this.sum = new Float64Array(k.d)
    this.hint = new Float64Array(k.d)
    this.nu = k.L * k.D * k.D + k.D * k.G
  }

  predict(): void {
    const { k } = this
    this.eta = (k.D * k.D) / (this.nu + this.weighted)
    for (let j = 0; j < k.d; j++) this.x[j] = -this.eta * (this.sum[j] + this.hint[j])
    projectBall(this.x, k.radius)
  }

  update(g: Float64Array): void {
    for (let j = 0; j < this.k.d; j++) this.sum[j] += g[j]
    this.weighted += this.eta * sqDist(g, this.hint)
    this.hint.set(g)
  }
}

/**
 * Optimistic FTL on the strongly convex surrogates ℓ_s(x) = ⟨g_s, x − x_s⟩ + (λ/2)‖x − x_s‖²,
 * hint m_t = g_{t−1}: x_1 = 0 and, for t ≥ 2,
 *   x_t = argmin_{x ∈ ball} Σ_{s<t} ℓ_s(x) + ⟨m_t, x⟩ = Π((Σ_{s<t}(λx_s − g_s) − m_t)/(λ(t−1)))
 * (isotropic, so the projection is exact). Not verified against an independent implementation.
 */
export class OptimisticFTL implements Learner {
  readonly name = 'OFTL'
  readonly x: Float64Array
  eta = 0
  private readonly sum: Float64Array
  private readonly hint: Float64Array

  constructor(private readonly k: LearnerConstants) {
    this.x = new Float64Array(k.d)
    this.sum = new Float64Array(k.d)
    this.hint = new Float64Array(k.d)
  }

  predict(t: number): void {
    const { k } = this
    if (t === 1) {
      this.x.fill(0)
      this.eta = 1 / k.lambda
      return
    }
    this.eta = 1 / (k.lambda * (t - 1))
    for (let j = 0; j < k.d; j++) this.x[j] = (this.sum[j] - this.hint[j]) * this.eta
    projectBall(this.x, k.radius)
  }

  update(g: Float64Array): void {
    for (let j = 0; j < this.k.d; j++) this.sum[j] += this.k.lambda * this.x[j] - g[j]
    this.hint.set(g)
  }
}

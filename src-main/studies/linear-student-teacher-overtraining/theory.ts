/**
 * The N → ∞ theory of Advani & Saxe (2017, §2–3): gradient flow on the summed squared error of a
 * linear student, averaged over the Marchenko–Pastur spectrum of XXᵀ (x_i ~ N(0, 1/N), α = P/N).
 *
 *   ρ(λ) = √((λ₊−λ)(λ−λ₋)) / (2πλ) on [λ₋, λ₊] = [(1−√α)², (1+√α)²], plus mass (1−α)₊ at λ = 0
 *   E_g(t) = ∫ρ(λ)[(σ_w²+σ0²)e^{−2λt} + σ_ε²(1−e^{−λt})²/λ]dλ + (1−α)₊(σ_w²+σ0²) + σ_ε²
 *   E_t(t) = (1/α)∫ρ(λ)e^{−2λt}(σ_ε² + λ(σ_w²+σ0²))dλ + (1−1/α)₊σ_ε²
 *
 * Quadrature: λ = c + h·cosθ (c, h the centre and half-width of the support), which turns
 * ρ(λ)dλ into h²sin²θ/(2πλ)dθ and removes the square-root endpoint singularities; a midpoint
 * rule in θ ∈ (0, π). At α = 1 (λ₋ = 0, c = h = 2) the weight stays finite:
 * h²sin²θ/(2πλ) = (1 − cosθ)/π, and so does the noise term σ_ε²(1−e^{−λt})²/λ ≤ σ_ε²·t²·λ.
 */

export interface TeacherVariances {
  /** teacher weight variance σ_w² */
  sw2: number
  /** label noise variance σ_ε² */
  se2: number
  /** student initial weight variance σ0² */
  s02: number
}

/** σ_w² = SNR/(1+SNR), σ_ε² = 1/(1+SNR): the normalised variances of the Saxe-lab script. */
export function teacherVariances(snr: number, sigma0sq: number): TeacherVariances {
  return { sw2: snr / (1 + snr), se2: 1 / (1 + snr), s02: sigma0sq }
}

/** The Marchenko–Pastur support [(1−√α)², (1+√α)²]. */
export function mpEdges(alpha: number): { lo: number; hi: number } {
  const r = Math.sqrt(alpha)
  return { lo: (1 - r) ** 2, hi: (1 + r) ** 2 }
}

/** MP density of the continuous part (integrates to min(1, α)); 0 outside the support. */
export function mpDensity(alpha: number, lambda: number): number {
  const { lo, hi } = mpEdges(alpha)
  if (!(lambda > lo && lambda < hi)) return 0
  return Math.sqrt((hi - lambda) * (lambda - lo)) / (2 * Math.PI * lambda)
}

/** (1 − e^{−x})/x computed without cancellation at small x (→ 1 as x → 0). */
function oneMinusExpOver(x: number): number {
  return x < 1e-8 ? 1 - x / 2 : -Math.expm1(-x) / x
}

export class MpTheory {
  /** quadrature nodes λ_j and weights w_j ≈ ρ(λ_j)dλ (Σw = min(1, α)) */
  readonly lambda: Float64Array
  readonly weight: Float64Array
  readonly frozenMass: number

  constructor(
    readonly alpha: number,
    readonly v: TeacherVariances,
    nodes: number,
  ) {
    const { lo, hi } = mpEdges(alpha)
    const c = (hi + lo) / 2
    const h = (hi - lo) / 2
    this.lambda = new Float64Array(nodes)
    this.weight = new Float64Array(nodes)
    const dtheta = Math.PI / nodes
    for (let j = 0; j < nodes; j++) {
      const theta = (j + 0.5) * dtheta
      const lam = c + h * Math.cos(theta)
      const sin = Math.sin(theta)
      this.lambda[j] = lam
      this.weight[j] = (h * h * sin * sin * dtheta) / (2 * Math.PI * lam)
    }
    this.frozenMass = Math.max(0, 1 - alpha)
  }

  /** E_g(t) of gradient flow (eq. above); t = 0 gives σ_w² + σ0² + σ_ε². */
  eg(t: number): number {
    const { sw2, se2, s02 } = this.v
    const s2 = sw2 + s02
    let acc = 0
    for (let j = 0; j < this.lambda.length; j++) {
      const lam = this.lambda[j]
      const decay = Math.exp(-lam * t)
      // σ_ε²(1−e^{−λt})²/λ = σ_ε²·t²·λ·((1−e^{−λt})/(λt))², finite as λ → 0
      const g = oneMinusExpOver(lam * t)
      acc += this.weight[j] * (s2 * decay * decay + se2 * t * t * lam * g * g)
    }
    return acc + this.frozenMass * s2 + se2
  }

  /** E_t(t) of gradient flow; tends to (1 − 1/α)₊σ_ε² as t → ∞. */
  et(t: number): number {
    const { sw2, se2, s02 } = this.v
    const s2 = sw2 + s02
    let acc = 0
    for (let j = 0; j < this.lambda.length; j++) {
      const lam = this.lambda[j]
      const decay = Math.exp(-2 * lam * t)
      acc += this.weight[j] * decay * (se2 + lam * s2)
    }
    return acc / this.alpha + Math.max(0, 1 - 1 / this.alpha) * se2
  }

  /** E_g(∞) in closed form: σ_ε²α/(α−1) for α > 1, σ_ε²/(1−α) + (1−α)(σ_w²+σ0²) for α < 1, ∞ at α = 1. */
  egInfinity(): number {
    const { sw2, se2, s02 } = this.v
    const a = this.alpha
    if (a > 1) return (se2 * a) / (a - 1)
    if (a < 1) return se2 / (1 - a) + (1 - a) * (sw2 + s02)
    return Infinity
  }

  /** E_t(∞) = (1 − 1/α)₊σ_ε². */
  etInfinity(): number {
    return Math.max(0, 1 - 1 / this.alpha) * this.v.se2
  }

  /** Mass of ρ on [a, b] by the same quadrature (for histogram overlays). */
  massOn(a: number, b: number): number {
    let m = 0
    for (let j = 0; j < this.lambda.length; j++) if (this.lambda[j] >= a && this.lambda[j] < b) m += this.weight[j]
    return m
  }
}

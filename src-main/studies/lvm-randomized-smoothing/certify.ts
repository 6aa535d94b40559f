/**
 * Certification of one input point: Monte Carlo votes and soft votes under Gaussian noise, the
 * confidence bounds (Clopper–Pearson, Hoeffding, empirical Bernstein), the radius from bounds,
 * and the exact smoothed quantities by tensor quadrature that every certificate is checked against.
 */
import type { Rng } from '../../numeric/rng'
import { applyMap, argmax3, K, qdaLogits, type SimplexMap } from './maps'
import { clopperPearson, normInv } from './special'

/** A soft vote h = map(t·z); `hard` is the argmax vote (Cohen et al.). */
export interface SoftVote {
  map: SimplexMap
  t: number
}

export interface RadiusResult {
  /** predicted class c_A, or −1 when abstaining */
  cls: number
  /** certified radius, or −1 when abstaining */
  radius: number
}

export const ABSTAIN: RadiusResult = { cls: -1, radius: -1 }

/**
 * R = σ/2·(Φ⁻¹(p̲_A) − Φ⁻¹(p̄_B)) with c_A = argmax_k p̲_k and c_B = argmax_{k≠c_A} p̄_k
 * (Cohen et al. 2019, Thm 1, the `get_R2` of `core_lvmrs.py`); abstain when p̲_A ≤ p̄_B or p̲_A ≤ 0.
 * p̲_A is clamped to ≤ 1 − clamp and p̄_B to ≥ clamp before Φ⁻¹ (pitfall 6).
 * The code takes c_B = the second-largest upper bound overall, which can be c_A itself; we exclude c_A.
 */
export function radiusFromBounds(lower: ArrayLike<number>, upper: ArrayLike<number>, sigma: number, clamp = 1e-12): RadiusResult {
  const cA = argmax3(lower)
  let cB = -1
  for (let k = 0; k < K; k++) if (k !== cA && (cB < 0 || upper[k] > upper[cB])) cB = k
  const pA = lower[cA]
  const pB = upper[cB]
  if (pA <= pB || pA <= 0) return ABSTAIN
  const a = Math.min(pA, 1 - clamp)
  const b = Math.max(pB, clamp)
  return { cls: cA, radius: (sigma / 2) * (normInv(a) - normInv(b)) }
}

/** Hoeffding shift for [0, 1] variables, two-sided at α′: √(ln(2/α′)/(2n)). */
export function hoeffdingShift(alphaPrime: number, n: number): number {
  return Math.sqrt(Math.log(2 / alphaPrime) / (2 * n))
}

/**
 * Empirical Bernstein shift (Maurer & Pontil 2009, Thm 4; `get_shift` of `core_lvmrs.py`):
 * s = std·√(2 ln(2/α′)/n) + 7 ln(2/α′)/(3(n − 1)), std the unbiased (ddof = 1) sample std.
 */
export function bernsteinShift(alphaPrime: number, n: number, std: number): number {
  const l = Math.log(2 / alphaPrime)
  return std * Math.sqrt((2 * l) / n) + (7 * l) / (3 * (n - 1))
}

/** Per-class sample statistics of soft votes for a list of (map, t), plus hard-vote counts. */
export class VoteStats {
  readonly n: number
  readonly counts = new Float64Array(K)
  /** sums of (v − v₀) and (v − v₀)² per vote and class, v₀ the first sample (stable variance) */
  readonly s1: Float64Array
  readonly s2: Float64Array
  readonly v0: Float64Array
  private filled = 0
  private readonly z = new Float64Array(K)
  private readonly h = new Float64Array(K)

  constructor(
    readonly votes: readonly SoftVote[],
    n: number,
  ) {
    this.n = n
    this.s1 = new Float64Array(votes.length * K)
    this.s2 = new Float64Array(votes.length * K)
    this.v0 = new Float64Array(votes.length * K)
  }

  /** Draw the n noisy copies x + δ, δ ~ N(0, σ²I₂), and accumulate every vote (2n normal draws). */
  sample(x1: number, x2: number, sigma: number, rng: Rng): void {
    const { z, h, votes, s1, s2, v0, counts } = this
    const V = votes.length
    for (let i = 0; i < this.n; i++) {
      const d1 = sigma * rng.normal()
      const d2 = sigma * rng.normal()
      qdaLogits(x1 + d1, x2 + d2, z)
      counts[argmax3(z)]++
      for (let v = 0; v < V; v++) {
        applyMap(votes[v].map, z, votes[v].t, h)
        const o = v * K
        if (i === 0) {
          v0[o] = h[0]
          v0[o + 1] = h[1]
          v0[o + 2] = h[2]
        }
        for (let k = 0; k < K; k++) {
          const d = h[k] - v0[o + k]
          s1[o + k] += d
          s2[o + k] += d * d
        }
      }
    }
    this.filled = this.n
  }

  mean(v: number, k: number): number {
    return this.v0[v * K + k] + this.s1[v * K + k] / this.filled
  }

  /** unbiased (ddof = 1) sample standard deviation */
  std(v: number, k: number): number {
    const n = this.filled
    const a = this.s1[v * K + k]
    const ss = (this.s2[v * K + k] - (a * a) / n) / (n - 1)
    return ss > 0 ? Math.sqrt(ss) : 0
  }
}

/** CP-hard: two-sided Clopper–Pearson per class at α/K per side (`proportion_confint(counts, n, 2α/K, "beta")`). */
export function cpHardRadius(counts: ArrayLike<number>, n: number, alpha: number, sigma: number): RadiusResult {
  const lower = new Float64Array(K)
  const upper = new Float64Array(K)
  for (let k = 0; k < K; k++) {
    const b = clopperPearson(counts[k], n, alpha / K)
    lower[k] = b.lower
    upper[k] = b.upper
  }
  return radiusFromBounds(lower, upper, sigma)
}

/** Soft-vote radius with per-class shifts: p̲ = mean − s_k, p̄ = mean + s_k. */
export function softRadius(stats: VoteStats, v: number, bound: 'hoeffding' | 'bernstein' | 'plugin', alpha: number, sigma: number, pluginClamp = 0): RadiusResult {
  const lower = new Float64Array(K)
  const upper = new Float64Array(K)
  const ap = alpha / K
  for (let k = 0; k < K; k++) {
    const m = stats.mean(v, k)
    const s = bound === 'plugin' ? 0 : bound === 'hoeffding' ? hoeffdingShift(ap, stats.n) : bernsteinShift(ap, stats.n, stats.std(v, k))
    lower[k] = m - s
    upper[k] = m + s
  }
  return bound === 'plugin' ? radiusFromBounds(lower, upper, sigma, pluginClamp) : radiusFromBounds(lower, upper, sigma)
}

/** Tensor quadrature of the smoothing: m equispaced nodes per axis over ±6σ, Gaussian weights normalised to sum 1. */
export class SmoothingQuadrature {
  readonly nodes: Float64Array
  readonly weights: Float64Array
  constructor(
    readonly sigma: number,
    readonly m: number,
  ) {
    this.nodes = new Float64Array(m)
    this.weights = new Float64Array(m)
    let sum = 0
    for (let i = 0; i < m; i++) {
      const u = -6 * sigma + (12 * sigma * i) / (m - 1)
      this.nodes[i] = u
      this.weights[i] = Math.exp(-(u * u) / (2 * sigma * sigma))
      sum += this.weights[i]
    }
    for (let i = 0; i < m; i++) this.weights[i] /= sum
  }

  /**
   * E_δ[h(x + δ)] for each vote in `votes` (null = the hard argmax vote), as a votes.length × K
   * row-major array of exact smoothed class probabilities.
   */
  smoothed(x1: number, x2: number, votes: readonly (SoftVote | null)[]): Float64Array {
    const { nodes, weights, m } = this
    const V = votes.length
    const out = new Float64Array(V * K)
    const z = new Float64Array(K)
    const h = new Float64Array(K)
    for (let i = 0; i < m; i++) {
      const wi = weights[i]
      const a = x1 + nodes[i]
      for (let j = 0; j < m; j++) {
        const w = wi * weights[j]
        qdaLogits(a, x2 + nodes[j], z)
        for (let v = 0; v < V; v++) {
          const vote = votes[v]
          if (vote === null) out[v * K + argmax3(z)] += w
          else {
            applyMap(vote.map, z, vote.t, h)
            out[v * K] += w * h[0]
            out[v * K + 1] += w * h[1]
            out[v * K + 2] += w * h[2]
          }
        }
      }
    }
    return out
  }
}

/** The exact radius of a smoothed function from its exact class probabilities, and its top class. */
export function exactRadius(p: ArrayLike<number>, sigma: number, tolerance = 0): { top: number; radius: number } {
  const top = argmax3(p)
  let runner = -1
  for (let k = 0; k < K; k++) if (k !== top && (runner < 0 || p[k] > p[runner])) runner = k
  // the exact radius loosened by `tolerance` in probability (pA up, pB down), kept finite
  const a = Math.min(p[top] + tolerance, 1 - 1e-16)
  const b = Math.max(p[runner] - tolerance, 1e-300)
  return { top, radius: (sigma / 2) * (normInv(a) - normInv(b)) }
}

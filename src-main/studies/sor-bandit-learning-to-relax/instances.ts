/**
 * The instance stream of `scripts/learning.m` / `scripts/contextual.m`: diagonal shifts
 * c_t = −0.15 + 0.6·Beta(a, b) and right-hand sides b_t ~ N(0, I_n) redrawn until ‖b_t‖ ≤ rhsNormMax
 * (`utils/truncated_normal.m`, whose bound is √n = 10).
 */
import type { Rng } from '../../numeric/rng'

/** Gamma(shape, 1) by Marsaglia & Tsang (2000); shape < 1 through Gamma(shape + 1)·U^(1/shape). */
export function sampleGamma(rng: Rng, shape: number): number {
  if (shape < 1) {
    const g = sampleGamma(rng, shape + 1)
    let u = rng.uniform()
    while (u === 0) u = rng.uniform()
    return g * Math.pow(u, 1 / shape)
  }
  const d = shape - 1 / 3
  const cc = 1 / Math.sqrt(9 * d)
  for (;;) {
    let x: number
    let v: number
    do {
      x = rng.normal()
      v = 1 + cc * x
    } while (v <= 0)
    v = v * v * v
    const u = rng.uniform()
    if (u < 1 - 0.0331 * x * x * x * x) return d * v
    if (u > 0 && Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v
  }
}

/** Beta(a, b) = X/(X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function sampleBeta(rng: Rng, a: number, b: number): number {
  const x = sampleGamma(rng, a)
  const y = sampleGamma(rng, b)
  return x / (x + y)
}

export type ShiftDistribution = 'high' | 'low'

/** Beta parameters of the two offset laws: high variance Beta(0.5, 1.5), low variance Beta(2, 6). */
export const SHIFT_BETA: Record<ShiftDistribution, readonly [number, number]> = {
  high: [0.5, 1.5],
  low: [2, 6],
}

/** c_t = −0.15 + 0.6·Beta(·, ·); always in [−0.15, 0.45]. */
export function sampleShift(rng: Rng, law: ShiftDistribution): number {
  const [a, b] = SHIFT_BETA[law]
  return -0.15 + 0.6 * sampleBeta(rng, a, b)
}

/** Fill `out` with N(0, I) draws, redrawing the whole vector until ‖out‖ ≤ normMax. */
export function sampleTruncatedNormal(rng: Rng, out: Float64Array, normMax: number): void {
  for (;;) {
    let s = 0
    for (let i = 0; i < out.length; i++) {
      const z = rng.normal()
      out[i] = z
      s += z * z
    }
    if (Math.sqrt(s) <= normMax) return
  }
}

/** A stream of T instances (c_t, b_t), drawn in order from one data stream. */
export interface InstanceStream {
  readonly T: number
  readonly n: number
  readonly shifts: Float64Array
  /** T×n row-major right-hand sides */
  readonly rhs: Float64Array
}

export function drawInstances(rng: Rng, T: number, n: number, law: ShiftDistribution, rhsNormMax: number): InstanceStream {
  const shifts = new Float64Array(T)
  const rhs = new Float64Array(T * n)
  for (let t = 0; t < T; t++) {
    shifts[t] = sampleShift(rng, law)
    sampleTruncatedNormal(rng, rhs.subarray(t * n, (t + 1) * n), rhsNormMax)
  }
  return { T, n, shifts, rhs }
}

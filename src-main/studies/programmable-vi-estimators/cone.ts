/**
 * The paper's "noisy cone" (Becker et al., PLDI 2024, Fig. 2 / Table 4): x, y ~ N(0, 10²),
 * z ~ N(x² + y², (0.1 + (x² + y²)/100)²) — both second arguments are standard deviations — with
 * z = 5 observed; a mean-field Gaussian guide over (x, y) with φ = (μ_x, μ_y, log σ_x, log σ_y).
 */
import type { Rng } from '../../numeric/rng'
import { add, exp, logMeanExp, normalLogPdf, normalReparam, seedParams, sub, type Dual } from './adev'

export const Z_OBS = 5
const PRIOR_SD = 10
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI)

/** log N(z; u, 0.1 + u/100) as a function of u = x² + y², with its derivative */
function likelihood(u: number): { f: number; df: number } {
  const s = 0.1 + u / 100
  const r = Z_OBS - u
  const f = (-0.5 * r * r) / (s * s) - Math.log(s) - HALF_LOG_2PI
  const df = r / (s * s) + (r * r) / (s * s * s) / 100 - 1 / (100 * s)
  return { f, df }
}

/** log p(x, y, z = 5) for dual x, y */
export function coneLogJoint(x: Dual, y: Dual): Dual {
  const u = x.v * x.v + y.v * y.v
  const { f, df } = likelihood(u)
  const prior = -0.5 * u / (PRIOR_SD * PRIOR_SD) - 2 * (Math.log(PRIOR_SD) + HALF_LOG_2PI)
  // ∂/∂x = 2x·(f'(u) − 1/(2σ₀²)), likewise for y
  const gx = 2 * x.v * (df - 0.5 / (PRIOR_SD * PRIOR_SD))
  const gy = 2 * y.v * (df - 0.5 / (PRIOR_SD * PRIOR_SD))
  return {
    v: f + prior,
    t0: gx * x.t0 + gy * y.t0,
    t1: gx * x.t1 + gy * y.t1,
    t2: gx * x.t2 + gy * y.t2,
    t3: gx * x.t3 + gy * y.t3,
  }
}

/** value-only log weight log p(x, y, 5) − log q(x, y) for a guide φ, drawing from rng */
export function coneLogWeight(rng: Rng, phi: ArrayLike<number>): number {
  const sx = Math.exp(phi[2])
  const sy = Math.exp(phi[3])
  const e1 = rng.normal()
  const e2 = rng.normal()
  const x = phi[0] + sx * e1
  const y = phi[1] + sy * e2
  const u = x * x + y * y
  const logp = likelihood(u).f - (0.5 * u) / (PRIOR_SD * PRIOR_SD) - 2 * (Math.log(PRIOR_SD) + HALF_LOG_2PI)
  const logq = -0.5 * (e1 * e1 + e2 * e2) - phi[2] - phi[3] - 2 * HALF_LOG_2PI
  return logp - logq
}

/**
 * One REPARAM estimate of IWAE-K (K = 1: the ELBO) at φ, as a dual: the log-mean-exp of K log
 * weights log p(x_k, y_k, 5) − log q(x_k, y_k), each particle drawn as (μ + σε) with the tangent
 * flowing through the sample (the `normal_reparam` primitive).
 */
export function coneIwaeEstimate(rng: Rng, phi: ArrayLike<number>, K: number): Dual {
  const [mx, my, lsx, lsy] = seedParams(phi)
  const sx = exp(lsx)
  const sy = exp(lsy)
  const w: Dual[] = new Array(K)
  for (let k = 0; k < K; k++) {
    w[k] = normalReparam(rng, mx, sx, (x) =>
      normalReparam(rng, my, sy, (y) => sub(coneLogJoint(x, y), add(normalLogPdf(x, mx, sx), normalLogPdf(y, my, sy)))),
    )
  }
  return K === 1 ? w[0] : logMeanExp(w)
}

/** IWELBO(K) at φ by Monte Carlo: the mean over `outer` draws of log (1/K) Σ_k w_k (value only). */
export function iwelbo(rng: Rng, phi: ArrayLike<number>, K: number, outer: number): number {
  let total = 0
  for (let o = 0; o < outer; o++) {
    let m = -Infinity
    const w = new Float64Array(K)
    for (let k = 0; k < K; k++) {
      w[k] = coneLogWeight(rng, phi)
      if (w[k] > m) m = w[k]
    }
    let s = 0
    for (let k = 0; k < K; k++) s += Math.exp(w[k] - m)
    total += m + Math.log(s / K)
  }
  return total / outer
}

/**
 * Exact log p(z = 5) by 1-D radial quadrature: under the prior, u = x² + y² ~ Exp(mean 2·10²), so
 * p(z) = ∫₀^∞ e^{−u/200}/200 · N(5; u, (0.1 + u/100)²) du; composite Simpson on [0, 200] with
 * 400 000 panels (the integrand is a bump of width ≈ 0.15 at u ≈ 5; the tail beyond 200 is < e^{−70}).
 */
export function coneLogEvidence(): number {
  const a = 0
  const b = 200
  const n = 400000
  const h = (b - a) / n
  const g = (u: number) => Math.exp(-u / 200) / 200 * Math.exp(likelihood(u).f)
  let s = g(a) + g(b)
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * g(a + i * h)
  return Math.log((s * h) / 3)
}

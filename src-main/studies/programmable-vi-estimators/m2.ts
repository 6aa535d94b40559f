/**
 * Model M2 (this study's hybrid model; not from the paper): c ~ Bern(½), μ ~ N(0, 1),
 * x_j ~ N(μ + (2c − 1)·1.5, 1), j = 1..5, observed x = (1.9, 2.4, 0.7, 1.6, 2.2).
 * Guide: q(c) = σ(φ₀), q(μ | c) = N(φ₁ + φ₂c, (e^{φ₃})²) — e^{φ₃} is the standard deviation.
 */
import {
  add,
  addConst,
  flip,
  log,
  logMeanExp,
  logSigmoid,
  mul,
  normal,
  exp,
  scale,
  seedParams,
  sigmoid,
  square,
  sub,
  type Adev,
  type Dual,
} from './adev'

export const X_OBS = [1.9, 2.4, 0.7, 1.6, 2.2]
export const SHIFT = 1.5
export const PHI0 = [0.3, -0.5, 1, -0.3]
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI)
const LOG_HALF = Math.log(0.5)

/**
 * log p(x, c, μ) for a dual μ. A scalar function of μ alone, so it is one chain-rule step:
 * f(μ) = log½ − ((n+1)/2)·log2π − ½μ² − ½Σ_j(x_j − a_c − μ)², f'(μ) = −μ + Σ_j(x_j − a_c − μ).
 */
export function logJoint(c: number, mu: Dual): Dual {
  const a = (2 * c - 1) * SHIFT
  const m = mu.v
  let f = LOG_HALF - (X_OBS.length + 1) * HALF_LOG_2PI - 0.5 * m * m
  let df = -m
  for (const x of X_OBS) {
    const r = x - a - m
    f -= 0.5 * r * r
    df += r
  }
  return { v: f, t0: mu.t0 * df, t1: mu.t1 * df, t2: mu.t2 * df, t3: mu.t3 * df }
}

/** The exact log evidence: x | c ~ N(a_c·1, I + 11ᵀ), mixed over c ~ Bern(½). */
export function logEvidence(): number {
  const n = X_OBS.length
  const terms = [0, 1].map((c) => {
    const a = (2 * c - 1) * SHIFT
    const r = X_OBS.map((x) => x - a)
    const s = r.reduce((p, q) => p + q, 0)
    const quad = r.reduce((p, q) => p + q * q, 0) - (s * s) / (1 + n)
    return LOG_HALF - n * HALF_LOG_2PI - 0.5 * Math.log(1 + n) - 0.5 * quad
  })
  const m = Math.max(...terms)
  return m + Math.log(terms.reduce((p, t) => p + Math.exp(t - m), 0))
}

/**
 * The exact ELBO(φ) in closed form, as a dual: its tangent is the exact gradient (forward-mode AD
 * of the closed form). ELBO = Σ_c q(c)[E_q(μ|c) log p(x, c, μ) − log q(c)] + H[N(·, e^{2φ₃})], with
 * E log N(μ; 0, 1) = −½log2π − ½(m² + s²), E Σ_j log N(x_j; μ + a, 1) = −(n/2)log2π − ½Σ_j[(x_j − a − m)² + s²].
 */
export function exactElbo(phi: ArrayLike<number>): Dual {
  const [p0, p1, p2, p3] = seedParams(phi)
  const s2 = exp(scale(p3, 2))
  const n = X_OBS.length
  let total = addConst(p3, 0.5 + HALF_LOG_2PI) // entropy of q(μ|c): ½log(2πe s²)
  for (const c of [0, 1]) {
    const qc = c === 1 ? sigmoid(p0) : sigmoid(scale(p0, -1))
    const logqc = c === 1 ? logSigmoid(p0) : logSigmoid(scale(p0, -1))
    const m = add(p1, scale(p2, c))
    const a = (2 * c - 1) * SHIFT
    let e = addConst(scale(add(square(m), s2), -0.5), LOG_HALF - (n + 1) * HALF_LOG_2PI)
    for (const x of X_OBS) e = sub(e, scale(add(square(addConst(m, a - x)), s2), 0.5))
    total = add(total, mul(qc, sub(e, logqc)))
  }
  return total
}

export const klExact = (phi: ArrayLike<number>, logZ = logEvidence()): number => logZ - exactElbo(phi).v

/**
 * One single-sample ELBO gradient estimate: E_q[log p − log q] with the c site under the discrete
 * strategy and the μ site under the continuous one. The −log q terms are functions of the dual φ,
 * so L̇ carries the explicit ∂_φ of the integrand (spec pitfall 1).
 */
export function elboEstimate(ad: Adev, phi: ArrayLike<number>): Dual {
  const [p0, p1, p2, p3] = seedParams(phi)
  const pc = sigmoid(p0)
  const s = exp(p3)
  return flip(ad, pc, (c) => {
    const m = add(p1, scale(p2, c))
    const logqc = c === 1 ? logSigmoid(p0) : logSigmoid(scale(p0, -1))
    return normal(ad, m, s, (mu) => sub(sub(logJoint(c, mu), logqc), logNormal(mu, m, s)))
  })
}

/** log N(x; m, s) for dual x, m, s (the guide's density inside the integrand) */
function logNormal(x: Dual, m: Dual, s: Dual): Dual {
  const z = mul(sub(x, m), exp(scale(log(s), -1)))
  return sub(addConst(scale(square(z), -0.5), -HALF_LOG_2PI), log(s))
}

/**
 * One IWAE-K gradient estimate: log (1/K) Σ_k p(x, c_k, μ_k)/q(c_k, μ_k), the K particles nested in
 * the continuations (particle k's continuation runs particles k+1..K and the log-mean-exp).
 * ENUM costs 2^K leaves: K ≤ 10 is enforced by the study's validation.
 */
export function iwaeEstimate(ad: Adev, phi: ArrayLike<number>, K: number): Dual {
  const [p0, p1, p2, p3] = seedParams(phi)
  const pc = sigmoid(p0)
  const s = exp(p3)
  const weights: Dual[] = new Array(K)
  const particle = (k: number): Dual => {
    if (k === K) return logMeanExp(weights)
    return flip(ad, pc, (c) => {
      const m = add(p1, scale(p2, c))
      const logqc = c === 1 ? logSigmoid(p0) : logSigmoid(scale(p0, -1))
      return normal(ad, m, s, (mu) => {
        weights[k] = sub(sub(logJoint(c, mu), logqc), logNormal(mu, m, s))
        return particle(k + 1)
      })
    })
  }
  return particle(0)
}

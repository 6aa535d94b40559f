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
import type { Rng } from '../../numeric/rng'

export const X_OBS = [1.9, 2.4, 0.7, 1.6, 2.2]
export const SHIFT = 1.5
export const PHI0 = [0.3, -0.5, 1, -0.3]
const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI)
const LOG_HALF = Math.log(0.5)
/** log p(x, c, μ) + ½μ² + ½Σ_j r_j²: logJoint's starting value */
const JOINT_CONST = LOG_HALF - (X_OBS.length + 1) * HALF_LOG_2PI

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

/**
 * `elboEstimate` under ENUM at c and REPARAM at μ (the estimator test's default), written out as
 * scalar code: the dual operations of elboEstimate expanded by hand, with every quantity that
 * depends on φ alone (σ(φ₀), e^{φ₃}, log q(c), the guide's log-scale and its reciprocal) computed
 * once by the same dual operations, so each estimate costs two normal draws and two passes over
 * the five observations, with no dual objects or closures. Each value and tangent is the same
 * floating-point expression, in the same order, as the interpreter's (terms it adds that are
 * exact zeros are left out), so the estimates agree to the bit; the unit test checks this draw
 * for draw.
 */
export class ElboEnumReparam {
  /** σ(φ₀) and its φ₀-tangent; 1 − σ(φ₀) as the dual 1 + (−1)·σ */
  private readonly p: number
  private readonly dp: number
  private readonly q: number
  private readonly dq: number
  /** e^{φ₃} */
  private readonly sd: number
  /** m_c = φ₁ + φ₂c and log q(c) (value and φ₀-tangent) for c = 1 and c = 0 */
  private readonly m1: number
  private readonly m0: number
  private readonly lq1: number
  private readonly lq1t: number
  private readonly lq0: number
  private readonly lq0t: number
  /** log s, its φ₃-tangent, and e^{−log s} with its φ₃-tangent (logNormal's 1/s) */
  private readonly ls: number
  private readonly lst: number
  private readonly w: number
  private readonly wt: number

  constructor(phi: ArrayLike<number>) {
    const [p0, , , p3] = seedParams(phi)
    const pc = sigmoid(p0)
    this.p = pc.v
    this.dp = pc.t0
    const q = addConst(scale(pc, -1), 1)
    this.q = q.v
    this.dq = q.t0
    const s = exp(p3)
    this.sd = s.v
    this.m1 = phi[1] + phi[2] * 1
    this.m0 = phi[1] + phi[2] * 0
    const lq1 = logSigmoid(p0)
    const lq0 = logSigmoid(scale(p0, -1))
    this.lq1 = lq1.v
    this.lq1t = lq1.t0
    this.lq0 = lq0.v
    this.lq0t = lq0.t0
    const ls = log(s)
    this.ls = ls.v
    this.lst = ls.t3
    const w = exp(scale(ls, -1))
    this.w = w.v
    this.wt = w.t3
  }

  /**
   * One estimate: draws ε for c = 1 then for c = 0 (the interpreter's order), writes the tangent
   * (∂φ₀..∂φ₃) into g[at..at+3] and returns the value.
   */
  estimate(rng: Rng, g: Float64Array, at: number): number {
    const { p, dp, q, dq, sd, w, wt, ls, lst } = this
    // c = 1: μ = m₁ + sε (tangent (0, 1, 1, sε)); k₁ = log p(x, 1, μ) − log q(1) − log N(μ; m₁, s)
    const se1 = sd * rng.normal()
    const mu1 = this.m1 + se1
    let f1 = JOINT_CONST - 0.5 * mu1 * mu1
    let df1 = -mu1
    for (let j = 0; j < X_OBS.length; j++) {
      const r = X_OBS[j] - SHIFT - mu1
      f1 -= 0.5 * r * r
      df1 += r
    }
    const d1 = mu1 - this.m1
    const z1 = d1 * w
    const z1t = se1 * w + d1 * wt
    const k1 = f1 - this.lq1 - (z1 * z1 * -0.5 + -HALF_LOG_2PI - ls)
    const k1t0 = -this.lq1t
    const k1t3 = se1 * df1 - (z1t * (2 * z1) * -0.5 - lst)
    // c = 0: μ = m₀ + sε (tangent (0, 1, 0, sε))
    const se0 = sd * rng.normal()
    const mu0 = this.m0 + se0
    let f0 = JOINT_CONST - 0.5 * mu0 * mu0
    let df0 = -mu0
    for (let j = 0; j < X_OBS.length; j++) {
      const r = X_OBS[j] - -SHIFT - mu0
      f0 -= 0.5 * r * r
      df0 += r
    }
    const d0 = mu0 - this.m0
    const z0 = d0 * w
    const z0t = se0 * w + d0 * wt
    const k0 = f0 - this.lq0 - (z0 * z0 * -0.5 + -HALF_LOG_2PI - ls)
    const k0t0 = -this.lq0t
    const k0t3 = se0 * df0 - (z0t * (2 * z0) * -0.5 - lst)
    // ENUM: σ·k₁ + (1 − σ)·k₀ in dual arithmetic
    g[at] = dp * k1 + p * k1t0 + (dq * k0 + q * k0t0)
    g[at + 1] = p * df1 + q * df0
    g[at + 2] = p * df1
    g[at + 3] = p * k1t3 + q * k0t3
    return p * k1 + q * k0
  }
}

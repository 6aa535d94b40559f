/**
 * A small ADEV (Lew et al., POPL 2023; Becker et al., PLDI 2024 §4) in TypeScript: forward-mode dual
 * numbers over the P = 4 guide parameters, and per-site gradient-estimator primitives in
 * continuation-passing style. Each primitive takes the site's distribution parameters (duals) and a
 * continuation k: value ⇒ Dual, and returns an unbiased dual for E[k] — value and ∂_φ E[k].
 *
 * Both models of this study have exactly P = 4 guide parameters, so a Dual carries its tangent in
 * four scalar fields instead of a Float64Array: no array allocation per dual operation (the spec's
 * cost note: allocation dominated an interpreted implementation).
 */
import type { Rng } from '../../numeric/rng'

export interface Dual {
  v: number
  t0: number
  t1: number
  t2: number
  t3: number
}

export const dual = (v: number, t0 = 0, t1 = 0, t2 = 0, t3 = 0): Dual => ({ v, t0, t1, t2, t3 })
export const constant = (v: number): Dual => ({ v, t0: 0, t1: 0, t2: 0, t3: 0 })
/** φ as duals: parameter i has unit tangent in direction i */
export const seedParams = (phi: ArrayLike<number>): Dual[] => [dual(phi[0], 1), dual(phi[1], 0, 1), dual(phi[2], 0, 0, 1), dual(phi[3], 0, 0, 0, 1)]
export const tangent = (a: Dual): [number, number, number, number] => [a.t0, a.t1, a.t2, a.t3]

export const add = (a: Dual, b: Dual): Dual => ({ v: a.v + b.v, t0: a.t0 + b.t0, t1: a.t1 + b.t1, t2: a.t2 + b.t2, t3: a.t3 + b.t3 })
export const sub = (a: Dual, b: Dual): Dual => ({ v: a.v - b.v, t0: a.t0 - b.t0, t1: a.t1 - b.t1, t2: a.t2 - b.t2, t3: a.t3 - b.t3 })
export const mul = (a: Dual, b: Dual): Dual => ({
  v: a.v * b.v,
  t0: a.t0 * b.v + a.v * b.t0,
  t1: a.t1 * b.v + a.v * b.t1,
  t2: a.t2 * b.v + a.v * b.t2,
  t3: a.t3 * b.v + a.v * b.t3,
})
export const scale = (a: Dual, s: number): Dual => ({ v: a.v * s, t0: a.t0 * s, t1: a.t1 * s, t2: a.t2 * s, t3: a.t3 * s })
export const addConst = (a: Dual, c: number): Dual => ({ v: a.v + c, t0: a.t0, t1: a.t1, t2: a.t2, t3: a.t3 })
/** f(a) with f' = df at a.v */
const chain = (a: Dual, v: number, df: number): Dual => ({ v, t0: a.t0 * df, t1: a.t1 * df, t2: a.t2 * df, t3: a.t3 * df })
export const exp = (a: Dual): Dual => {
  const e = Math.exp(a.v)
  return chain(a, e, e)
}
export const log = (a: Dual): Dual => chain(a, Math.log(a.v), 1 / a.v)
export const square = (a: Dual): Dual => chain(a, a.v * a.v, 2 * a.v)
export const div = (a: Dual, b: Dual): Dual => mul(a, chain(b, 1 / b.v, -1 / (b.v * b.v)))
export const sigmoid = (a: Dual): Dual => {
  const s = a.v >= 0 ? 1 / (1 + Math.exp(-a.v)) : Math.exp(a.v) / (1 + Math.exp(a.v))
  return chain(a, s, s * (1 - s))
}
/** log σ(a), stable for large |a| */
export const logSigmoid = (a: Dual): Dual => {
  const v = a.v >= 0 ? -Math.log1p(Math.exp(-a.v)) : a.v - Math.log1p(Math.exp(a.v))
  const s = a.v >= 0 ? 1 / (1 + Math.exp(-a.v)) : Math.exp(a.v) / (1 + Math.exp(a.v))
  return chain(a, v, 1 - s)
}

const HALF_LOG_2PI = 0.5 * Math.log(2 * Math.PI)

/** log N(x; m, s²) with s the standard deviation, all duals */
export function normalLogPdf(x: Dual, m: Dual, s: Dual): Dual {
  const z = div(sub(x, m), s)
  return sub(addConst(scale(square(z), -0.5), -HALF_LOG_2PI), log(s))
}
/** log N(x; m, s²) for a constant x and constant s: no dual arithmetic in the scale */
export function normalLogPdfConstScale(x: Dual, m: number, s: number): Dual {
  const z = scale(addConst(x, -m), 1 / s)
  return addConst(scale(square(z), -0.5), -HALF_LOG_2PI - Math.log(s))
}

/**
 * log (1/K) Σ_k e^{w_k} in dual arithmetic with max-subtraction (spec pitfall 4): the tangent is
 * the softmax(w)-weighted mean of the tangents.
 */
export function logMeanExp(w: readonly Dual[]): Dual {
  let m = -Infinity
  for (const a of w) if (a.v > m) m = a.v
  let s = 0
  let t0 = 0
  let t1 = 0
  let t2 = 0
  let t3 = 0
  for (const a of w) {
    const e = Math.exp(a.v - m)
    s += e
    t0 += e * a.t0
    t1 += e * a.t1
    t2 += e * a.t2
    t3 += e * a.t3
  }
  return { v: m + Math.log(s / w.length), t0: t0 / s, t1: t1 / s, t2: t2 / s, t3: t3 / s }
}

export type DiscreteStrategy = 'reinforce' | 'reinforce+baseline' | 'mvd' | 'enum'
export type ContinuousStrategy = 'reinforce' | 'reparam'

/**
 * The estimation context: the random stream, the strategies, the baseline constant, and the
 * value-only mode used for MVD's rerun k̄(¬v). In value-only mode every primitive just samples and
 * returns the continuation's value (any unbiased estimate of the value is a valid k̄; tangents of
 * the rerun are never used: spec pitfall 2).
 */
export interface Adev {
  rng: Rng
  discrete: DiscreteStrategy
  continuous: ContinuousStrategy
  baseline: number
  valueOnly: boolean
}

/** REINFORCE: (L, L̇ + (L − b)·∂log q(v; θ)) with (L, L̇) = k(v); b = 0 without a baseline. */
function reinforce(L: Dual, logq: Dual, b: number): Dual {
  const f = L.v - b
  return { v: L.v, t0: L.t0 + f * logq.t0, t1: L.t1 + f * logq.t1, t2: L.t2 + f * logq.t2, t3: L.t3 + f * logq.t3 }
}

/** A Bernoulli(p) site (p a dual in (0, 1)) under the context's discrete strategy. */
export function flip(ad: Adev, p: Dual, k: (c: number) => Dual): Dual {
  if (ad.valueOnly) return k(ad.rng.uniform() < p.v ? 1 : 0)
  switch (ad.discrete) {
    case 'enum': {
      // p·k(1) + (1 − p)·k(0) in dual arithmetic
      const k1 = k(1)
      const k0 = k(0)
      return add(mul(p, k1), mul(addConst(scale(p, -1), 1), k0))
    }
    case 'mvd': {
      // (L, L̇ + (−1)^v (k̄(¬v) − L) ṗ): the measure-valued derivative of Bernoulli(p) is δ₁ − δ₀
      const v = ad.rng.uniform() < p.v ? 1 : 0
      const L = k(v)
      ad.valueOnly = true
      const other = k(1 - v).v
      ad.valueOnly = false
      const f = (v === 1 ? -1 : 1) * (other - L.v)
      return { v: L.v, t0: L.t0 + f * p.t0, t1: L.t1 + f * p.t1, t2: L.t2 + f * p.t2, t3: L.t3 + f * p.t3 }
    }
    case 'reinforce':
    case 'reinforce+baseline': {
      const v = ad.rng.uniform() < p.v ? 1 : 0
      const L = k(v)
      const logq = v === 1 ? log(p) : log(addConst(scale(p, -1), 1))
      return reinforce(L, logq, ad.discrete === 'reinforce' ? 0 : ad.baseline)
    }
  }
}

/** A Normal(m, s) site (s the standard deviation) under the context's continuous strategy. */
export function normal(ad: Adev, m: Dual, s: Dual, k: (x: Dual) => Dual): Dual {
  const eps = ad.rng.normal()
  if (ad.valueOnly) return k(constant(m.v + s.v * eps))
  if (ad.continuous === 'reparam') return k(add(m, scale(s, eps))) // the tangent flows through m + sε
  const x = constant(m.v + s.v * eps)
  const L = k(x)
  return reinforce(L, normalLogPdf(x, m, s), 0)
}

/** REPARAM regardless of the context's strategy (the cone's guide). */
export function normalReparam(rng: Rng, m: Dual, s: Dual, k: (x: Dual) => Dual): Dual {
  return k(add(m, scale(s, rng.normal())))
}

/**
 * ALF-LB (Wang et al. 2024, arXiv 2408.15664, Algorithm 1) read as dual subgradient steps on the
 * balanced assignment LP (Han & Zhong 2025, arXiv 2512.03915): deterministic (one batch, many
 * steps) and online (a fresh batch per step, b_k fixed before batch k is seen).
 */
import type { SolveContext } from '../../kit'
import { drawBatch, drawRouter, type Router } from './data'
import { assignmentLpOptimum, idleExperts, maxViolation, recentre, routeBatch } from './routing'

export type BiasRule = 'none' | 'sign' | 'linear' | 'constantProportional' | 'oneOverK'

export interface RuleConfig {
  rule: BiasRule
  /** sign / linear step u */
  u: number
  /** constant of η_k = (c/k)/L */
  c: number
  /** constant of the constant proportional rule */
  constantStep: number
}

/**
 * One bias update after a batch with loads `loads` (L = target load, k = 1-based step):
 *  - sign (Wang et al. Alg. 1):       b_i ← b_i + u·sign(L − load_i)
 *  - linear (Wang et al. variant):    b_i ← b_i + u·(L − load_i)
 *  - constantProportional:            b_i ← b_i + s·(L − load_i)/L
 *  - oneOverK (diminishing dual step): b_i ← b_i + (c/k)·(L − load_i)/L, i.e. η_k = (c/k)/L
 *  - none:                            b = 0
 * then the gauge b ← b − mean(b). Since ∂D/∂b_i = load_i − L, each is a (sign-)subgradient step on D.
 */
export function updateBias(b: Float64Array, loads: Float64Array, L: number, k: number, cfg: RuleConfig): void {
  const E = b.length
  switch (cfg.rule) {
    case 'none':
      b.fill(0)
      return
    case 'sign':
      for (let i = 0; i < E; i++) b[i] += cfg.u * Math.sign(L - loads[i])
      break
    case 'linear':
      for (let i = 0; i < E; i++) b[i] += cfg.u * (L - loads[i])
      break
    case 'constantProportional':
      for (let i = 0; i < E; i++) b[i] += (cfg.constantStep * (L - loads[i])) / L
      break
    case 'oneOverK':
      for (let i = 0; i < E; i++) b[i] += ((cfg.c / k) * (L - loads[i])) / L
      break
  }
  recentre(b)
}

/**
 * Sensitivity κ = −Δload_i/Δb_i (tokens per unit bias), averaged over experts, by central finite
 * differences of the loads at b = 0 with step h; the 1/k constant is then c ≈ 1.5·L/κ.
 */
export function loadSensitivity(scores: Float64Array, batches: number, m: number, E: number, K: number, h = 0.02): number {
  const b = new Float64Array(E)
  const lp = new Float64Array(E)
  const lm = new Float64Array(E)
  const picks = new Int32Array(K)
  let total = 0
  for (let i = 0; i < E; i++) {
    let dl = 0
    for (let q = 0; q < batches; q++) {
      b.fill(0)
      b[i] = h
      routeBatch(scores, q * m * E, m, E, K, b, lp, picks)
      b[i] = -h
      routeBatch(scores, q * m * E, m, E, K, b, lm, picks)
      dl += (lp[i] - lm[i]) / (2 * h)
    }
    total += dl / batches
  }
  return total / E
}

export interface DeterministicConfig extends RuleConfig {
  E: number
  K: number
  m: number
  dim: number
  skew: number
  iterations: number
}

export function runDeterministic(cfg: DeterministicConfig, ctx: SolveContext): void {
  const { E, K, m } = cfg
  const L = (m * K) / E
  const rng = ctx.stream('data')
  const router = drawRouter(rng, E, cfg.dim, cfg.skew)
  const scores = new Float64Array(m * E)
  drawBatch(rng, router, m, router.beta, scores, 0)
  const lpOptimum = assignmentLpOptimum(scores, 0, m, E, K)
  const kappa = loadSensitivity(scores, 1, m, E, K)
  const b = new Float64Array(E)
  const loads = new Float64Array(E)
  const loads0 = new Float64Array(E)
  const picks = new Int32Array(K)
  let prevDual = Infinity
  let monotoneUntil = -1
  const greedy = routeBatch(scores, 0, m, E, K, b, loads0, picks)
  for (let k = 0; k <= cfg.iterations; k++) {
    if (ctx.cancelled) return
    const r = routeBatch(scores, 0, m, E, K, b, loads, picks)
    ctx.count('routing')
    // "monotone" = no increase between consecutive iterates, up to round-off (1e-12 relative)
    if (monotoneUntil < 0 && k > 0 && r.dual > prevDual + 1e-12 * Math.abs(prevDual)) {
      monotoneUntil = k - 1
      ctx.event('monotoneEnds', k, `D(b_${k}) > D(b_${k - 1}): D decreased monotonically over iterations 0..${k - 1}`)
    }
    prevDual = r.dual
    const row: Record<string, number | ArrayLike<number>> = {
      dual: r.dual,
      dualGap: Math.max(r.dual - lpOptimum, 0),
      maxVio: maxViolation(loads, L),
      idleExperts: idleExperts(loads),
      routedScore: r.routedScore,
      greedyScore: greedy.routedScore,
      lpOptimum,
      loads,
      bias: b,
    }
    if (k === 0) {
      row.kappa = kappa
      row.suggestedC = (1.5 * L) / kappa
    }
    ctx.record(k, row)
    if (k < cfg.iterations) updateBias(b, loads, L, k + 1, cfg)
    if ((k & 63) === 0) ctx.progress(k / cfg.iterations)
  }
  if (monotoneUntil < 0) ctx.event('monotoneEnds', cfg.iterations, 'D decreased monotonically over the whole run')
  // loads at b = 0 and at the end, per expert (figure loads-before-after)
  for (let i = 0; i < E; i++) ctx.record(cfg.iterations, { expert: i, loadInitial: loads0[i], loadFinal: loads[i], targetLoad: L })
  ctx.progress(1)
}

export interface OnlineConfig extends RuleConfig {
  E: number
  K: number
  m: number
  dim: number
  skew: number
  batches: number
  driftBeta: boolean
  /** subgradient iterations for b* on the pooled batches */
  referenceIterations: number
}

/** Batches of the online setting: the fixed router, then n fresh batches (β drifting optionally). */
export function drawOnlineBatches(ctx: SolveContext, cfg: OnlineConfig): { router: Router; scores: Float64Array } {
  const rng = ctx.stream('data')
  const router = drawRouter(rng, cfg.E, cfg.dim, cfg.skew)
  const scores = new Float64Array(cfg.batches * cfg.m * cfg.E)
  const beta = Float64Array.from(router.beta)
  const drift = ctx.stream('drift')
  for (let q = 0; q < cfg.batches; q++) {
    // drift model (this study's choice): a Gaussian random walk of β with step 0.02·skew per batch
    if (cfg.driftBeta && q > 0) for (let i = 0; i < cfg.E; i++) beta[i] += 0.02 * cfg.skew * drift.normal()
    drawBatch(rng, router, cfg.m, beta, scores, q * cfg.m * cfg.E)
  }
  return { router, scores }
}

/**
 * b* = argmin_b Σ_k D_k(b) on the pooled batches, by diminishing-step subgradient descent
 * b ← b + (c_ref/j)·(nL − load)/(nL) with c_ref = 1.5·L/κ (κ measured on up to 20 of the batches), keeping
 * the best iterate (schedule: this study’s choice; the spec leaves it open).
 */
export function pooledMinimiser(
  scores: Float64Array,
  n: number,
  m: number,
  E: number,
  K: number,
  iterations: number,
  isCancelled: () => boolean = () => false,
): { b: Float64Array; value: number } {
  const L = (m * K) / E
  const kappa = loadSensitivity(scores, Math.min(n, 20), m, E, K)
  const cStar = (1.5 * L) / kappa
  const b = new Float64Array(E)
  const best = new Float64Array(E)
  const loads = new Float64Array(E)
  const pooled = new Float64Array(E)
  const picks = new Int32Array(K)
  let bestValue = Infinity
  for (let j = 1; j <= iterations + 1; j++) {
    if (isCancelled()) break
    pooled.fill(0)
    let value = 0
    for (let q = 0; q < n; q++) {
      value += routeBatch(scores, q * m * E, m, E, K, b, loads, picks).dual
      for (let i = 0; i < E; i++) pooled[i] += loads[i]
    }
    if (value < bestValue) {
      bestValue = value
      best.set(b)
    }
    if (j > iterations) break
    for (let i = 0; i < E; i++) b[i] += ((cStar / j) * (n * L - pooled[i])) / (n * L)
    recentre(b)
  }
  return { b: best, value: bestValue }
}

const pooledCache = new Map<string, { b: Float64Array; value: number; perBatch: Float64Array }>()

export function runOnline(cfg: OnlineConfig, ctx: SolveContext): void {
  const { E, K, m, batches: n } = cfg
  const L = (m * K) / E
  const { scores } = drawOnlineBatches(ctx, cfg)
  ctx.progress(0.05)
  // b* is the same for every rule on the same data: memoised per (seed, data params)
  const key = JSON.stringify([ctx.seed, E, K, m, cfg.dim, cfg.skew, n, cfg.driftBeta, cfg.referenceIterations])
  let ref = pooledCache.get(key)
  if (!ref) {
    const { b, value } = pooledMinimiser(scores, n, m, E, K, cfg.referenceIterations, () => ctx.cancelled)
    if (ctx.cancelled) return
    const perBatch = new Float64Array(n)
    const loads = new Float64Array(E)
    const picks = new Int32Array(K)
    for (let q = 0; q < n; q++) perBatch[q] = routeBatch(scores, q * m * E, m, E, K, b, loads, picks).dual
    ref = { b, value, perBatch }
    pooledCache.clear()
    pooledCache.set(key, ref)
  }
  if (ctx.cancelled) return
  ctx.progress(0.5)
  const b = new Float64Array(E)
  const loads = new Float64Array(E)
  const picks = new Int32Array(K)
  let regret = 0
  for (let k = 1; k <= n; k++) {
    if (ctx.cancelled) return
    const off = (k - 1) * m * E
    // b_k was set before batch k: D_k(b_k), and MaxVio on the batch b_k has not seen
    const r = routeBatch(scores, off, m, E, K, b, loads, picks)
    ctx.count('routing')
    regret += r.dual - ref.perBatch[k - 1]
    ctx.record(k, {
      cumRegret: regret,
      regretIncrement: r.dual - ref.perBatch[k - 1],
      dual: r.dual,
      maxVio: maxViolation(loads, L),
      idleExperts: idleExperts(loads),
      routedScore: r.routedScore,
      loads,
      bias: b,
      biasStarDistance: distance(b, ref.b),
    })
    updateBias(b, loads, L, k, cfg)
    ctx.progress(0.5 + (0.5 * k) / n)
  }
  for (let i = 0; i < E; i++) ctx.record(n, { expert: i, biasStar: ref.b[i] })
}

function distance(x: Float64Array, y: Float64Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += (x[i] - y[i]) ** 2
  return Math.sqrt(s)
}

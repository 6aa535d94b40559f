/**
 * Algorithm 1 of Semenov, Jaggi & Doikov (2025): the gradient-regularised Newton method with an
 * adaptive estimate γ_k of the Gradient-Normalized Smoothness, transcribed from the repository's
 * `grad_norm_smooth` (src/methods.py).
 */
import type { SolveContext } from '../../kit'
import { CholeskySolver } from './cholesky'
import type { Metric } from './metric'
import type { HessianModel, Objective } from './problems'

export interface GnsOptions {
  model: HessianModel
  gamma0: number
  /** guard in λ_k = ‖g_k‖_* / (γ_k + ε) */
  eps: number
  gammaMin: number
  maxTries: number
  tol: number
  maxIter: number
}

export interface GnsResult {
  x: Float64Array
  iterations: number
  reached: boolean
}

/**
 * Algorithm 1 (gradient-regularised Newton with adaptive γ). At x_k with g_k = ∇f(x_k) and the
 * (exact or approximate) Hessian H_k, repeat up to `maxTries` times:
 *   λ_k = ‖g_k‖_* / (γ_k + ε),   Δ = −(H_k + λ_k·B)⁻¹ g_k   (one Cholesky factorisation),
 *   accept if f(x_k) − f(x_k + Δ) ≥ ‖∇f(x_k + Δ)‖²_* / (8·λ_k)   (gradient at the trial point),
 *   then γ_{k+1} = max(2γ_k, γ_min); otherwise γ_k ← γ_k/2 and retry.
 * As in the repository, when every try is rejected the last trial point is taken anyway (event
 * `searchExhausted`). A failed factorisation counts as a rejected try (event `choleskyFailed`);
 * the repository instead leaves the search and reuses the previous Δ (see README).
 * Stops when f(x_k) − f* < tol. Each row k records the state x_k: f − f*, ‖g_k‖_*, γ_k, and for
 * k ≥ 1 the λ and the number of tries of the step that produced x_k.
 * Oracles: func and grad (one each per try, plus the start), hess or hessApprox (one per
 * iteration), solve (one factorisation of H_k + λ_k·B per try).
 */
export function gradNormSmooth(obj: Objective, metric: Metric, o: GnsOptions, ctx: SolveContext): GnsResult {
  const n = obj.n
  const B = metric.B
  const x = new Float64Array(obj.x0)
  let g = new Float64Array(n)
  let gNew = new Float64Array(n)
  const xTrial = new Float64Array(n)
  const delta = new Float64Array(n)
  const H = new Float64Array(n * n)
  const chol = new CholeskySolver(n)
  const hessOracle = o.model === 'exact' ? 'hess' : 'hessApprox'

  let f = obj.valueAndGradient(x, g)
  ctx.count('func')
  ctx.count('grad')
  let gNorm = Math.sqrt(metric.dualNormSq(g))
  let gamma = o.gamma0
  const gap0 = f - obj.fStar
  let prevGap = NaN
  let lastLambda = NaN
  let lastTries = 0

  for (let k = 0; k <= o.maxIter; k++) {
    const gap = f - obj.fStar
    const row: Record<string, number> = { gap, gradNorm: gNorm, gamma }
    if (k > 0) {
      row.lambda = lastLambda
      row.tries = lastTries
      if (prevGap > 0) row.contraction = gap / prevGap
    }
    ctx.record(k, row)
    if (gap < o.tol) return { x, iterations: k, reached: true }
    if (k === o.maxIter || ctx.cancelled) return { x, iterations: k, reached: false }
    ctx.progress(progressOf(k, o.maxIter, gap0, gap, o.tol))
    prevGap = gap

    obj.hessian(x, o.model, H)
    ctx.count(hessOracle)

    let accepted = false
    let moved = false
    let tries = 0
    let fNew = NaN
    let gNewSq = NaN
    let lambda = NaN
    for (let i = 0; i < o.maxTries; i++) {
      tries++
      lambda = gNorm / (gamma + o.eps)
      ctx.count('solve')
      // H_k + λ_k·B, formed entry by entry inside the factorisation (lower triangle only)
      if (!chol.factor(H, lambda, B)) {
        ctx.event('choleskyFailed', k + 1, `H + λB not positive definite at λ = ${lambda}`)
        gamma *= 0.5
        continue
      }
      for (let j = 0; j < n; j++) delta[j] = -g[j]
      chol.solveInPlace(delta)
      for (let j = 0; j < n; j++) xTrial[j] = x[j] + delta[j]
      fNew = obj.valueAndGradient(xTrial, gNew)
      ctx.count('func')
      ctx.count('grad')
      gNewSq = metric.dualNormSq(gNew)
      moved = true
      if (f - fNew >= gNewSq / (8 * lambda)) {
        gamma = Math.max(gamma * 2, o.gammaMin)
        accepted = true
        break
      }
      gamma *= 0.5
      if (ctx.cancelled) return { x, iterations: k, reached: false }
    }
    if (!moved) {
      ctx.event('stalled', k + 1, 'no factorisation of H + λB succeeded in the γ-search')
      return { x, iterations: k, reached: false }
    }
    if (!accepted) ctx.event('searchExhausted', k + 1, `${o.maxTries} tries rejected; the last trial point is taken`)

    x.set(xTrial)
    f = fNew
    const swap = g
    g = gNew
    gNew = swap
    gNorm = Math.sqrt(gNewSq)
    lastLambda = lambda
    lastTries = tries
  }
  return { x, iterations: o.maxIter, reached: false }
}

/** Progress: the larger of the iteration fraction and the log-gap fraction towards tol. */
export function progressOf(k: number, maxIter: number, gap0: number, gap: number, tol: number): number {
  const byIter = k / maxIter
  const byGap = gap0 > tol && gap > 0 ? Math.log(gap0 / gap) / Math.log(gap0 / tol) : 0
  return Math.min(1, Math.max(byIter, byGap, 0))
}

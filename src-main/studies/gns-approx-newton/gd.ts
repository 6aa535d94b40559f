/**
 * The gradient-method baseline of the repository (`gradient_method`, src/methods.py): gradient
 * descent in the metric B with backtracking on the smoothness estimate L.
 */
import type { SolveContext } from '../../kit'
import { progressOf } from './gns'
import type { Metric } from './metric'
import type { Objective } from './problems'

export interface GdOptions {
  L0: number
  Lmin: number
  maxBacktracks: number
  tol: number
  maxIter: number
}

/**
 * Gradient method with backtracking on L (the repository's `gradient_method`):
 *   T = x_k − (1/L)·B⁻¹g_k,
 *   accept if f(T) ≤ f(x_k) + ⟨g_k, T − x_k⟩ + (L/2)‖T − x_k‖²_B, then L ← max(L/2, L_min);
 *   otherwise L ← 2L and retry (at most `maxBacktracks` tries; then the last T is taken, event
 *   `backtrackExhausted`). x_{k+1} = T and g_{k+1} = ∇f(T).
 * With T − x_k = −B⁻¹g_k/L the model value is f(x_k) − ‖g_k‖²_* / (2L), which is what is compared.
 * B = I is the Euclidean gradient method; B = AᵀA the notebook's "Gauss–Newton" curve.
 * Stops when f − f* < tol (the repository runs all iterations; its plots cut at the same
 * threshold). Oracles: func per try, grad per iteration (plus the start).
 */
export function gradientMethod(obj: Objective, metric: Metric, o: GdOptions, ctx: SolveContext): { iterations: number; reached: boolean } {
  const n = obj.n
  const x = new Float64Array(obj.x0)
  const g = new Float64Array(n)
  const d = new Float64Array(n)
  const T = new Float64Array(n)
  let f = obj.valueAndGradient(x, g)
  ctx.count('func')
  ctx.count('grad')
  let L = o.L0
  const gap0 = f - obj.fStar
  let prevGap = NaN
  let lastTries = 0

  for (let k = 0; k <= o.maxIter; k++) {
    // B⁻¹g_k does not depend on L: one preconditioner application per iteration
    metric.applyInverse(g, d)
    let q = 0
    for (let j = 0; j < n; j++) q += g[j] * d[j]
    const gap = f - obj.fStar
    const row: Record<string, number> = { gap, gradNorm: Math.sqrt(q), L }
    if (k > 0) {
      row.tries = lastTries
      if (prevGap > 0) row.contraction = gap / prevGap
    }
    ctx.record(k, row)
    if (gap < o.tol) return { iterations: k, reached: true }
    if (k === o.maxIter || ctx.cancelled) return { iterations: k, reached: false }
    if ((k & 63) === 0) ctx.progress(progressOf(k, o.maxIter, gap0, gap, o.tol))
    prevGap = gap

    let fT = NaN
    let accepted = false
    let tries = 0
    for (let i = 0; i < o.maxBacktracks; i++) {
      tries++
      const step = 1 / L
      for (let j = 0; j < n; j++) T[j] = x[j] - step * d[j]
      fT = obj.value(T)
      ctx.count('func')
      if (fT <= f - q / (2 * L)) {
        L = Math.max(L * 0.5, o.Lmin)
        accepted = true
        break
      }
      L *= 2
    }
    if (!accepted) ctx.event('backtrackExhausted', k + 1, `${o.maxBacktracks} backtracking tries rejected`)
    x.set(T)
    obj.valueAndGradient(x, g)
    f = fT
    ctx.count('grad')
    lastTries = tries
  }
  return { iterations: o.maxIter, reached: false }
}

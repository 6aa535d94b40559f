/**
 * The algorithms of the study as explicit loops over Float64Array. Every F_i evaluation the
 * algorithm needs goes through `OracleTracker` (ctx.count('component', …)); residual probes,
 * the estimator-error diagnostic and the in-run Halpern baseline are never counted.
 *
 * Notation: u_0 is both the start and the anchor, J = J_G (simplex projections on the game,
 * the identity otherwise), λ_k the anchor weight, η the step, n the number of components.
 */
import type { SolveContext } from '../../kit'
import type { Rng } from '../../numeric/rng'
import type { FiniteSumProblem } from './problems'

export type MethodName = 'halpern' | 'alg1' | 'alg2' | 'eg' | 'eag' | 'vreg'

export interface MethodSettings {
  /** budget in epochs (oracle calls / n); a method stops at the first iterate past it */
  epochs: number
  /** the step of the method (η for Halpern, Algorithm 1, EG, EAG; γ for VR-EG) */
  eta: number
  /** PAGE minibatch size b (Algorithm 1) */
  batch: number
  /** Algorithm 2: M_k = ⌊innerFactor·n·log(k+2)⌋ inner VR-FoRB steps */
  innerFactor: number
  /** Algorithm 2: resolvent scale c and inner step γ */
  resolventScale: number
  innerStep: number
  /** Algorithm 2: VR-FoRB snapshot refreshed to the inner iterate v ('inner') or to u_k ('outer', official script) */
  snapshot: 'inner' | 'outer'
  /** record every iteration (cheap probes) instead of on an epoch grid */
  recordEveryIteration: boolean
  /** deterministic-Halpern residuals after 0, 1, …, epochs full passes on the same data (gain ratio) */
  baselineResiduals: Float64Array | null
}

/** Counts oracle calls (ctx.count), tracks the budget, and decides and writes the records. */
export class OracleTracker {
  calls = 0
  fullPasses = 0
  minibatchCalls = 0
  private nextMark = 0
  private readonly markStep: number
  private readonly budget: number

  constructor(
    private readonly ctx: SolveContext,
    private readonly problem: FiniteSumProblem,
    private readonly settings: MethodSettings,
  ) {
    this.budget = settings.epochs * problem.n
    this.markStep = this.budget / 2000
  }

  /** one full pass F(u) = Σ_i F_i(u): n calls */
  fullPass(): void {
    const n = this.problem.n
    this.calls += n
    this.fullPasses++
    this.ctx.count('component', n)
  }

  /** `pairs` component differences F_i(u) − F_i(v): 2 calls each */
  componentPairs(pairs: number): void {
    this.calls += 2 * pairs
    this.minibatchCalls += 2 * pairs
    this.ctx.count('component', 2 * pairs)
  }

  get epochs(): number {
    return this.calls / this.problem.n
  }

  get done(): boolean {
    return this.calls >= this.budget
  }

  /** record at this iterate? (every iteration when probes are cheap, else on a 2000-point epoch grid) */
  wants(k: number): boolean {
    return this.settings.recordEveryIteration || k < 32 || this.calls >= this.nextMark || this.done
  }

  record(k: number, u: Float64Array, extra: Record<string, number>): void {
    while (this.nextMark <= this.calls) this.nextMark += this.markStep
    const residual = this.problem.residual(u)
    const epochs = this.epochs
    const values: Record<string, number> = {
      residual,
      epochs,
      residualTimesEpochs: residual * epochs,
      fullPasses: this.fullPasses,
      minibatchCalls: this.minibatchCalls,
      ...extra,
    }
    const base = this.settings.baselineResiduals
    if (base) {
      const e = Math.min(Math.floor(epochs), base.length - 1)
      values.baselineResidual = base[e]
      values.gainRatio = base[e] / residual
    }
    this.ctx.record(k, values)
    this.ctx.progress(Math.min(1, this.calls / this.budget))
  }
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let j = 0; j < a.length; j++) s += (a[j] - b[j]) ** 2
  return Math.sqrt(s)
}

/**
 * Deterministic Halpern (this study's baseline; forward–backward form on constrained problems):
 * u_{k+1} = J(λ_k·u_0 + (1−λ_k)·(u_k − η·F(u_k))), λ_k = 1/(k+2), η = 2/L_F by default.
 * One full pass (n calls) per iteration. With `ctx` null it only returns the residuals after
 * 0, 1, …, `iterations` steps (the uncounted baseline of the gain ratio) and the last iterate.
 */
export function deterministicHalpern(
  problem: FiniteSumProblem,
  eta: number,
  iterations: number,
  tracker: OracleTracker | null,
  ctx: SolveContext,
): { u: Float64Array; residuals: Float64Array } {
  const { u0, dim } = problem
  const u = u0.slice()
  const g = new Float64Array(dim)
  const residuals = new Float64Array(iterations + 1)
  residuals[0] = problem.residual(u)
  tracker?.record(0, u, { anchorWeight: 0.5 })
  for (let k = 0; k < iterations; k++) {
    if ((k & 15) === 0 && ctx.cancelled) break
    const lambda = 1 / (k + 2)
    problem.full(u, g)
    tracker?.fullPass()
    for (let j = 0; j < dim; j++) u[j] = lambda * u0[j] + (1 - lambda) * (u[j] - eta * g[j])
    problem.resolvent(u)
    residuals[k + 1] = problem.residual(u)
    if (tracker?.wants(k + 1)) tracker.record(k + 1, u, { anchorWeight: lambda })
  }
  return { u, residuals }
}

/** PAGE full-evaluation probability p_k of Algorithm 1 (`matrix_game.py`): 1 for k ≤ 1, 4/(k+4) while k − 1 ≤ √n, then 4/(√n+5). */
export function fullEvaluationProbability(k: number, n: number): number {
  if (k <= 1) return 1
  const s = Math.sqrt(n)
  return k - 1 <= s ? 4 / (k + 4) : 4 / (s + 5)
}

/**
 * Algorithm 1 (Halpern iteration with the PAGE estimator, cocoercive case), as in the
 * official scripts:
 *   λ_k = 2/(k+4);  with probability p_k (always for k ≤ 1): g_k = F(u_k)  [n calls];
 *   otherwise, B ⊂ [n] of size b drawn without replacement:
 *     g_k = g_{k−1} + (n/b)·Σ_{i∈B} (F_i(u_k) − F_i(u_{k−1}))  [2b calls];
 *   u_{k+1} = J(λ_k·u_0 + (1−λ_k)·u_k − η·g_k).
 * Records λ_k, p_k and the estimator error ‖g_k − F(u_k)‖ (uncounted probe) with u_{k+1}.
 */
export function algorithm1(problem: FiniteSumProblem, s: MethodSettings, tr: OracleTracker, rng: Rng, ctx: SolveContext): Float64Array {
  const { u0, dim, n } = problem
  const b = s.batch
  const eta = s.eta
  const u = u0.slice()
  const uPrev = u0.slice()
  const g = new Float64Array(dim)
  const exact = new Float64Array(dim)
  const perm = new Int32Array(n)
  for (let i = 0; i < n; i++) perm[i] = i
  tr.record(0, u, {})
  for (let k = 0; !tr.done; k++) {
    if ((k & 15) === 0 && ctx.cancelled) return u
    const lambda = 2 / (k + 4)
    const p = fullEvaluationProbability(k, n)
    const full = k <= 1 || rng.uniform() < p
    if (full) {
      problem.full(u, g)
      tr.fullPass()
    } else {
      // a uniform b-subset: the first b slots of a partial Fisher–Yates shuffle
      for (let j = 0; j < b; j++) {
        const r = j + rng.int(n - j)
        const t = perm[j]
        perm[j] = perm[r]
        perm[r] = t
        problem.addComponentDiff(perm[j], u, uPrev, n / b, g)
      }
      tr.componentPairs(b)
    }
    const rec = tr.wants(k + 1)
    let estimatorError = 0
    if (rec) {
      problem.probeF(u, exact)
      estimatorError = distance(g, exact)
    }
    uPrev.set(u)
    for (let j = 0; j < dim; j++) u[j] = lambda * u0[j] + (1 - lambda) * u[j] - eta * g[j]
    problem.resolvent(u)
    if (rec) tr.record(k + 1, u, { anchorWeight: lambda, fullProb: p, estimatorError, fullEvaluation: full ? 1 : 0 })
  }
  return u
}

/**
 * Algorithm 2 (inexact Halpern for monotone Lipschitz F), as in the official scripts:
 *   u_{k+1} = λ_k·u_0 + (1−λ_k)·J̃(u_k),  λ_k = 1/(k+2),
 * where J̃(u_k) ≈ the resolvent of c(F+G) at u_k: M_k = ⌊innerFactor·n·log(k+2)⌋ steps of
 * loopless VR-FoRB (Alacaoglu & Malitsky 2022) on Φ(v) = c·F(v) + v − u_k, from v = w = w_prev = u_k:
 *   v̄ = α·v + (1−α)·w,  α = 1 − p,  p = 1/n,  i uniform,
 *   v ← J(v̄ − γ·[Φ(w) + c·n·(F_i(v) − F_i(w_prev)) + (v − w_prev)])   [2 calls],
 *   w_prev ← w;  with probability p: w ← v (or u_k, official script), Φ(w) recomputed [n calls].
 * Φ(u_k) at the start of each outer step is a full pass and is counted (n calls), as in
 * `quadratic_programming.py` (`matrix_game.py` leaves it uncounted).
 */
export function algorithm2(problem: FiniteSumProblem, s: MethodSettings, tr: OracleTracker, rng: Rng, ctx: SolveContext): Float64Array {
  const { u0, dim, n } = problem
  const c = s.resolventScale
  const gamma = s.innerStep
  const p = 1 / n
  const alpha = 1 - p
  const u = u0.slice()
  const v = new Float64Array(dim)
  const w = new Float64Array(dim)
  const wPrev = new Float64Array(dim)
  const Fw = new Float64Array(dim)
  const phiW = new Float64Array(dim)
  const est = new Float64Array(dim)
  const setPhiW = (): void => {
    problem.full(w, Fw)
    tr.fullPass()
    for (let j = 0; j < dim; j++) phiW[j] = c * Fw[j] + w[j] - u[j]
  }
  tr.record(0, u, {})
  for (let k = 0; !tr.done; k++) {
    if (ctx.cancelled) return u
    const lambda = 1 / (k + 2)
    const M = Math.floor(s.innerFactor * n * Math.log(k + 2))
    v.set(u)
    w.set(u)
    wPrev.set(u)
    setPhiW()
    for (let m = 0; m < M; m++) {
      const i = rng.int(n)
      for (let j = 0; j < dim; j++) est[j] = phiW[j] + v[j] - wPrev[j]
      problem.addComponentDiff(i, v, wPrev, c * n, est)
      tr.componentPairs(1)
      for (let j = 0; j < dim; j++) v[j] = alpha * v[j] + (1 - alpha) * w[j] - gamma * est[j]
      problem.resolvent(v)
      wPrev.set(w)
      if (rng.uniform() < p) {
        w.set(s.snapshot === 'inner' ? v : u)
        setPhiW()
      }
    }
    for (let j = 0; j < dim; j++) u[j] = lambda * u0[j] + (1 - lambda) * v[j]
    tr.record(k + 1, u, { anchorWeight: lambda, innerSteps: M })
  }
  return u
}

/**
 * Extragradient (Korpelevich), the game script's `EG_update`:
 *   ū = J(u_k − η·F(u_k)),  u_{k+1} = J(u_k − η·F(ū)).  2n calls per iteration.
 */
export function extragradient(problem: FiniteSumProblem, s: MethodSettings, tr: OracleTracker, ctx: SolveContext): Float64Array {
  const { u0, dim } = problem
  const eta = s.eta
  const u = u0.slice()
  const half = new Float64Array(dim)
  const g = new Float64Array(dim)
  tr.record(0, u, {})
  for (let k = 0; !tr.done; k++) {
    if ((k & 15) === 0 && ctx.cancelled) return u
    problem.full(u, g)
    tr.fullPass()
    for (let j = 0; j < dim; j++) half[j] = u[j] - eta * g[j]
    problem.resolvent(half)
    problem.full(half, g)
    tr.fullPass()
    for (let j = 0; j < dim; j++) u[j] -= eta * g[j]
    problem.resolvent(u)
    if (tr.wants(k + 1)) tr.record(k + 1, u, {})
  }
  return u
}

/**
 * Extra-anchored gradient (Yoon & Ryu 2021), the scripts' `ex_Halpern_update`, λ_k = 1/(k+2):
 *   ū = J(λ_k·u_0 + (1−λ_k)·u_k − η·F(u_k)),  u_{k+1} = J(λ_k·u_0 + (1−λ_k)·u_k − η·F(ū)).
 * 2n calls per iteration.
 */
export function extraAnchoredGradient(problem: FiniteSumProblem, s: MethodSettings, tr: OracleTracker, ctx: SolveContext): Float64Array {
  const { u0, dim } = problem
  const eta = s.eta
  const u = u0.slice()
  const half = new Float64Array(dim)
  const g = new Float64Array(dim)
  tr.record(0, u, {})
  for (let k = 0; !tr.done; k++) {
    if ((k & 15) === 0 && ctx.cancelled) return u
    const lambda = 1 / (k + 2)
    problem.full(u, g)
    tr.fullPass()
    for (let j = 0; j < dim; j++) half[j] = lambda * u0[j] + (1 - lambda) * u[j] - eta * g[j]
    problem.resolvent(half)
    problem.full(half, g)
    tr.fullPass()
    for (let j = 0; j < dim; j++) u[j] = lambda * u0[j] + (1 - lambda) * u[j] - eta * g[j]
    problem.resolvent(u)
    if (tr.wants(k + 1)) tr.record(k + 1, u, { anchorWeight: lambda })
  }
  return u
}

/**
 * Loopless variance-reduced extragradient (Alacaoglu & Malitsky 2022, Alg. 1), the game
 * script's VR-EG: p = 1/n, α = 1 − p, γ = 3√p/‖A‖_F, snapshot w_0 = u_0 (n calls), i uniform:
 *   ū = α·u_k + (1−α)·w_k,  û = J(ū − γ·F(w_k)),
 *   u_{k+1} = J(ū − γ·[F(w_k) + n·(F_i(û) − F_i(w_k))])   [2 calls],
 *   with probability p: w_{k+1} = u_{k+1}, F(w_{k+1}) [n calls]; else w_{k+1} = w_k.
 */
export function varianceReducedEG(problem: FiniteSumProblem, s: MethodSettings, tr: OracleTracker, rng: Rng, ctx: SolveContext): Float64Array {
  const { u0, dim, n } = problem
  const gamma = s.eta
  const p = 1 / n
  const alpha = 1 - p
  const u = u0.slice()
  const w = u0.slice()
  const Fw = new Float64Array(dim)
  const ubar = new Float64Array(dim)
  const half = new Float64Array(dim)
  const est = new Float64Array(dim)
  problem.full(w, Fw)
  tr.fullPass()
  tr.record(0, u, {})
  for (let k = 0; !tr.done; k++) {
    if ((k & 255) === 0 && ctx.cancelled) return u
    const i = rng.int(n)
    for (let j = 0; j < dim; j++) {
      ubar[j] = alpha * u[j] + (1 - alpha) * w[j]
      half[j] = ubar[j] - gamma * Fw[j]
    }
    problem.resolvent(half)
    est.set(Fw)
    problem.addComponentDiff(i, half, w, n, est)
    tr.componentPairs(1)
    for (let j = 0; j < dim; j++) u[j] = ubar[j] - gamma * est[j]
    problem.resolvent(u)
    if (rng.uniform() < p) {
      w.set(u)
      problem.full(w, Fw)
      tr.fullPass()
    }
    if (tr.wants(k + 1)) tr.record(k + 1, u, {})
  }
  return u
}

/**
 * Run drivers: the ADMM run (with live metrics and checkpointed certificates), the GD baseline
 * run, and the cached reference optimum p* (exact arrangements, ρ = 0.1, γ = 1) they compare to.
 */
import type { SolveContext } from '../../kit'
import { Rng } from '../../numeric/rng'
import { ConvexReluAdmm } from './admm'
import { AdversarialGd, type Attack } from './adversarial-gd'
import { RobustConvexReluAdmm } from './adversarial'
import { ReluNetworkGd } from './gd'
import { networkFromFeatures, networkFromGroups, output, outputGrid, pgdRobustAccuracy, type ReluNet } from './network'
import { SampledConvexProgram } from './scp'
import { exactArrangements, sampledArrangements, xorData, type Arrangements, type XorData } from './problem'

export interface ConvexReluParams {
  mode: 'admm' | 'gd' | 'scp' | 'adv'
  n: number
  beta: number
  arrangements: 'exact' | 'sampled'
  Ps: number
  samplingSeed: number
  rho: number
  gamma: number
  iterations: number
  activeTol: number
  referenceIters: number
  gdWidth: number
  gdLr: number
  gdIters: number
  gdInit: number
  /** ℓ∞ radius of the adversarial variant: training radius (mode adv, GD with an attack) and the PGD evaluation radius */
  epsAdv: number
  gdAttack: Attack
  attackSteps: number
  /** side of the decision-boundary grid over [−1, 1]² (0 = not recorded) */
  gridSize: number
}

/** the PGD evaluation: 50 steps, the zero start and 4 random starts (stream "attack") */
export const EVAL_PGD_STEPS = 50
export const EVAL_PGD_RESTARTS = 4

export const REFERENCE_RHO = 0.1

/** The data of a run: drawn from the seed's "data" stream only, so every run of a seed shares it. */
export function dataFor(seed: number, n: number): XorData {
  return xorData(n, Rng.stream(seed, 'data'))
}

export function arrangementsFor(p: Pick<ConvexReluParams, 'arrangements' | 'Ps' | 'samplingSeed'>, seed: number, data: XorData): Arrangements {
  return p.arrangements === 'exact'
    ? exactArrangements(data)
    : sampledArrangements(data, p.Ps, Rng.stream(seed, `arrangements:${p.samplingSeed}`))
}

const referenceCache = new Map<string, number>()

/**
 * p*: the convex objective at v after `iterations` ADMM iterations with exact arrangements,
 * ρ = 0.1, γ = 1 (the spec's definition). Deterministic, so caching it per worker changes no value.
 */
export function referenceOptimum(seed: number, n: number, beta: number, iterations: number, isCancelled: () => boolean = () => false): number {
  const key = `${seed}|${n}|${beta}|${iterations}`
  const hit = referenceCache.get(key)
  if (hit !== undefined) return hit
  const data = dataFor(seed, n)
  const admm = new ConvexReluAdmm(data, exactArrangements(data), { beta, rho: REFERENCE_RHO, gamma: 1 })
  for (let t = 1; t <= iterations; t++) {
    admm.step()
    if (t % 256 === 0 && isCancelled()) return NaN
  }
  const pStar = admm.evaluate(1e-6).objective
  referenceCache.set(key, pStar)
  return pStar
}

/** Log-spaced 1-2-5 checkpoints plus every `every`-th iteration and the last one. */
export function isCheckpoint(t: number, last: number, every: number): boolean {
  if (t === last || t % every === 0) return true
  let m = t
  while (m >= 10 && m % 10 === 0) m /= 10
  return m === 1 || m === 2 || m === 5
}

/** Every iteration up to 1000, then every 10th (and the last): ~3k rows for 20k iterations. */
function isRecorded(t: number, last: number): boolean {
  return t <= 1000 || t % 10 === 0 || t === last
}

/**
 * What every run records about its final network at its last iteration t: the output f over a
 * gridSize² grid of [−1, 1]² (decisionOutput, cell (i, j) at x₂ = −1 + i·h, x₁ = −1 + j·h), the
 * training points (pointsX1, pointsX2, pointsY), the number of neurons, and with ε > 0 the
 * accuracy under an ℓ∞ PGD attack of radius ε (robustAccuracy).
 */
export function networkValues(ctx: SolveContext, net: ReluNet, data: XorData, p: ConvexReluParams): Record<string, number | Float64Array> {
  const values: Record<string, number | Float64Array> = { neurons: net.m }
  if (p.gridSize > 0) {
    values.decisionOutput = outputGrid(net, p.gridSize)
    values.pointsX1 = Float64Array.from({ length: data.n }, (_, k) => data.X[3 * k])
    values.pointsX2 = Float64Array.from({ length: data.n }, (_, k) => data.X[3 * k + 1])
    values.pointsY = data.y
  }
  if (p.epsAdv > 0) values.robustAccuracy = pgdRobustAccuracy(net, data.X, data.y, p.epsAdv, EVAL_PGD_STEPS, EVAL_PGD_RESTARTS, ctx.stream('attack'))
  return values
}

/**
 * ADMM run (Alg. 3.1 as reconstructed; see ConvexReluAdmm.step). Records at the thresholded
 * iterate v: objective, relSubopt = |f − p*|/p* (when p* is computed), violation, consensus
 * ‖u − v‖∞, trainAccuracy (sign(0) counts as wrong), activeGroups; at checkpoints the dual
 * bound (best so far), the certified relative gap (f − dual)/f and the recovered network's objective.
 */
export function solveAdmm(p: ConvexReluParams, ctx: SolveContext): void {
  const data = dataFor(ctx.seed, p.n)
  const arr = arrangementsFor(p, ctx.seed, data)
  const admm = new ConvexReluAdmm(data, arr, { beta: p.beta, rho: p.rho, gamma: p.gamma })
  const T = p.iterations
  let bestDual = -Infinity
  // the starting point is recorded before the (possibly long) reference solve, so a run shows at once
  const first = admm.evaluate(p.activeTol)
  ctx.record(0, {
    objective: first.objective,
    violation: first.violation,
    consensus: first.consensus,
    trainAccuracy: first.trainAccuracy,
    activeGroups: first.activeGroups,
    arrangementsP: arr.P,
  })
  const pStar = p.referenceIters > 0 ? referenceOptimum(ctx.seed, p.n, p.beta, p.referenceIters, () => ctx.cancelled) : NaN
  if (ctx.cancelled) return
  for (let t = 1; t <= T; t++) {
    admm.step()
    ctx.count('iteration')
    if (!isRecorded(t, T)) continue
    const e = admm.evaluate(p.activeTol)
    const values: Record<string, number | Float64Array> = {
      objective: e.objective,
      violation: e.violation,
      consensus: e.consensus,
      trainAccuracy: e.trainAccuracy,
      activeGroups: e.activeGroups,
    }
    if (Number.isFinite(pStar)) values.relSubopt = Math.abs(e.objective - pStar) / pStar
    if (isCheckpoint(t, T, 2000)) {
      ctx.count('certificate')
      bestDual = Math.max(bestDual, admm.dualBound().dual)
      values.dualBound = bestDual
      values.certifiedGap = (e.objective - bestDual) / e.objective
      values.reluObjective = admm.recoveredNetworkObjective(p.activeTol).objective
    }
    if (t === T) {
      values.arrangementsP = arr.P
      if (Number.isFinite(pStar)) values.pStar = pStar
      Object.assign(values, networkValues(ctx, networkFromGroups(admm.v, arr.P, p.activeTol), data, p))
    }
    ctx.record(t, values)
    if (t % 100 === 0) {
      ctx.progress(t / T)
      if (ctx.cancelled) return
    }
  }
}

/**
 * GD baseline run: u_j ∈ ℝ³ and a_j drawn i.i.d. U(−1, 1) from the stream "init:<gdInit>", full-batch
 * GD θ ← θ − lr ∇L(θ) (gradients in ReluNetworkGd). Records gdObjective (log-spaced and every 100th
 * iteration) and, when p* is computed, gdRelGap = (L − p*)/p* (signed: below p* would be negative).
 */
export function solveGd(p: ConvexReluParams, ctx: SolveContext): void {
  const data = dataFor(ctx.seed, p.n)
  const m = p.gdWidth
  const rng = ctx.stream(`init:${p.gdInit}`)
  const U0 = new Float64Array(m * data.d)
  const a0 = new Float64Array(m)
  for (let j = 0; j < m; j++) {
    for (let c = 0; c < data.d; c++) U0[j * data.d + c] = rng.uniformIn(-1, 1)
    a0[j] = rng.uniformIn(-1, 1)
  }
  // with an attack (FGSM or PGD adversarial training) every step is taken at adversarial inputs
  const adversarial = p.gdAttack !== 'none' && p.epsAdv > 0
  const advGd = adversarial ? new AdversarialGd(data, m, p.beta, U0, a0, p.epsAdv, p.gdAttack, p.attackSteps) : null
  const net = advGd ? advGd.net : new ReluNetworkGd(data, m, p.beta, U0, a0)
  const view: ReluNet = { m, U: net.U, a: net.a }
  // the starting objective is recorded before the (possibly long) reference solve
  ctx.record(0, { gdObjective: advGd ? advGd.objective() : net.objectiveAndGradient().objective })
  // p* is the nominal optimum: the gap is reported for nominal training only
  const pStar = p.referenceIters > 0 && !adversarial ? referenceOptimum(ctx.seed, p.n, p.beta, p.referenceIters, () => ctx.cancelled) : NaN
  if (ctx.cancelled) return
  const T = p.gdIters
  const guard = 1e6 // a blown-up run is stopped and flagged, not recorded as "stuck"
  for (let t = 0; t <= T; t++) {
    const f = advGd ? (t < T ? advGd.step(p.gdLr) : advGd.objective()) : t < T ? net.step(p.gdLr) : net.objectiveAndGradient().objective
    if (t < T) ctx.count('gradient')
    if (!(f < guard)) {
      ctx.event('gdDiverged', t, `objective ${f} ≥ ${guard}: learning rate too large`)
      return
    }
    if (isCheckpoint(t, T, 100) && t > 0) {
      const values: Record<string, number | Float64Array> = { gdObjective: f }
      if (Number.isFinite(pStar)) {
        values.gdRelGap = (f - pStar) / pStar
        if (t === T) values.pStar = pStar
      }
      if (t === T) {
        values.trainAccuracy = cleanAccuracy(view, data)
        Object.assign(values, networkValues(ctx, view, data, p))
      }
      ctx.record(t, values)
    }
    if (t % 500 === 0) {
      ctx.progress(t / T)
      if (ctx.cancelled) return
    }
  }
}

/** fraction of the clean training points with sign f(x_k) = y_k (sign(0) is wrong) */
export function cleanAccuracy(net: ReluNet, data: XorData): number {
  let correct = 0
  for (let k = 0; k < data.n; k++) if (Math.sign(output(net, data.X[3 * k], data.X[3 * k + 1])) === data.y[k]) correct++
  return correct / data.n
}

/**
 * SCP run (the sampled convex program, scp.ts): N = P_s unit directions from the stream
 * "arrangements:<samplingSeed>" (the same draws as the sampled arrangements), FISTA for
 * `iterations` steps. Records scpObjective, scpGap (the lasso duality gap), trainAccuracy and
 * nonzeros at the ADMM schedule, and (L − p*)/p* as scpExcess when p* is computed.
 */
export function solveScp(p: ConvexReluParams, ctx: SolveContext): void {
  const data = dataFor(ctx.seed, p.n)
  const scp = new SampledConvexProgram(data, p.Ps, p.beta, Rng.stream(ctx.seed, `arrangements:${p.samplingSeed}`))
  const e0 = scp.evaluate()
  ctx.record(0, { scpObjective: e0.objective, trainAccuracy: e0.trainAccuracy, nonzeros: e0.nonzeros })
  const pStar = p.referenceIters > 0 ? referenceOptimum(ctx.seed, p.n, p.beta, p.referenceIters, () => ctx.cancelled) : NaN
  if (ctx.cancelled) return
  const T = p.iterations
  for (let t = 1; t <= T; t++) {
    scp.step()
    ctx.count('iteration')
    if (!isRecorded(t, T)) continue
    const e = scp.evaluate()
    const values: Record<string, number | Float64Array> = { scpObjective: e.objective, trainAccuracy: e.trainAccuracy, nonzeros: e.nonzeros }
    if (isCheckpoint(t, T, 2000)) values.scpGap = Math.max(e.gap, 0)
    if (Number.isFinite(pStar)) values.scpExcess = (e.objective - pStar) / pStar
    if (t === T) {
      if (Number.isFinite(pStar)) values.pStar = pStar
      Object.assign(values, networkValues(ctx, networkFromFeatures(scp.H, scp.c, 0), data, p))
    }
    ctx.record(t, values)
    if (t % 100 === 0) {
      ctx.progress(t / T)
      if (ctx.cancelled) return
    }
  }
}

/**
 * Convex adversarial training (adversarial.ts): ADMM on the robust program at radius ε = epsAdv,
 * exact or sampled arrangements. Records the robust objective, the robust-constraint violation,
 * ‖u − v‖∞, the clean and the certified robust training accuracy, the active groups; at the end
 * the recovered network (decision boundary, PGD robust accuracy).
 */
export function solveAdversarialAdmm(p: ConvexReluParams, ctx: SolveContext): void {
  const data = dataFor(ctx.seed, p.n)
  const arr = arrangementsFor(p, ctx.seed, data)
  const admm = new RobustConvexReluAdmm(data, arr, { beta: p.beta, rho: p.rho, gamma: p.gamma, eps: p.epsAdv })
  const T = p.iterations
  for (let t = 0; t <= T; t++) {
    if (t > 0) {
      admm.step()
      ctx.count('iteration')
    }
    if (!isRecorded(t, T)) continue
    const e = admm.evaluate(p.activeTol)
    const values: Record<string, number | Float64Array> = {
      robustObjective: e.objective,
      violation: e.violation,
      consensus: e.consensus,
      trainAccuracy: e.trainAccuracy,
      certifiedRobustAccuracy: e.certifiedRobustAccuracy,
      activeGroups: e.activeGroups,
    }
    if (t === T) {
      values.arrangementsP = arr.P
      Object.assign(values, networkValues(ctx, networkFromGroups(admm.v, arr.P, p.activeTol), data, p))
    }
    ctx.record(t, values)
    if (t % 100 === 0) {
      ctx.progress(t / T)
      if (ctx.cancelled) return
    }
  }
}

export function solveConvexRelu(p: ConvexReluParams, ctx: SolveContext): void {
  if (p.mode === 'gd') solveGd(p, ctx)
  else if (p.mode === 'scp') solveScp(p, ctx)
  else if (p.mode === 'adv') solveAdversarialAdmm(p, ctx)
  else solveAdmm(p, ctx)
}

/**
 * One run plays every learner against the same realised loss sequence f_1..f_T (the noise
 * comes from the 'data' stream; the learners are deterministic given the losses) and records
 * each learner's running regret against the hindsight comparator of the first t losses.
 */
import type { SolveContext } from '../../kit'
import { HindsightComparator, SeaEnvironment, type LossType } from './environment'
import { OnlineGradientDescent, OptimisticFTL, OptimisticFTRL, OptimisticOMD, type Learner, type LearnerConstants } from './learners'

export interface SeaParams {
  lossType: LossType
  d: number
  radius: number
  mu: number
  A: number
  P: number
  sigma: number
  lambda: number
  T: number
  delta: number
  G: number
}

export const CHECKPOINTS = [1000, 2000, 4000, 8000, 16000, 32000] as const

/** G = ‖μ‖ + A + 3σ, clamped at 1e-3 (with σ = A = 0 the convex steps would divide by zero). */
export function gradientBound(p: Pick<SeaParams, 'G' | 'mu' | 'A' | 'sigma'>): number {
  if (p.G > 0) return p.G
  return Math.max(1e-3, Math.abs(p.mu) + p.A + 3 * p.sigma)
}

/** record rounds 1..100, every 50th round, and the last */
export function isRecorded(t: number, T: number): boolean {
  return t <= 100 || t % 50 === 0 || t === T
}

export function learnersFor(p: SeaParams): Learner[] {
  const stronglyConvex = p.lossType === 'stronglyConvex'
  const k: LearnerConstants = {
    d: p.d,
    radius: p.radius,
    D: 2 * p.radius,
    G: gradientBound(p),
    lambda: p.lambda,
    L: stronglyConvex ? p.lambda : 0,
    delta: p.delta,
    stronglyConvex,
  }
  const learners: Learner[] = [new OptimisticOMD(k), new OnlineGradientDescent(k), new OptimisticFTRL(k)]
  if (stronglyConvex) learners.push(new OptimisticFTL(k))
  return learners
}

export function solveSea(p: SeaParams, ctx: SolveContext): void {
  const env = new SeaEnvironment(p, ctx.stream('data'))
  const comparator = new HindsightComparator(p)
  const learners = learnersFor(p)
  const oomd = learners[0] as OptimisticOMD
  const cumLoss = new Float64Array(learners.length)
  const g = new Float64Array(p.d)
  const D = 2 * p.radius
  const G = gradientBound(p)
  const values: Record<string, number> = {}
  for (let t = 1; t <= p.T; t++) {
    if ((t & 1023) === 0) {
      if (ctx.cancelled) return
      ctx.progress(t / p.T)
    }
    env.next()
    comparator.add(env)
    for (let a = 0; a < learners.length; a++) {
      const learner = learners[a]
      learner.predict(t)
      env.gradient(learner.x, g)
      cumLoss[a] += env.loss(learner.x)
      learner.update(g, t)
    }
    ctx.count('gradient', learners.length)
    if (!isRecorded(t, p.T)) continue
    const best = comparator.bestLoss()
    const sigma2 = t * p.sigma * p.sigma
    const bound = D * (Math.sqrt(sigma2) + Math.sqrt(env.adversarialVariation)) + D * G
    for (let a = 0; a < learners.length; a++) {
      values[`regret${learners[a].name}`] = cumLoss[a] - best
      values[`eta${learners[a].name}`] = learners[a].eta
    }
    values.variationOOMD = oomd.variation
    values.sigma2Cum = sigma2
    values.Sigma2Cum = env.adversarialVariation
    values.bound = bound
    values.boundRatioOOMD = values.regretOOMD / bound
    ctx.record(t, values)
  }
}

/**
 * One run of the study: build the problem from the data stream, pick the metric B, and run
 * Algorithm 1 (exact or approximate Hessian) or the gradient-method baseline.
 */
import type { SolveContext } from '../../kit'
import type { Rng } from '../../numeric/rng'
import { gradientMethod } from './gd'
import { gradNormSmooth } from './gns'
import { Metric } from './metric'
import { drawLogisticData, drawSoftmaxData, LogisticObjective, SoftmaxObjective, type Objective } from './problems'

export interface RunParams {
  problem: 'softmax' | 'logistic'
  method: 'gns' | 'gd'
  hessian: 'exact' | 'wgn' | 'fisher'
  metric: 'auto' | 'AtA' | 'I'
  m: number
  n: number
  mu: number
  samples: number
  features: number
  featureScaleRange: number
  labelFlip: number
  reg: number
  gamma0: number
  eps: number
  gammaMin: number
  maxTries: number
  tol: number
  maxIter: number
  L0: number
  Lmin: number
  maxBacktracks: number
}

/** The problem instance for these params, drawn from `rng` (the run's "data" stream). */
export function buildObjective(p: RunParams, rng: Rng): Objective {
  if (p.problem === 'softmax') return new SoftmaxObjective(drawSoftmaxData(rng, p.m, p.n, p.mu))
  return new LogisticObjective(drawLogisticData(rng, p.samples, p.features, p.featureScaleRange, p.labelFlip, p.reg))
}

/** B: AᵀA (unshifted data, + ε·I when rows < columns) or I; 'auto' is AᵀA for softmax, I for logistic. */
export function resolveMetric(p: RunParams): 'AtA' | 'I' {
  if (p.metric !== 'auto') return p.metric
  return p.problem === 'softmax' ? 'AtA' : 'I'
}

export function buildMetric(p: RunParams, obj: Objective): Metric {
  return new Metric(obj.n, resolveMetric(p) === 'AtA' ? obj.gram(p.eps) : null)
}

export function solveRun(p: RunParams, ctx: SolveContext): void {
  const obj = buildObjective(p, ctx.stream('data'))
  const metric = buildMetric(p, obj)
  if (p.method === 'gd') {
    gradientMethod(obj, metric, { L0: p.L0, Lmin: p.Lmin, maxBacktracks: p.maxBacktracks, tol: p.tol, maxIter: p.maxIter }, ctx)
    return
  }
  gradNormSmooth(
    obj,
    metric,
    {
      model: p.hessian === 'exact' ? 'exact' : 'approx',
      gamma0: p.gamma0,
      eps: p.eps,
      gammaMin: p.gammaMin,
      maxTries: p.maxTries,
      tol: p.tol,
      maxIter: p.maxIter,
    },
    ctx,
  )
}

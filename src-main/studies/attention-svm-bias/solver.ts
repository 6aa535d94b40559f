/**
 * A run: normalized GD on the attention model, the two SVMs for the tokens GD finally selects,
 * and the trajectory's correlation with both. The SVMs need the final tokens, so GD runs twice
 * from the same seeded initialisation (bit-identical trajectories): once silently to find the
 * tokens and solve the SVMs, once recording every iteration with corr(W_t, W_fro) and corr(W_t, W_nuc).
 * This replaces the spec's stored W_t snapshots and gives the correlations at every iteration.
 */
import type { SolveContext } from '../../kit'
import { attentionData, NormalizedGd, type AttentionData, type NormalizedGdOptions } from './attention'
import { correlation, frobeniusSvm, numericalRank, nuclearSvm, singularValuesOf, svmConstraints } from './svm'

export interface AttentionParams {
  n: number
  T: number
  d: number
  param: 'W' | 'KQ'
  eta: number
  iterations: number
  lambda: number
  normGuard: number
  svmRho: number
  svmIters: number
  rankTol: number
  instance: number
  svmTokens: 'selected' | 'optimal'
}

/** Above this Frobenius-SVM violation the constraints are taken as infeasible (no separating W). */
export const INFEASIBLE_VIOLATION = 1e-6

/** The globally optimal tokens argmax_t Y_i vᵀx_{i,t} (what the official svm_rank.ipynb uses). */
export function optimalTokens(data: AttentionData): Int32Array {
  const { n, T, Y, gamma } = data
  const out = new Int32Array(n)
  for (let i = 0; i < n; i++) {
    let best = 0
    for (let t = 1; t < T; t++) if (Y[i] * gamma[i * T + t] > Y[i] * gamma[i * T + best]) best = t
    out[i] = best
  }
  return out
}

export function dataFor(p: AttentionParams, seed: number, ctx: Pick<SolveContext, 'stream'>): AttentionData {
  return attentionData(p.n, p.T, p.d, ctx.stream(`data:${p.instance}`))
}

function gdOptions(p: AttentionParams): NormalizedGdOptions {
  return { param: p.param, eta: p.eta, lambda: p.param === 'KQ' ? p.lambda : 0, normGuard: p.normGuard }
}

function frob(W: Float64Array): number {
  let s = 0
  for (let j = 0; j < W.length; j++) s += W[j] * W[j]
  return Math.sqrt(s)
}

export function solveAttention(p: AttentionParams, ctx: SolveContext): void {
  const data = dataFor(p, ctx.seed, ctx)
  const initName = `init:${p.instance}`
  // pass 1: where GD ends, and which tokens it selects there. Its starting point is recorded at once
  // (the correlations of iteration 0 follow in a second row once the SVMs are known).
  const silent = new NormalizedGd(data, gdOptions(p), ctx.stream(initName))
  const start = silent.loss.evaluate(silent.W)
  ctx.record(0, { wNorm: frob(silent.W), loss: start.loss, gradNorm: start.gradNorm, maxSoftmax: start.maxSoftmax })
  let stoppedAt = p.iterations
  for (let t = 0; t < p.iterations; t++) {
    if (!silent.step()) {
      stoppedAt = t
      break
    }
    if ((t & 255) === 0 && ctx.cancelled) return
  }
  silent.loss.evaluate(silent.W)
  const selected = p.svmTokens === 'optimal' ? optimalTokens(data) : silent.loss.selected.slice()
  ctx.progress(0.2)
  // the two SVMs for those tokens (the nuclear one only when the constraints are feasible)
  const con = svmConstraints(data, selected)
  const fro = frobeniusSvm(con, data)
  const feasible = fro.violation <= INFEASIBLE_VIOLATION
  const nuc = feasible ? nuclearSvm(con, data, p.svmRho, p.svmIters, () => ctx.cancelled) : null
  if (ctx.cancelled) return
  ctx.progress(0.8)
  // pass 2: the same trajectory, recorded; row t describes W_t, the iterate the t-th step starts from
  const gd = new NormalizedGd(data, gdOptions(p), ctx.stream(initName))
  for (let t = 0; t <= stoppedAt; t++) {
    const values: Record<string, number> = {}
    if (t > 0) values.wNorm = frob(gd.W)
    if (nuc) {
      values.corrFro = correlation(gd.W, fro.W)
      values.corrNuc = correlation(gd.W, nuc.W)
    }
    const e = t < stoppedAt && gd.step() ? gd.last : gd.loss.evaluate(gd.W)
    if (t > 0) {
      values.loss = e.loss
      values.gradNorm = e.gradNorm
      values.maxSoftmax = e.maxSoftmax
    }
    if (p.param === 'KQ' && t < stoppedAt) {
      values.gradK = gd.last.gradK
      values.gradQ = gd.last.gradQ
    }
    if (t < stoppedAt) ctx.count('gradient')
    if (Object.keys(values).length > 0) ctx.record(t, values)
    if ((t & 255) === 0) {
      ctx.progress(0.8 + (0.2 * t) / Math.max(1, stoppedAt))
      if (ctx.cancelled) return
    }
  }
  if (stoppedAt < p.iterations) {
    ctx.event('gradientUnderflow', stoppedAt, `‖∇‖_F underflowed at ‖W‖_F = ${frob(gd.W).toPrecision(4)}: the run stops (no normalized step on an underflowed gradient)`)
  }
  if (!nuc) {
    ctx.event('svmInfeasible', stoppedAt, `no W separates the ${p.svmTokens} tokens: Frobenius-SVM violation ${fro.violation.toPrecision(3)} after its dual iterations`)
    return
  }
  // the SVMs: ranks, certificates and spectra (one row per singular-value index, x = oracle:svIndex)
  const svFro = singularValuesOf(fro.W, p.d)
  const last = stoppedAt
  ctx.record(last, {
    rankFro: numericalRank(svFro, p.rankTol),
    rankNuc: numericalRank(nuc.singularValues, p.rankTol),
    froGap: Math.abs(fro.dualityGap),
    froViolation: fro.violation,
    nucRelGap: Math.abs(nuc.relGap),
    corrFroNuc: correlation(fro.W, nuc.W),
  })
  for (let j = 0; j < p.d; j++) {
    ctx.count('svIndex')
    ctx.record(last, { svFro: svFro[j] / svFro[0], svNuc: nuc.singularValues[j] / nuc.singularValues[0] })
  }
}

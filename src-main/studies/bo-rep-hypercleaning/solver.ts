/**
 * BO-REP (Hao, Gong & Liu, ICLR 2024) and the baselines on linear hyper-cleaning, as explicit
 * loops over preallocated Float64Arrays. One run = one method (or one reference).
 */
import type { SolveContext } from '../../kit'
import { symEigvalues } from '../../numeric/linalg'
import type { Rng } from '../../numeric/rng'
import {
  accuracy,
  gram,
  type HypercleaningData,
  lowerGrad,
  lowerHvp,
  makeData,
  meanCrossEntropy,
  refit,
  scatterHypergrad,
  sigmoid,
  valGrad,
  weightAuc,
} from './problem'

export const METHODS = ['BO-REP', 'BO-REP(z)', 'StocBio', 'MA-SOBA', 'TTSA', 'uniform', 'clean-only'] as const
export type Method = (typeof METHODS)[number]

export interface HypercleaningParams {
  method: Method
  d: number
  teacherScale: number
  nTrain: number
  nVal: number
  nTest: number
  noiseRate: number
  mu: number
  batch: number
  valBatch: number
  iterations: number
  eta: number
  beta: number
  interval: number
  innerSteps: number
  warmStart: number
  neumannQ: number
  innerLr: number
  nu: number
  stocbioInner: number
  stocbioAlpha: number
  masobaGammaY: number
  masobaRho: number
  masobaTheta: number
  masobaAlpha: number
  ttsaBeta0: number
  ttsaAlpha0: number
  ttsaQ: number
  refitSteps: number
  evalEvery: number
  histogramBins: number
}

/** Draw `B` indices uniformly from [0, m) with replacement. */
function sampleBatch(rng: Rng, m: number, B: number, idx: Int32Array): void {
  for (let r = 0; r < B; r++) idx[r] = rng.int(m)
}

function norm(v: Float64Array): number {
  let s = 0
  for (let k = 0; k < v.length; k++) s += v[k] * v[k]
  return Math.sqrt(s)
}

/** Workspace shared by the stochastic methods (allocated once per run). */
export class Workspace {
  readonly y: Float64Array
  readonly x: Float64Array
  readonly ghat: Float64Array
  readonly vf: Float64Array
  readonly pcur: Float64Array
  readonly hv: Float64Array
  readonly v: Float64Array
  readonly grad: Float64Array
  readonly idx: Int32Array
  readonly valIdx: Int32Array
  constructor(
    readonly D: HypercleaningData,
    readonly P: HypercleaningParams,
    readonly rng: Rng,
    readonly ctx: SolveContext,
    readonly C: number,
  ) {
    this.y = new Float64Array(D.p)
    this.x = new Float64Array(D.n)
    this.ghat = new Float64Array(D.n)
    this.vf = new Float64Array(D.p)
    this.pcur = new Float64Array(D.p)
    this.hv = new Float64Array(D.p)
    this.v = new Float64Array(D.p)
    this.grad = new Float64Array(D.p)
    this.idx = new Int32Array(P.batch)
    this.valIdx = new Int32Array(P.valBatch > 0 ? P.valBatch : D.nVal)
    if (P.valBatch === 0) for (let j = 0; j < D.nVal; j++) this.valIdx[j] = j
  }

  /** `steps` minibatch SGD steps y ← y − lr·∇_y g(x, y; B) (warm-started from the current y). */
  lowerSgd(steps: number, lr: number): void {
    const { D, P, x, y, grad, idx } = this
    for (let s = 0; s < steps; s++) {
      sampleBatch(this.rng, D.n, P.batch, idx)
      lowerGrad(D, x, y, idx, P.batch, P.mu, grad)
      for (let k = 0; k < D.p; k++) y[k] -= lr * grad[k]
    }
    this.ctx.count('lowerGrad', steps)
    this.ctx.count('calls', steps)
  }

  /** ∇_y f on a validation minibatch (valBatch > 0) or on the whole validation set, into vf. */
  validationGradient(): void {
    const B = this.valIdx.length
    if (this.P.valBatch > 0) sampleBatch(this.rng, this.D.nVal, B, this.valIdx)
    valGrad(this.D, this.y, this.valIdx, B, this.vf)
    this.ctx.count('valGrad', 1)
    this.ctx.count('calls', 1)
  }

  /**
   * Truncated Neumann series (StocBio-style, a fresh minibatch per term):
   *   v = (1/C)·Σ_{q=0}^{Q−1} Π_{j=1}^{q} (I − H_j/C)·∇_y f,   H_j = ∇²_yy g(x, y; B_j),
   * evaluated by the recursion p_0 = ∇_y f, p_q = p_{q−1} − H_q p_{q−1}/C (Q − 1 products).
   */
  neumann(Q: number): void {
    const { D, P, pcur, hv, v, vf, idx, C } = this
    const p = D.p
    for (let k = 0; k < p; k++) {
      pcur[k] = vf[k]
      v[k] = vf[k]
    }
    for (let q = 1; q < Q; q++) {
      sampleBatch(this.rng, D.n, P.batch, idx)
      lowerHvp(D, this.x, this.y, idx, P.batch, P.mu, pcur, hv)
      for (let k = 0; k < p; k++) {
        pcur[k] -= hv[k] / C
        v[k] += pcur[k]
      }
    }
    for (let k = 0; k < p; k++) v[k] /= C
    const products = Math.max(0, Q - 1)
    this.ctx.count('hvp', products)
    this.ctx.count('calls', products)
  }

  /** ĝ = −∇²_xy g·v on a fresh training minibatch, scattered with the n/|B| scaling. */
  hypergradient(): void {
    const { D, P, idx, ghat } = this
    sampleBatch(this.rng, D.n, P.batch, idx)
    ghat.fill(0)
    scatterHypergrad(D, this.x, this.y, this.v, idx, P.batch, ghat)
    this.ctx.count('jvp', 1)
    this.ctx.count('calls', 1)
  }
}

/**
 * One outer iteration t of BO-REP (Alg. 1) or BO-REP(z): every I iterations N SGD steps on y
 * (periodic lower-level update), ∇_y f, the Neumann series v (or the z recursion
 * z ← z − ν(∇²_yy g·z − ∇_y f)), the sparse hypergradient ĝ, then normalised momentum
 * m ← βm + (1 − β)ĝ, x ← x − η·m/‖m‖. `m` (n) and `z` (p) persist across iterations; returns ‖m‖.
 */
export function boRepIteration(ws: Workspace, t: number, m: Float64Array, z: Float64Array): number {
  const { D, P, ctx, x, y, ghat, v, vf, hv, idx } = ws
  const n = D.n
  const p = D.p
  if (t % P.interval === 0) {
    ws.lowerSgd(P.innerSteps, P.innerLr)
    if (t > 0) ctx.event('yRefresh', t)
  }
  ws.validationGradient()
  if (P.method === 'BO-REP') ws.neumann(P.neumannQ)
  else {
    sampleBatch(ws.rng, n, P.batch, idx)
    lowerHvp(D, x, y, idx, P.batch, P.mu, z, hv)
    for (let k = 0; k < p; k++) {
      z[k] -= P.nu * (hv[k] - vf[k])
      v[k] = z[k]
    }
    ctx.count('hvp', 1)
    ctx.count('calls', 1)
  }
  ws.hypergradient()
  let mm = 0
  for (let i = 0; i < n; i++) {
    m[i] = P.beta * m[i] + (1 - P.beta) * ghat[i]
    mm += m[i] * m[i]
  }
  const dirNorm = Math.sqrt(mm)
  if (dirNorm > 0) {
    const s = P.eta / dirNorm
    for (let i = 0; i < n; i++) x[i] -= s * m[i]
  }
  return dirNorm
}

interface Evaluation {
  valLoss: number
  testAcc: number
  auc: number
  meanWeightClean: number
  meanWeightNoisy: number
}

function evaluate(D: HypercleaningData, x: Float64Array, y: Float64Array, order: Int32Array): Evaluation {
  let sc = 0
  let nc = 0
  let sn = 0
  let nn = 0
  for (let i = 0; i < D.n; i++) {
    const w = sigmoid(x[i])
    if (D.noisy[i]) {
      sn += w
      nn++
    } else {
      sc += w
      nc++
    }
  }
  return {
    valLoss: meanCrossEntropy(D.Aval, D.sval, D.nVal, D.p, y),
    testAcc: accuracy(D.Atest, D.stest, D.nTest, D.p, y),
    auc: weightAuc(x, D.noisy, order),
    meanWeightClean: nc ? sc / nc : 0,
    meanWeightNoisy: nn ? sn / nn : 0,
  }
}

/** Histograms (fractions per bin on [0, 1]) of the weights of clean and of noisy samples. */
export function weightHistograms(x: Float64Array, noisy: Uint8Array, bins: number): { clean: Float64Array; noisy: Float64Array } {
  const clean = new Float64Array(bins)
  const nz = new Float64Array(bins)
  let nc = 0
  let nn = 0
  for (let i = 0; i < x.length; i++) {
    const b = Math.min(bins - 1, Math.floor(sigmoid(x[i]) * bins))
    if (noisy[i]) {
      nz[b]++
      nn++
    } else {
      clean[b]++
      nc++
    }
  }
  for (let b = 0; b < bins; b++) {
    clean[b] /= Math.max(1, nc)
    nz[b] /= Math.max(1, nn)
  }
  return { clean, noisy: nz }
}

/** λ_max of the selected samples' Gram matrix (the refit's step size). */
function gramLambdaMax(D: HypercleaningData, select: Uint8Array | null): number {
  const ev = symEigvalues(gram(D, select), D.p)
  return ev[ev.length - 1]
}

/**
 * One run of `P.method`. The stochastic methods (spec "Algorithms"):
 *
 * BO-REP: T_0 SGD steps on g(x_0, ·) (initialisation refinement); at t mod I = 0, N SGD steps
 *   on g(x_t, ·) warm-started (periodic updates); ĝ_t = −∇²_xy g·v with v from the Neumann
 *   series; m_t = β·m_{t−1} + (1−β)·ĝ_t, x_{t+1} = x_t − η·m_t/‖m_t‖ (normalised momentum).
 * BO-REP(z): as BO-REP, but v = z with z ← z − ν·(∇²_yy g·z − ∇_y f) once per iteration.
 * StocBio (Ji, Yang & Liang 2021, Alg. 2): D warm-started SGD steps on y, Neumann v,
 *   x ← x − α·ĝ.
 * MA-SOBA (Chen, Xu & Zhang 2023): one sample ξ per iteration for the g-oracles;
 *   y ← y − γ_y·∇_y g, z ← z − ρ·(∇²_yy g·z − ∇_y f), h ← (1−θ)·h + θ·(−∇²_xy g·z), x ← x − α·h,
 *   all oracles at (x_t, y_t, z_t).
 * TTSA (Hong et al. 2020, Alg. 1): y ← y − β_t·∇_y g(x_t, y_t), then x ← x − α_t·ĝ(x_t, y_{t+1})
 *   with the randomly truncated Neumann estimate v = (Q/C)·Π_{j=1}^{p}(I − H_j/C)·∇_y f,
 *   p ~ U{0, …, Q−1}; β_t = β_0·t^{−0.4}, α_t = α_0·t^{−0.6}, t = 1, 2, …
 *
 * The references ("uniform": every weight 1; "clean-only": the clean samples only) have no loop:
 * they are the refit alone, recorded at iterations 0 and T so that they draw as flat lines.
 */
export function solveHypercleaning(P: HypercleaningParams, ctx: SolveContext): void {
  const D = makeData(P, ctx.stream('data'))
  const rng = ctx.stream('minibatch')
  const order = new Int32Array(D.n)
  const T = P.iterations

  if (P.method === 'uniform' || P.method === 'clean-only') {
    const ones = new Float64Array(D.n).fill(1)
    let select: Uint8Array | null = null
    if (P.method === 'clean-only') {
      select = new Uint8Array(D.n)
      for (let i = 0; i < D.n; i++) select[i] = D.noisy[i] ? 0 : 1
    }
    const y = refit(D, ones, select, gramLambdaMax(D, select), P.mu, P.refitSteps)
    const acc = accuracy(D.Atest, D.stest, D.nTest, D.p, y)
    const valLoss = meanCrossEntropy(D.Aval, D.sval, D.nVal, D.p, y)
    const wNoisy = P.method === 'clean-only' ? 0 : 1
    const row = { valLoss, testAcc: acc, refitTestAcc: acc, refitValLoss: valLoss, meanWeightClean: 1, meanWeightNoisy: wNoisy }
    ctx.record(0, row)
    ctx.record(T, row)
    ctx.progress(1)
    return
  }

  const C = 0.25 * D.maxRowNormSq + P.mu
  const ws = new Workspace(D, P, rng, ctx, C)
  const { x, y, ghat, v, vf, hv, idx } = ws
  const n = D.n
  const p = D.p
  const m = new Float64Array(n) // BO-REP momentum, MA-SOBA average h
  const z = new Float64Array(p) // BO-REP(z), MA-SOBA auxiliary variable
  const isBorep = P.method === 'BO-REP' || P.method === 'BO-REP(z)'
  if (isBorep && P.warmStart > 0) {
    ws.lowerSgd(P.warmStart, P.innerLr)
    ctx.event('yRefresh', 0, `initialisation refinement: ${P.warmStart} SGD steps`)
  }

  const recordEval = (t: number, extra: Record<string, number>): void => {
    const e = evaluate(D, x, y, order)
    ctx.record(t, { ...extra, ...e })
  }
  recordEval(0, {})
  let lastExtra: Record<string, number> = {}

  for (let t = 0; t < T; t++) {
    if (ctx.cancelled) return
    let dirNorm = 0
    switch (P.method) {
      case 'BO-REP':
      case 'BO-REP(z)': {
        dirNorm = boRepIteration(ws, t, m, z)
        break
      }
      case 'StocBio': {
        ws.lowerSgd(P.stocbioInner, P.innerLr)
        ws.validationGradient()
        ws.neumann(P.neumannQ)
        ws.hypergradient()
        dirNorm = norm(ghat)
        for (let i = 0; i < n; i++) x[i] -= P.stocbioAlpha * ghat[i]
        break
      }
      case 'MA-SOBA': {
        sampleBatch(rng, n, P.batch, idx)
        ws.validationGradient()
        lowerGrad(D, x, y, idx, P.batch, P.mu, ws.grad)
        lowerHvp(D, x, y, idx, P.batch, P.mu, z, hv)
        ghat.fill(0)
        scatterHypergrad(D, x, y, z, idx, P.batch, ghat)
        ctx.count('lowerGrad', 1)
        ctx.count('hvp', 1)
        ctx.count('jvp', 1)
        ctx.count('calls', 3)
        for (let k = 0; k < p; k++) {
          y[k] -= P.masobaGammaY * ws.grad[k]
          z[k] -= P.masobaRho * (hv[k] - vf[k])
        }
        let hh = 0
        for (let i = 0; i < n; i++) {
          m[i] = (1 - P.masobaTheta) * m[i] + P.masobaTheta * ghat[i]
          hh += m[i] * m[i]
          x[i] -= P.masobaAlpha * m[i]
        }
        dirNorm = Math.sqrt(hh)
        break
      }
      case 'TTSA': {
        const tt = t + 1
        ws.lowerSgd(1, P.ttsaBeta0 * Math.pow(tt, -0.4))
        ws.validationGradient()
        const depth = rng.int(P.ttsaQ)
        for (let k = 0; k < p; k++) ws.pcur[k] = vf[k]
        for (let q = 0; q < depth; q++) {
          sampleBatch(rng, n, P.batch, idx)
          lowerHvp(D, x, y, idx, P.batch, P.mu, ws.pcur, hv)
          for (let k = 0; k < p; k++) ws.pcur[k] -= hv[k] / C
        }
        ctx.count('hvp', depth)
        ctx.count('calls', depth)
        for (let k = 0; k < p; k++) v[k] = (P.ttsaQ / C) * ws.pcur[k]
        ws.hypergradient()
        dirNorm = norm(ghat)
        const alpha = P.ttsaAlpha0 * Math.pow(tt, -0.6)
        for (let i = 0; i < n; i++) x[i] -= alpha * ghat[i]
        break
      }
    }
    const extra = { hypergradNorm: norm(ghat), directionNorm: dirNorm }
    if (t + 1 === T) lastExtra = extra
    else if ((t + 1) % P.evalEvery === 0) recordEval(t + 1, extra)
    else ctx.record(t + 1, { ...extra, valLoss: meanCrossEntropy(D.Aval, D.sval, D.nVal, p, y) })
    ctx.progress((t + 1) / T)
  }

  // Evaluation (spec): refit y for refitSteps steps with the learned weights σ(x), from y = 0.
  const weights = new Float64Array(n)
  for (let i = 0; i < n; i++) weights[i] = sigmoid(x[i])
  const yr = refit(D, weights, null, gramLambdaMax(D, null), P.mu, P.refitSteps)
  recordEval(T, {
    ...lastExtra,
    refitTestAcc: accuracy(D.Atest, D.stest, D.nTest, p, yr),
    refitValLoss: meanCrossEntropy(D.Aval, D.sval, D.nVal, p, yr),
  })
  recordHistogram(ctx, x, D.noisy, P.histogramBins, T)
}

/**
 * The weight histograms as rows after the last iteration, x-axis `oracle:weightBin` = the bin
 * centre (a counter is the only non-iteration x-axis a series chart has).
 */
function recordHistogram(ctx: SolveContext, x: Float64Array, noisy: Uint8Array, bins: number, T: number): void {
  const h = weightHistograms(x, noisy, bins)
  let prev = 0
  for (let b = 0; b < bins; b++) {
    const centre = (b + 0.5) / bins
    ctx.count('weightBin', centre - prev)
    prev = centre
    ctx.record(T + 1 + b, { histClean: h.clean[b], histNoisy: h.noisy[b] })
  }
}

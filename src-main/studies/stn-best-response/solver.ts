/**
 * Self-Tuning Network on ridge regression (MacKay et al., ICLR 2019, Algorithm 1), and the grid and
 * random-search baselines, at equal SGD-step accounting. One run = one mode.
 */
import type { SolveContext } from '../../kit'
import { gemv } from '../../numeric/dense'
import type { Rng } from '../../numeric/rng'
import { bestResponse, cosine, exactValidationCurve, makeRidgeData, mse, type RidgeData, trainRidgeSgd } from './problem'

export const MODES = ['stn', 'grid', 'random'] as const
export type Mode = (typeof MODES)[number]

export interface StnParams {
  mode: Mode
  d: number
  nTrain: number
  nVal: number
  nTest: number
  sparsity: number
  noiseStd: number
  h0: number
  hOffset: number
  hScale: number
  batch: number
  lrWeights: number
  momentum: number
  warmupSteps: number
  steps: number
  trainSteps: number
  validSteps: number
  lrHyper: number
  perturbSigma: number
  gridPoints: number
  gridMin: number
  gridMax: number
  randomRuns: number
  baselineSteps: number
}

/** Exact-curve grid of the spec: 221 values h ∈ [−8, 3], step 0.05. */
export const CURVE = { min: -8, max: 3, step: 0.05 }

const ADAM = { beta1: 0.9, beta2: 0.999, eps: 1e-8 }

/**
 * The STN state: the affine best response ŵ(h) = a + u(h)·c with u(h) = (h + hOffset)/hScale
 * (a HyperLinear layer with one output unit), SGD-momentum buffers for (a, c), and Adam on h.
 */
export class Stn {
  readonly a: Float64Array
  readonly c: Float64Array
  private readonly bufA: Float64Array
  private readonly bufC: Float64Array
  private readonly gA: Float64Array
  private readonly gC: Float64Array
  private readonly wi: Float64Array
  readonly what: Float64Array
  readonly gradW: Float64Array
  /** Xval·ŵ − yval, the validation residuals */
  private readonly resVal: Float64Array
  h: number
  private adamM = 0
  private adamV = 0
  private adamT = 0

  constructor(
    readonly D: RidgeData,
    readonly P: StnParams,
  ) {
    const d = D.d
    // a = c = 0: the spec leaves the initialisation open (README).
    this.a = new Float64Array(d)
    this.c = new Float64Array(d)
    this.bufA = new Float64Array(d)
    this.bufC = new Float64Array(d)
    this.gA = new Float64Array(d)
    this.gC = new Float64Array(d)
    this.wi = new Float64Array(d)
    this.what = new Float64Array(d)
    this.gradW = new Float64Array(d)
    this.resVal = new Float64Array(D.nVal)
    this.h = P.h0
  }

  u(h: number): number {
    return (h + this.P.hOffset) / this.P.hScale
  }

  /** ŵ(h) = a + u(h)·c into `this.what`. */
  response(h: number): Float64Array {
    const uh = this.u(h)
    for (let k = 0; k < this.D.d; k++) this.what[k] = this.a[k] + uh * this.c[k]
    return this.what
  }

  /**
   * Train step (Algorithm 1, line "φ update"): a minibatch of `batch` examples, each with its
   * own perturbed hyperparameter h̃_i = h + σ·ε_i, ε_i ~ N(0, 1), and the per-example loss
   * ℓ_i = (x_i·ŵ(h̃_i) − y_i)² + e^{h̃_i}·‖ŵ(h̃_i)‖²; ∇_a ℓ_i = ∇_w ℓ_i, ∇_c ℓ_i = u(h̃_i)·∇_w ℓ_i
   * with ∇_w ℓ_i = 2·r_i·x_i + 2·e^{h̃_i}·ŵ(h̃_i). SGD with momentum on (a, c).
   */
  trainStep(rng: Rng): void {
    const { D, P, a, c, gA, gC, wi } = this
    const d = D.d
    gA.fill(0)
    gC.fill(0)
    const inv = 1 / P.batch
    for (let r = 0; r < P.batch; r++) {
      const i = rng.int(D.n)
      const ht = this.h + P.perturbSigma * rng.normal()
      const ui = this.u(ht)
      const eh = Math.exp(ht)
      const o = i * d
      let res = -D.y[i]
      for (let k = 0; k < d; k++) {
        wi[k] = a[k] + ui * c[k]
        res += D.X[o + k] * wi[k]
      }
      for (let k = 0; k < d; k++) {
        const gw = inv * (2 * res * D.X[o + k] + 2 * eh * wi[k])
        gA[k] += gw
        gC[k] += ui * gw
      }
    }
    for (let k = 0; k < d; k++) {
      this.bufA[k] = P.momentum * this.bufA[k] + gA[k]
      this.bufC[k] = P.momentum * this.bufC[k] + gC[k]
      a[k] -= P.lrWeights * this.bufA[k]
      c[k] -= P.lrWeights * this.bufC[k]
    }
  }

  /**
   * Validation step (Algorithm 1, line "λ update"), unperturbed, on the whole validation set:
   * dL_val/dh = u'(h)·cᵀ·∇_w L_val(ŵ(h)), u'(h) = 1/hScale (L_val has no direct h term);
   * one Adam step on h. Returns the hypergradient.
   */
  validStep(): number {
    const { D, P, c, gradW } = this
    const d = D.d
    const w = this.response(this.h)
    // ∇_w L_val = (2/nVal)·Xvalᵀ(Xval·ŵ − yval): two gemv of the numeric core (wasm SIMD at these
    // sizes, bit-identical to its scalar loops)
    const { Xval, yval, nVal } = D
    const res = this.resVal
    for (let j = 0; j < nVal; j++) res[j] = -yval[j]
    gemv(false, nVal, d, 1, Xval, w, 1, res)
    gemv(true, nVal, d, 2 / nVal, Xval, res, 0, gradW)
    let dot = 0
    for (let k = 0; k < d; k++) dot += c[k] * gradW[k]
    const g = dot / P.hScale
    this.adamT++
    this.adamM = ADAM.beta1 * this.adamM + (1 - ADAM.beta1) * g
    this.adamV = ADAM.beta2 * this.adamV + (1 - ADAM.beta2) * g * g
    const mHat = this.adamM / (1 - Math.pow(ADAM.beta1, this.adamT))
    const vHat = this.adamV / (1 - Math.pow(ADAM.beta2, this.adamT))
    this.h -= (P.lrHyper * mHat) / (Math.sqrt(vHat) + ADAM.eps)
    return g
  }
}

function sgdSettings(P: StnParams): { batch: number; lr: number; momentum: number } {
  return { batch: P.batch, lr: P.lrWeights, momentum: P.momentum }
}

/**
 * One run. `stn`: warm-up (φ only, at h = h0, perturbed), then `steps` SGD (train) steps, each
 * T_train of them followed by T_valid validation steps (Adam on h); the budget counts SGD steps
 * (warm-up + train), as the spec's 3 200 = 200 + 3000. At the end, retrain plain ridge by SGD at the final h (`baselineSteps`
 * steps, the grid's protocol; not counted in the budget). `grid`: gridPoints values of h evenly on
 * [gridMin, gridMax], each trained for baselineSteps SGD steps; `random`: randomRuns values
 * h ~ U[gridMin, gridMax], same protocol. The grid run also records the exact validation curve.
 */
export function solveStn(P: StnParams, ctx: SolveContext): void {
  const D = makeRidgeData(P, ctx.stream('data'))
  const curve = exactValidationCurve(D, CURVE.min, CURVE.max, CURVE.step)
  const d = D.d
  if (P.mode === 'stn') solveStnMode(P, ctx, D, curve.hStar, curve.valStar)
  else {
    const rng = ctx.stream(P.mode === 'grid' ? 'grid' : 'random')
    const count = P.mode === 'grid' ? P.gridPoints : P.randomRuns
    let best = Infinity
    let bestH = NaN
    const hs: number[] = []
    const vals: number[] = []
    for (let k = 0; k < count; k++) {
      if (ctx.cancelled) return
      const h = P.mode === 'grid' ? (count === 1 ? P.gridMin : P.gridMin + ((P.gridMax - P.gridMin) * k) / (count - 1)) : rng.uniformIn(P.gridMin, P.gridMax)
      const w = trainRidgeSgd(D, h, P.baselineSteps, sgdSettings(P), rng)
      const val = mse(D.Xval, D.yval, D.nVal, d, w)
      hs.push(h)
      vals.push(val)
      if (val < best) {
        best = val
        bestH = h
      }
      ctx.count('steps', P.baselineSteps)
      ctx.record(k + 1, {
        h,
        searchValMse: val,
        bestValSoFar: best,
        bestH,
        hStar: curve.hStar,
        testMse: mse(D.Xtest, D.ytest, D.nTest, d, w),
      })
      ctx.progress((k + 1) / count)
    }
    if (P.mode === 'grid') recordCurve(ctx, curve, count + 1, hs, vals)
  }
}

/** The exact curve as rows with x-axis `oracle:hAxis` = h; grid points at their h. */
function recordCurve(
  ctx: SolveContext,
  curve: { h: Float64Array; val: Float64Array },
  first: number,
  hs: number[],
  vals: number[],
): void {
  let prev = 0
  for (let k = 0; k < curve.h.length; k++) {
    ctx.count('hAxis', curve.h[k] - prev)
    prev = curve.h[k]
    const row: Record<string, number> = { exactValCurve: curve.val[k] }
    const g = hs.findIndex((h) => Math.abs(h - curve.h[k]) < 1e-9)
    if (g >= 0) row.gridPointVal = vals[g]
    ctx.record(first + k, row)
  }
}

function solveStnMode(P: StnParams, ctx: SolveContext, D: RidgeData, hStar: number, valStar: number): void {
  const d = D.d
  const rng = ctx.stream('train')
  const stn = new Stn(D, P)
  const wStar = new Float64Array(d)
  const dwStar = new Float64Array(d)
  let bestVal = Infinity
  const total = P.warmupSteps + P.steps
  const recordStep = (iteration: number, hypergrad: number | null): void => {
    const w = stn.response(stn.h)
    const val = mse(D.Xval, D.yval, D.nVal, d, w)
    let reg = 0
    for (let k = 0; k < d; k++) reg += w[k] * w[k]
    const train = mse(D.X, D.y, D.n, d, w) + Math.exp(stn.h) * reg
    bestResponse(D, stn.h, wStar, dwStar)
    if (val < bestVal) bestVal = val
    const row: Record<string, number> = {
      h: stn.h,
      hStar,
      trainLoss: train,
      valLoss: val,
      bestValSoFar: bestVal,
      directionCosine: cosine(stn.c, dwStar),
      exactVal: mse(D.Xval, D.yval, D.nVal, d, wStar),
    }
    if (hypergrad !== null) row.hypergrad = hypergrad
    ctx.record(iteration, row)
  }

  recordStep(0, null)
  let it = 0
  for (let s = 0; s < P.warmupSteps; s++) {
    if (ctx.cancelled) return
    stn.trainStep(rng)
    ctx.count('steps', 1)
    ctx.count('trainSteps', 1)
    recordStep(++it, null)
  }
  ctx.event('warmupEnd', it, `${P.warmupSteps} φ-only warm-up steps`)
  // `steps` SGD (train) steps; after every T_train of them, T_valid validation (Adam) steps.
  for (let s = 0; s < P.steps; s++) {
    if (ctx.cancelled) return
    stn.trainStep(rng)
    ctx.count('trainSteps', 1)
    ctx.count('steps', 1)
    recordStep(++it, null)
    if ((s + 1) % P.trainSteps === 0) {
      for (let v = 0; v < P.validSteps; v++) {
        const hg = stn.validStep()
        ctx.count('hyperSteps', 1)
        recordStep(++it, hg)
      }
    }
    if ((s & 63) === 0) ctx.progress((P.warmupSteps + s + 1) / total)
  }

  // Retrain plain ridge at the final h (the grid's protocol) and report it.
  const hFinal = stn.h
  const wRe = trainRidgeSgd(D, hFinal, P.baselineSteps, sgdSettings(P), ctx.stream('retrain'))
  bestResponse(D, hFinal, wStar, dwStar)
  ctx.record(++it, {
    h: hFinal,
    hStar,
    hError: Math.abs(hFinal - hStar),
    retrainValMse: mse(D.Xval, D.yval, D.nVal, d, wRe),
    retrainTestMse: mse(D.Xtest, D.ytest, D.nTest, d, wRe),
    exactValAtFinalH: mse(D.Xval, D.yval, D.nVal, d, wStar),
    exactValStar: valStar,
  })
  // The STN's final h on the exact-curve chart (x-axis oracle:hAxis).
  ctx.count('hAxis', hFinal)
  ctx.record(++it, { stnFinalExactVal: mse(D.Xval, D.yval, D.nVal, d, wStar) })
  ctx.progress(1)
}

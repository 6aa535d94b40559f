/**
 * Training a 10-64-64-4 ReLU MLP on the noisy Gaussian mixture with SGD (heavy-ball momentum,
 * coupled weight decay), SAM or SAF, and the top Hessian eigenvalue of the full-training-set CE
 * loss by power iteration on exact R-operator Hessian-vector products.
 */
import type { SolveContext } from '../../kit'
import { dot, nrm2 } from '../../numeric/dense'
import type { Rng } from '../../numeric/rng'
import { lanczosExtremes } from '../../numeric/spectra'
import { makeMixture, type MixtureData, type NoiseKind } from './data'
import { initParams, mlpShape, MlpWorkspace, softmaxCE, temperedSoftmax, type MlpShape } from './mlp'

export type Method = 'sgd' | 'sam' | 'saf'

export interface SafParams {
  method: Method
  lr: number
  momentum: number
  weightDecay: number
  batch: number
  epochs: number
  samRho: number
  safLambda: number
  tau: number
  eTilde: number
  eStart: number
  nTrain: number
  nTest: number
  labelNoise: number
  noiseKind: NoiseKind
  centreScale: number
  hidden: number
  initGain: 'sqrt3' | 'sqrt6'
  powerIters: number
  trackEpochs: string
  trackSubset: number
  trackMethod: 'power' | 'lanczos'
  lanczosSteps: number
  evalEvery: number
  profilePoints: number
  profileRadius: number
}

export const INPUT_DIM = 10
export const CLASSES = 4
export const SUBCLUSTERS = 2

/** "20, 40, 60, 80" → sorted distinct positive integers; throws naming a bad entry. */
export function parseEpochList(text: string): number[] {
  const out = new Set<number>()
  for (const part of text.split(/[\s,;]+/)) {
    if (part === '') continue
    const e = Number(part)
    if (!Number.isInteger(e) || e < 1) throw new Error(`trackEpochs: "${part}" is not a positive integer epoch`)
    out.add(e)
  }
  return [...out].sort((a, b) => a - b)
}

/** The read and write slots of the SAF logit buffer at epoch e (0-based): read before write. */
export function safSlots(e: number, eTilde: number): { read: number; write: number } {
  const n = eTilde + 1
  return { read: (((e - eTilde) % n) + n) % n, write: e % n }
}

/**
 * The SAF buffer's record of one sample's logits z (K values from zo): softmax(z/τ) into
 * rec[ro .. ro+K) and the log-probabilities z/τ − log Σ exp(z/τ) into rec[ro+K .. ro+2K). It is
 * what the trajectory term needs of the logits both as the current ones and, Ẽ epochs later, as
 * the old ones, so each logit row's tempered softmax is computed once.
 */
export function trajectoryRecord(z: Float64Array, zo: number, K: number, tau: number, rec: Float64Array, ro: number): void {
  const lse = temperedSoftmax(z, zo, K, tau, rec, ro)
  for (let k = 0; k < K; k++) rec[ro + K + k] = z[zo + k] / tau - lse
}

/**
 * Adds SAF's trajectory-loss gradient to the logit gradient of one sample (dz from zo) and
 * returns the term's value τ²·KL(p_old ‖ q) (before the λ weight), with p_old = softmax(z_old/τ)
 * and q = softmax(z/τ) given as records (`trajectoryRecord`) at old[oo] and cur[co]:
 *   ∂/∂z [λ·τ²·KL(p_old ‖ q)] / B = λ·τ·(q − p_old) / B
 * (the official code's F.kl_div(log_softmax(z/τ), softmax(z_old/τ))·τ², averaged over the batch).
 */
export function addTrajectoryGradientFromRecords(
  cur: Float64Array, co: number,
  old: Float64Array, oo: number,
  K: number, tau: number, lambdaOverB: number,
  dz: Float64Array, zo: number,
): number {
  let kl = 0
  for (let k = 0; k < K; k++) {
    const pOld = old[oo + k]
    if (pOld > 0) kl += pOld * (old[oo + K + k] - cur[co + K + k])
    dz[zo + k] += lambdaOverB * tau * (cur[co + k] - pOld)
  }
  return tau * tau * kl
}

/**
 * `addTrajectoryGradientFromRecords` from the logits themselves: z (from zo) and z_old (from
 * oo); scratch holds the two records (4K entries).
 */
export function addTrajectoryGradient(
  z: Float64Array, zo: number,
  zOld: Float64Array, oo: number,
  K: number, tau: number, lambdaOverB: number,
  dz: Float64Array, scratch: Float64Array,
): number {
  trajectoryRecord(z, zo, K, tau, scratch, 0)
  trajectoryRecord(zOld, oo, K, tau, scratch, 2 * K)
  return addTrajectoryGradientFromRecords(scratch, 0, scratch, 2 * K, K, tau, lambdaOverB, dz, zo)
}

/**
 * Mean CE on labels y and accuracy on y (and on yAlt, e.g. the clean labels of the same points)
 * in chunks of the workspace's size: one forward pass per point.
 */
export function evaluate(
  ws: MlpWorkspace, w: Float64Array, X: Float64Array, y: Int32Array, n: number, d: number, K: number,
  probs: Float64Array, yAlt: Int32Array | null = null,
): { loss: number; acc: number; accAlt: number } {
  let ce = 0
  let correct = 0
  let correctAlt = 0
  for (let s = 0; s < n; s += ws.maxRows) {
    const rows = Math.min(ws.maxRows, n - s)
    ws.forward(w, X.subarray(s * d, (s + rows) * d), rows)
    const r = softmaxCE(ws.logits, y.subarray(s, s + rows), rows, K, probs)
    ce += r.ceSum
    correct += r.correct
    if (yAlt) {
      const z = ws.logits
      for (let i = 0; i < rows; i++) {
        let arg = 0
        for (let k = 1; k < K; k++) if (z[i * K + k] > z[i * K + arg]) arg = k
        if (arg === yAlt[s + i]) correctAlt++
      }
    }
  }
  return { loss: ce / n, acc: correct / n, accAlt: correctAlt / n }
}

/**
 * λ_max of the Hessian of the mean CE over the first `rows` training points (noisy labels, no
 * weight-decay term) at w, by `iters` steps of power iteration from a seeded random unit vector:
 * h = H·v, λ ≈ vᵀh, v ← h/‖h‖ (or by Lanczos with full reorthogonalisation). Returns NaN when
 * cancelled.
 */
export function sharpness(
  ws: MlpWorkspace, w: Float64Array, data: MixtureData, rows: number,
  method: 'power' | 'lanczos', iters: number, rng: Rng, ctx: Pick<SolveContext, 'cancelled' | 'count'>,
  vectorOut: Float64Array | null = null,
): number {
  const P = w.length
  const g = new Float64Array(P)
  ws.prepareHessian(w, data.Xtrain, data.yTrain, rows, g)
  if (method === 'lanczos') {
    const r = lanczosExtremes((x, out) => ws.hvp(w, x, out), P, iters, { rng, vectors: vectorOut !== null })
    ctx.count('hvp', r.steps)
    const top = r.values.length - 1
    vectorOut?.set(r.vectors.subarray(top * P, (top + 1) * P))
    return r.values[top]
  }
  let v = new Float64Array(P)
  let h = new Float64Array(P)
  rng.fillNormal(v)
  const s0 = nrm2(v)
  for (let i = 0; i < P; i++) v[i] /= s0
  let lambda = 0
  for (let it = 0; it < iters; it++) {
    if (ctx.cancelled) return NaN
    ws.hvp(w, v, h)
    ctx.count('hvp')
    lambda = dot(v, h)
    const s = nrm2(h)
    if (!(s > 0)) break
    for (let i = 0; i < P; i++) h[i] /= s
    const t = v
    v = h
    h = t
  }
  vectorOut?.set(v)
  return lambda
}

/** The optimizer hyperparameters a trainer reads. */
export type TrainerParams = Pick<SafParams, 'method' | 'lr' | 'momentum' | 'weightDecay' | 'batch' | 'samRho' | 'safLambda' | 'tau' | 'eTilde' | 'eStart'>

/**
 * SGD / SAM / SAF training state (one optimizer per run) over the training set of `data`,
 * 0-based epochs e, each a permutation cut into minibatches of `batch` (the last one partial
 * when batch ∤ nTrain).
 *
 * - SGD (base optimizer of both): buf ← μ·buf + (g + wd·w); w ← w − lr·buf (PyTorch SGD with
 *   coupled weight decay on every parameter; constant lr, the study's scaled configuration).
 * - SAM (Foret et al., the paper's baseline): ε = ρ·g/‖g‖ from the minibatch CE gradient g at w;
 *   g' = ∇CE_batch(w + ε); the same momentum/weight-decay update with g', applied at w.
 *   Two gradient evaluations per step.
 * - SAF (Du et al. 2022, Alg. 1 and eq. (6)–(7), as in the official SAF_train.py): per-sample loss
 *   CE(z_i, y_i) + λ·τ²·KL(softmax(z_i^{(e−Ẽ)}/τ) ‖ softmax(z_i/τ)), averaged over the batch, with
 *   z_i^{(e−Ẽ)} the logits stored for the same sample id Ẽ epochs earlier in an [N, Ẽ+1, K]
 *   buffer: read slot (e−Ẽ) mod (Ẽ+1), then write the current logits (from the step's own
 *   forward pass, no extra pass) into slot e mod (Ẽ+1); the KL term acts only when e > E_start.
 *   One gradient evaluation per step.
 */
export class Trainer {
  /** the parameters: a copy of the constructor's w0 (in the workspace's WebAssembly memory), updated in place by `step` */
  readonly w: Float64Array
  readonly velocity: Float64Array
  /**
   * SAF's logits per sample id, each as its `trajectoryRecord` (softmax(z/τ), then z/τ − lse):
   * [N, Ẽ+1, 2K], every slot starting as the record of zero logits (empty for SGD and SAM)
   */
  readonly logitBuffer: Float64Array
  readonly stepsPerEpoch: number
  /** minibatch gradient evaluations so far */
  gradEvals = 0
  private readonly ws: MlpWorkspace
  private readonly grad: Float64Array
  private readonly wAscent: Float64Array
  private readonly Xb: Float64Array
  private readonly yb: Int32Array
  private readonly ids: Int32Array
  private readonly probs: Float64Array
  private readonly B: number
  private readonly K: number
  private readonly d: number

  constructor(
    private readonly p: TrainerParams,
    private readonly data: MixtureData,
    shape: MlpShape,
    w0: Float64Array,
  ) {
    const N = data.nTrain
    this.d = data.d
    this.K = data.K
    this.B = Math.min(p.batch, N)
    this.stepsPerEpoch = Math.ceil(N / this.B)
    // the parameter vectors and the minibatch live in the workspace's WebAssembly memory, so the
    // layer products read and write them in place
    this.ws = new MlpWorkspace(shape, this.B, 4 * shape.P + this.B * this.d)
    const arena = this.ws.arena
    this.w = arena.copyOf(w0)
    this.velocity = arena.alloc(shape.P)
    this.grad = arena.alloc(shape.P)
    this.wAscent = arena.alloc(shape.P)
    this.Xb = arena.alloc(this.B * this.d)
    this.yb = new Int32Array(this.B)
    this.ids = new Int32Array(this.B)
    this.probs = new Float64Array(this.B * this.K)
    this.logitBuffer = new Float64Array(p.method === 'saf' ? N * (p.eTilde + 1) * 2 * this.K : 0)
    if (p.method === 'saf') {
      const zero = new Float64Array(this.K)
      for (let r = 0; r < this.logitBuffer.length; r += 2 * this.K) trajectoryRecord(zero, 0, this.K, p.tau, this.logitBuffer, r)
    }
  }

  /** δ_L = (P − onehot)/rows for the minibatch in the workspace; returns its mean CE. */
  private ceGradient(rows: number): number {
    const { K, probs, yb } = this
    const dL = this.ws.delta[this.ws.delta.length - 1]
    const r = softmaxCE(this.ws.logits, yb, rows, K, probs)
    for (let i = 0; i < rows; i++) {
      for (let k = 0; k < K; k++) dL[i * K + k] = probs[i * K + k] / rows
      dL[i * K + yb[i]] -= 1 / rows
    }
    return r.ceSum / rows
  }

  /**
   * Step s of epoch e on the minibatch perm[s·B .. s·B + B): returns the minibatch CE at w (before
   * the update) and adds SAF's τ²·KL values of the batch to `kl.sum` when the term is active.
   */
  step(e: number, s: number, perm: Int32Array, kl: { sum: number }): number {
    const { p, data, ws, d, K, B, ids, yb, Xb, w, grad } = this
    const start = s * B
    const nb = Math.min(B, data.nTrain - start)
    for (let i = 0; i < nb; i++) {
      const id = perm[start + i]
      ids[i] = id
      yb[i] = data.yTrain[id]
      for (let j = 0; j < d; j++) Xb[i * d + j] = data.Xtrain[id * d + j]
    }
    const xb = Xb.subarray(0, nb * d)
    ws.forward(w, xb, nb)
    const batchLoss = this.ceGradient(nb)
    if (p.method === 'saf') {
      const slots = p.eTilde + 1
      const { read, write } = safSlots(e, p.eTilde)
      const active = e > p.eStart
      const z = ws.logits
      const dL = ws.delta[ws.delta.length - 1]
      const buf = this.logitBuffer
      for (let i = 0; i < nb; i++) {
        // the record written now is the current logits' half of the term (read ≠ write: Ẽ ≥ 1)
        const base = ids[i] * slots * 2 * K
        const wo = base + write * 2 * K
        trajectoryRecord(z, i * K, K, p.tau, buf, wo)
        if (active) kl.sum += addTrajectoryGradientFromRecords(buf, wo, buf, base + read * 2 * K, K, p.tau, p.safLambda / nb, dL, i * K)
      }
    }
    ws.backward(w, grad)
    if (p.method === 'sam') {
      const c = p.samRho / (gradientNorm(grad) + 1e-12)
      const wa = this.wAscent
      ws.arena.addScaled(wa, w, c, grad)
      ws.forward(wa, xb, nb)
      this.ceGradient(nb)
      ws.backward(wa, grad)
      this.gradEvals += 2
    } else this.gradEvals += 1
    ws.arena.momentumStep(w, this.velocity, grad, p.momentum, p.weightDecay, p.lr)
    return batchLoss
  }
}


/**
 * ‖g‖₂ as √(Σ g²) in four interleaved partial sums, (s0 + s1) + (s2 + s3): SAM's ascent norm,
 * unscaled as in the reference SAM (a minibatch gradient is nowhere near the squares' overflow),
 * about a third of the time of the scaled `nrm2` (a division per entry).
 */
export function gradientNorm(g: Float64Array): number {
  const n = g.length
  const n4 = n & ~3
  let s0 = 0
  let s1 = 0
  let s2 = 0
  let s3 = 0
  for (let i = 0; i < n4; i += 4) {
    s0 += g[i] * g[i]
    s1 += g[i + 1] * g[i + 1]
    s2 += g[i + 2] * g[i + 2]
    s3 += g[i + 3] * g[i + 3]
  }
  for (let i = n4; i < n; i++) s0 += g[i] * g[i]
  return Math.sqrt(s0 + s1 + (s2 + s3))
}

/**
 * A run: the mixture and the init from their own streams, shuffles from the main stream, the
 * start vector of the λ_max estimate at epoch e from a stream 'sharpness:e' (so tracking never
 * shifts training, and the final estimate does not depend on which epochs were tracked), then
 * `epochs` epochs of `Trainer` steps with a full-set evaluation row per epoch (every
 * `evalEvery`) and λ_max at the tracked epochs and at the end.
 */
export function solveSaf(p: SafParams, ctx: SolveContext): void {
  const d = INPUT_DIM
  const K = CLASSES
  const data = makeMixture(ctx.stream('data'), {
    d, K, subclusters: SUBCLUSTERS, nTrain: p.nTrain, nTest: p.nTest,
    centreScale: p.centreScale, labelNoise: p.labelNoise, noiseKind: p.noiseKind,
  })
  const shape = mlpShape([d, p.hidden, p.hidden, K])
  const w0 = initParams(shape, p.initGain === 'sqrt6' ? Math.sqrt(6) : Math.sqrt(3), ctx.stream('init'))
  const shuffleRng = ctx.rng
  const N = p.nTrain
  const trainer = new Trainer(p, data, shape, w0)
  /** the live parameters (the trainer's copy of w0, updated in place) */
  const w = trainer.w
  const stepsPerEpoch = trainer.stepsPerEpoch
  const totalSteps = stepsPerEpoch * p.epochs
  const track = new Set(parseEpochList(p.trackEpochs).filter((e) => e < p.epochs))
  const trackRows = p.trackSubset > 0 ? Math.min(p.trackSubset, N) : N
  const big = new MlpWorkspace(shape, N)
  const evalProbs = new Float64Array(N * K)

  const epochRow = (e: number, iteration: number, klTerm: number) => {
    const tr = evaluate(big, w, data.Xtrain, data.yTrain, N, d, K, evalProbs, data.yTrainClean)
    const te = evaluate(big, w, data.Xtest, data.yTest, p.nTest, d, K, evalProbs)
    const row: Record<string, number> = {
      epoch: e,
      trainLoss: tr.loss,
      trainAccNoisy: tr.acc,
      trainAccClean: tr.accAlt,
      testAcc: te.acc,
      weightNorm: nrm2(w),
    }
    if (p.method === 'saf') row.klTerm = klTerm
    ctx.record(iteration, row)
  }

  const topVector = new Float64Array(shape.P)
  const sharpnessRow = (e: number, iteration: number, final: boolean) => {
    const rng = ctx.stream(`sharpness:${e}`)
    const lambda = final
      ? sharpness(big, w, data, N, 'power', p.powerIters, rng, ctx, topVector)
      : sharpness(big, w, data, trackRows, p.trackMethod, p.trackMethod === 'power' ? p.powerIters : p.lanczosSteps, rng, ctx)
    if (Number.isNaN(lambda)) return false
    ctx.record(iteration, { epoch: e, lambdaMax: lambda })
    if (final && p.profilePoints > 0) lossProfile(iteration, lambda)
    return true
  }

  /**
   * Optional figure: the full-training-set CE at w + t·v along the final top eigenvector v, for
   * t on a uniform grid in [−r, r], with the local quadratic model L(w) + t·gᵀv + ½·λ_max·t².
   */
  const lossProfile = (iteration: number, lambda: number) => {
    const g = new Float64Array(shape.P)
    const L0 = big.prepareHessian(w, data.Xtrain, data.yTrain, N, g)
    const slope = dot(g, topVector)
    const wt = new Float64Array(shape.P)
    const n = p.profilePoints
    for (let k = 0; k < n; k++) {
      if (ctx.cancelled) return
      const t = n === 1 ? 0 : -p.profileRadius + (2 * p.profileRadius * k) / (n - 1)
      for (let i = 0; i < shape.P; i++) wt[i] = w[i] + t * topVector[i]
      const loss = evaluate(big, wt, data.Xtrain, data.yTrain, N, d, K, evalProbs).loss
      ctx.record(iteration, { profileT: t, profileLoss: loss, profileQuadratic: L0 + slope * t + 0.5 * lambda * t * t })
    }
  }

  ctx.record(0, { epoch: 0, gradEvals: 0 })
  epochRow(0, 0, 0)
  let t = 0
  for (let e = 0; e < p.epochs; e++) {
    const perm = shuffleRng.permutation(N)
    const kl = { sum: 0 }
    for (let s = 0; s < stepsPerEpoch; s++) {
      if (ctx.cancelled) return
      const before = trainer.gradEvals
      const batchLoss = trainer.step(e, s, perm, kl)
      ctx.count('grad', trainer.gradEvals - before)
      ctx.record(t, { epoch: t / stepsPerEpoch, batchLoss, gradEvals: trainer.gradEvals })
      t++
      ctx.progress(t / totalSteps)
    }
    const done = e + 1
    if (done % p.evalEvery === 0 || done === p.epochs) epochRow(done, t, kl.sum / N)
    if (done === p.epochs) {
      if (!sharpnessRow(done, t, true)) return
    } else if (track.has(done)) {
      if (!sharpnessRow(done, t, false)) return
    }
  }
}

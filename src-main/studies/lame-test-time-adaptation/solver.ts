/**
 * The online test-time-adaptation loop: a frozen source classifier meets the shifted target
 * stream batch by batch; each method adapts (or not) and predicts the batch.
 */
import type { SolveContext } from '../../kit'
import { buildAffinity, lameSolve, lameWorkspace, type Affinity } from './lame'
import { argmaxRow, BN_EPS, buildWorld, classifierLogits, type Scenario, type SourceClassifier, type World, type WorldSpec } from './world'

export const METHODS = ['none', 'adabn', 'tent', 'tent_src', 'tent_out', 'lame'] as const
export type Method = (typeof METHODS)[number]

export interface TtaParams extends WorldSpec {
  method: Method
  scenario: Scenario
  batch: number
  affinity: Affinity
  knn: number
  symmetrise: boolean
  lameMaxIter: number
  lameTol: number
  adabnMomentum: number
  /** 0 = the method's default (1e-3 tent, 1e-2 tent_src and tent_out) */
  tentLr: number
  /** −1 = the method's default (0.9 tent and tent_out, 0 tent_src) */
  tentMomentum: number
}

export function effectiveTentLr(p: Pick<TtaParams, 'method' | 'tentLr'>): number {
  if (p.tentLr > 0) return p.tentLr
  return p.method === 'tent' ? 1e-3 : 1e-2
}
export function effectiveTentMomentum(p: Pick<TtaParams, 'method' | 'tentMomentum'>): number {
  if (p.tentMomentum >= 0) return p.tentMomentum
  return p.method === 'tent_src' ? 0 : 0.9
}

/** Softmax of each row of Z (N×K) into P, with max-subtraction. */
export function softmaxRows(Z: Float64Array, N: number, K: number, P: Float64Array): void {
  for (let i = 0; i < N; i++) {
    let m = -Infinity
    for (let k = 0; k < K; k++) if (Z[i * K + k] > m) m = Z[i * K + k]
    let s = 0
    for (let k = 0; k < K; k++) {
      const e = Math.exp(Z[i * K + k] - m)
      P[i * K + k] = e
      s += e
    }
    for (let k = 0; k < K; k++) P[i * K + k] /= s
  }
}

/** Shannon entropy (nats) of row i of P. */
export function rowEntropy(P: Float64Array, i: number, K: number): number {
  let H = 0
  for (let k = 0; k < K; k++) {
    const p = P[i * K + k]
    if (p > 0) H -= p * Math.log(p)
  }
  return H
}

/** The adaptable state of the BN-like layer and the logit bias. */
export interface AdaptState {
  mean: Float64Array
  variance: Float64Array
  gamma: Float64Array
  beta: Float64Array
  bias: Float64Array
  /** SGD momentum buffers (PyTorch convention: buf ← μ·buf + g; θ ← θ − lr·buf) */
  bufGamma: Float64Array
  bufBeta: Float64Array
  bufBias: Float64Array
}

export function initialState(clf: SourceClassifier): AdaptState {
  const { d, K } = clf
  return {
    mean: Float64Array.from(clf.mean),
    variance: Float64Array.from(clf.variance),
    gamma: new Float64Array(d).fill(1),
    beta: new Float64Array(d),
    bias: new Float64Array(K),
    bufGamma: new Float64Array(d),
    bufBeta: new Float64Array(d),
    bufBias: new Float64Array(K),
  }
}

/** ĥ = (f − μ)/√(σ² + ε) (N×d) */
export function standardise(F: Float64Array, off: number, N: number, d: number, mean: Float64Array, variance: Float64Array, out: Float64Array): void {
  for (let i = 0; i < N; i++)
    for (let j = 0; j < d; j++) out[i * d + j] = (F[(off + i) * d + j] - mean[j]) / Math.sqrt(variance[j] + BN_EPS)
}

/** Running statistics μ ← (1 − m)μ + m·μ_batch, σ² ← (1 − m)σ² + m·σ²_batch (biased batch variance). */
export function updateRunningStats(F: Float64Array, off: number, N: number, d: number, m: number, st: AdaptState): void {
  for (let j = 0; j < d; j++) {
    let mu = 0
    for (let i = 0; i < N; i++) mu += F[(off + i) * d + j]
    mu /= N
    let v = 0
    for (let i = 0; i < N; i++) v += (F[(off + i) * d + j] - mu) ** 2
    v /= N
    st.mean[j] = (1 - m) * st.mean[j] + m * mu
    st.variance[j] = (1 - m) * st.variance[j] + m * v
  }
}

/** logits of h = γ ⊙ ĥ + β, plus the logit bias (N×K). H receives h. */
export function adaptedLogits(clf: SourceClassifier, st: AdaptState, Hhat: Float64Array, N: number, H: Float64Array, Z: Float64Array): void {
  const { d, K } = clf
  for (let i = 0; i < N; i++) for (let j = 0; j < d; j++) H[i * d + j] = st.gamma[j] * Hhat[i * d + j] + st.beta[j]
  classifierLogits(clf, H, N, Z)
  for (let i = 0; i < N; i++) for (let k = 0; k < K; k++) Z[i * K + k] += st.bias[k]
}

/**
 * Gradient of the mean batch entropy L = (1/N) Σ_i H(softmax(z_i)) (TENT, Wang et al. 2021, eq. (1)):
 * ∂L/∂z_ik = −p_ik (log p_ik + H_i)/N; ∂L/∂h_ij = Σ_k ∂L/∂z_ik W_kj; ∂L/∂γ_j = Σ_i ∂L/∂h_ij ĥ_ij,
 * ∂L/∂β_j = Σ_i ∂L/∂h_ij; ∂L/∂b_k = Σ_i ∂L/∂z_ik. Returns L.
 */
export function entropyGradient(
  clf: SourceClassifier,
  P: Float64Array,
  Hhat: Float64Array,
  N: number,
  G: Float64Array,
  gGamma: Float64Array,
  gBeta: Float64Array,
  gBias: Float64Array,
): number {
  const { d, K, weights } = clf
  gGamma.fill(0)
  gBeta.fill(0)
  gBias.fill(0)
  let L = 0
  for (let i = 0; i < N; i++) {
    const H = rowEntropy(P, i, K)
    L += H / N
    for (let k = 0; k < K; k++) {
      const p = P[i * K + k]
      const g = p > 0 ? (-p * (Math.log(p) + H)) / N : 0
      G[k] = g
      gBias[k] += g
    }
    for (let j = 0; j < d; j++) {
      let gh = 0
      for (let k = 0; k < K; k++) gh += G[k] * weights[k * d + j]
      gGamma[j] += gh * Hhat[i * d + j]
      gBeta[j] += gh
    }
  }
  return L
}

function sgdStep(theta: Float64Array, grad: Float64Array, buf: Float64Array, lr: number, momentum: number): void {
  for (let j = 0; j < theta.length; j++) {
    buf[j] = momentum * buf[j] + grad[j]
    theta[j] -= lr * buf[j]
  }
}

export interface StreamSummary {
  accuracy: number
  lameIterations: number[]
  energyIncreaseBatches: number
  sourceAccuracy: number
  n: number
}

/**
 * Run one method over the stream. Order per batch (spec pitfall 7): adabn/tent update the running
 * statistics with the batch, then standardise it; tent variants take one entropy-SGD step on the
 * batch, then predict it with the updated parameters; LAME post-processes the source probabilities.
 */
export function runStream(p: TtaParams, ctx: SolveContext, world?: World): StreamSummary {
  const w = world ?? buildWorld(p, ctx.seed, (name) => ctx.stream(name))
  const { clf, target, labels, n } = w
  const { d, K } = clf
  const B = p.batch
  const st = initialState(clf)
  const maxN = B
  const Hhat = new Float64Array(maxN * d)
  const H = new Float64Array(maxN * d)
  const Z = new Float64Array(maxN * K)
  const P = new Float64Array(maxN * K)
  const Xn = new Float64Array(maxN * d)
  const G = new Float64Array(K)
  const gGamma = new Float64Array(d)
  const gBeta = new Float64Array(d)
  const gBias = new Float64Array(K)
  const ws = lameWorkspace(maxN, K)
  const lr = effectiveTentLr(p)
  const mom = effectiveTentMomentum(p)
  const usesTestStats = p.method === 'adabn' || p.method === 'tent'
  const statMomentum = p.method === 'adabn' ? p.adabnMomentum : 1
  const isTent = p.method === 'tent' || p.method === 'tent_src' || p.method === 'tent_out'
  const nBatches = Math.ceil(n / B)
  const nonIid = p.scenario === 'noniid-bal' || p.scenario === 'noniid-imbal'
  let correct = 0
  let seen = 0
  const lameIterations: number[] = []
  let energyIncreaseBatches = 0
  let lastT = performance.now()
  for (let b = 0; b < nBatches; b++) {
    if (ctx.cancelled) break
    const off = b * B
    const N = Math.min(B, n - off)
    if (usesTestStats) updateRunningStats(target, off, N, d, statMomentum, st)
    standardise(target, off, N, d, st.mean, st.variance, Hhat)
    adaptedLogits(clf, st, Hhat, N, H, Z)
    softmaxRows(Z, N, K, P)
    if (isTent) {
      entropyGradient(clf, P, Hhat, N, G, gGamma, gBeta, gBias)
      if (p.method === 'tent_out') sgdStep(st.bias, gBias, st.bufBias, lr, mom)
      else {
        sgdStep(st.gamma, gGamma, st.bufGamma, lr, mom)
        sgdStep(st.beta, gBeta, st.bufBeta, lr, mom)
      }
      ctx.count('gradient', 1)
      adaptedLogits(clf, st, Hhat, N, H, Z)
      softmaxRows(Z, N, K, P)
    }
    let batchCorrect = 0
    let changed = 0
    let entropy = 0
    let lameIt = 0
    let lameE0 = 0
    let lameE1 = 0
    let lameUp = 0
    if (p.method === 'lame') {
      // LAME's features: the source-standardised h, L2-normalised (spec "LAME inputs")
      for (let i = 0; i < N; i++) {
        let s = 0
        for (let j = 0; j < d; j++) s += H[i * d + j] ** 2
        const f = 1 / Math.max(Math.sqrt(s), 1e-12)
        for (let j = 0; j < d; j++) Xn[i * d + j] = H[i * d + j] * f
      }
      buildAffinity(ws, Xn, N, d, p.affinity, p.knn, p.symmetrise)
      const r = lameSolve(ws, P, N, K, p.lameMaxIter, p.lameTol)
      lameIt = r.iterations
      lameE0 = r.energyFirst
      lameE1 = r.energyLast
      lameUp = r.energyIncreases
      if (lameUp > 0) energyIncreaseBatches++
      lameIterations.push(lameIt)
      ctx.count('cccp', lameIt)
      for (let i = 0; i < N; i++) {
        const yhat = argmaxRow(ws.Y, i, K)
        if (yhat !== argmaxRow(P, i, K)) changed++
        if (yhat === labels[off + i]) batchCorrect++
        entropy += rowEntropy(ws.Y, i, K)
      }
    } else {
      for (let i = 0; i < N; i++) {
        if (argmaxRow(P, i, K) === labels[off + i]) batchCorrect++
        entropy += rowEntropy(P, i, K)
      }
    }
    correct += batchCorrect
    seen += N
    ctx.count('samples', N)
    let straddles = 0
    for (let i = off + 1; i < off + N; i++) if (labels[i] !== labels[i - 1]) straddles = 1
    if (nonIid && (straddles || (off > 0 && labels[off] !== labels[off - 1]))) ctx.event('classBoundary', b)
    const rec: Record<string, number> = {
      batchAccuracy: (100 * batchCorrect) / N,
      runningAccuracy: (100 * correct) / seen,
      fractionChanged: changed / N,
      predictionEntropy: entropy / N,
      trueClassRun: straddles,
      sampleIndex: seen,
    }
    if (b === 0) rec.sourceAccuracy = 100 * clf.sourceAccuracy
    if (p.method === 'lame') {
      rec.lameIterations = lameIt
      rec.lameEnergyFirst = lameE0
      rec.lameEnergyLast = lameE1
      rec.lameEnergyIncreases = lameUp
    }
    ctx.record(b, rec)
    const now = performance.now()
    if (now - lastT > 50) {
      ctx.progress((b + 1) / nBatches)
      lastT = now
    }
  }
  return { accuracy: (100 * correct) / Math.max(seen, 1), lameIterations, energyIncreaseBatches, sourceAccuracy: clf.sourceAccuracy, n }
}

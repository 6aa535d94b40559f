/**
 * The synthetic test-time-adaptation world of this study (a reconstruction, not the paper's
 * ImageNet experiments): K Gaussian classes in d dimensions, a source classifier with a BN-like
 * standardisation layer and a closed-form Gaussian Bayes head, a per-dimension affine covariate
 * shift, and the five label streams of the paper's protocol (`src/data/build.py` of fiveai/LAME).
 */
import type { Rng } from '../../numeric/rng'

export const SCENARIOS = ['iid-bal', 'iid-imbal', 'noniid-bal', 'noniid-imbal', 'markov'] as const
export type Scenario = (typeof SCENARIOS)[number]

export interface WorldSpec {
  nClasses: number
  dim: number
  meanNorm: number
  nSource: number
  nTarget: number
  shiftScaleStd: number
  shiftOffsetStd: number
  zipfA: number
  scenario: Scenario
  markovRho: number
}

/** The frozen source model: BN-like source statistics and the Gaussian Bayes head on h. */
export interface SourceClassifier {
  K: number
  d: number
  /** μ_src and σ²_src per dimension (biased), the source BN statistics */
  mean: Float64Array
  variance: Float64Array
  /** M̃/v̂ (K×d): logit weights; logits_k = h·(m̃_k/v̂) − ½‖m̃_k‖²/v̂ */
  weights: Float64Array
  /** ½‖m̃_k‖²/v̂ */
  offsets: Float64Array
  /** pooled within-class variance v̂ */
  pooledVariance: number
  sourceAccuracy: number
}

/** BatchNorm's ε: the standardisation divides by √(σ² + ε), for source and test statistics alike. */
export const BN_EPS = 1e-5

/** Class means m_k: standard normal vectors rescaled to norm `meanNorm` (K×d). */
export function classMeans(rng: Rng, K: number, d: number, meanNorm: number): Float64Array {
  const M = rng.gaussianMatrix(K, d)
  for (let k = 0; k < K; k++) {
    let s = 0
    for (let j = 0; j < d; j++) s += M[k * d + j] ** 2
    const f = meanNorm / Math.sqrt(s)
    for (let j = 0; j < d; j++) M[k * d + j] *= f
  }
  return M
}

/** logits (n×K) of standardised features h (n×d): z_ik = h_i·W_k − c_k. */
export function classifierLogits(clf: SourceClassifier, h: Float64Array, n: number, out: Float64Array): Float64Array {
  const { K, d, weights, offsets } = clf
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < K; k++) {
      let s = 0
      for (let j = 0; j < d; j++) s += h[i * d + j] * weights[k * d + j]
      out[i * K + k] = s - offsets[k]
    }
  }
  return out
}

/**
 * Fit the source classifier on nSource samples f = m_y + N(0, I) with uniform labels:
 * h = (f − μ_src)/√(σ²_src + ε); m̃_k = class mean of h; v̂ = pooled within-class variance
 * averaged over all samples and dimensions; logits_k = (h·m̃_k − ½‖m̃_k‖²)/v̂.
 */
export function fitSourceClassifier(rng: Rng, means: Float64Array, K: number, d: number, nSource: number): SourceClassifier {
  const F = new Float64Array(nSource * d)
  const y = new Int32Array(nSource)
  for (let i = 0; i < nSource; i++) {
    const c = rng.int(K)
    y[i] = c
    for (let j = 0; j < d; j++) F[i * d + j] = means[c * d + j] + rng.normal()
  }
  const mean = new Float64Array(d)
  const variance = new Float64Array(d)
  for (let i = 0; i < nSource; i++) for (let j = 0; j < d; j++) mean[j] += F[i * d + j]
  for (let j = 0; j < d; j++) mean[j] /= nSource
  for (let i = 0; i < nSource; i++) for (let j = 0; j < d; j++) variance[j] += (F[i * d + j] - mean[j]) ** 2
  for (let j = 0; j < d; j++) variance[j] /= nSource
  const H = F // standardise in place
  for (let i = 0; i < nSource; i++) for (let j = 0; j < d; j++) H[i * d + j] = (F[i * d + j] - mean[j]) / Math.sqrt(variance[j] + BN_EPS)
  const centroid = new Float64Array(K * d)
  const counts = new Float64Array(K)
  for (let i = 0; i < nSource; i++) {
    counts[y[i]]++
    for (let j = 0; j < d; j++) centroid[y[i] * d + j] += H[i * d + j]
  }
  for (let k = 0; k < K; k++) if (counts[k] > 0) for (let j = 0; j < d; j++) centroid[k * d + j] /= counts[k]
  let ss = 0
  for (let i = 0; i < nSource; i++) for (let j = 0; j < d; j++) ss += (H[i * d + j] - centroid[y[i] * d + j]) ** 2
  const pooledVariance = ss / (nSource * d)
  const weights = new Float64Array(K * d)
  const offsets = new Float64Array(K)
  for (let k = 0; k < K; k++) {
    let n2 = 0
    for (let j = 0; j < d; j++) {
      weights[k * d + j] = centroid[k * d + j] / pooledVariance
      n2 += centroid[k * d + j] ** 2
    }
    offsets[k] = (0.5 * n2) / pooledVariance
  }
  const clf: SourceClassifier = { K, d, mean, variance, weights, offsets, pooledVariance, sourceAccuracy: 0 }
  const logits = classifierLogits(clf, H, nSource, new Float64Array(nSource * K))
  let correct = 0
  for (let i = 0; i < nSource; i++) if (argmaxRow(logits, i, K) === y[i]) correct++
  clf.sourceAccuracy = correct / nSource
  return clf
}

export function argmaxRow(A: Float64Array, i: number, K: number): number {
  let best = 0
  let bv = A[i * K]
  for (let k = 1; k < K; k++) if (A[i * K + k] > bv) {
    bv = A[i * K + k]
    best = k
  }
  return best
}

/** numpy.random.zipf(a): Devroye's rejection sampler for P(X = x) ∝ x^(−a), x ≥ 1. */
export function zipfDraw(rng: Rng, a: number): number {
  const am1 = a - 1
  const b = 2 ** am1
  for (;;) {
    const U = 1 - rng.uniform()
    const V = rng.uniform()
    const X = Math.floor(U ** (-1 / am1))
    if (!(X >= 1) || X > 1e15) continue
    const T = (1 + 1 / X) ** am1
    if ((V * X * (T - 1)) / (b - 1) <= T / b) return X
  }
}

/**
 * `zipf_imbalance` of fiveai/LAME `build.py` (mode test): proportions = zipf(a, K) normalised,
 * counts = ⌊total·proportion⌋, redrawn until the top 10 % of classes hold < ⌊0.9·total⌋ samples.
 */
export function zipfClassCounts(rng: Rng, K: number, total: number, a: number): Int32Array {
  const top = Math.max(1, Math.floor(0.1 * K))
  for (;;) {
    const prop = new Float64Array(K)
    let s = 0
    for (let k = 0; k < K; k++) {
      prop[k] = zipfDraw(rng, a)
      s += prop[k]
    }
    const counts = new Int32Array(K)
    for (let k = 0; k < K; k++) counts[k] = Math.floor((total * prop[k]) / s)
    const sorted = Array.from(counts).sort((x, y) => y - x)
    let topSum = 0
    for (let r = 0; r < top; r++) topSum += sorted[r]
    if (topSum < Math.floor(0.9 * total)) return counts
  }
}

/** Balanced class counts: ⌊n/K⌋ each, the remainder to the first classes of a random order. */
function balancedCounts(rng: Rng, K: number, n: number): Int32Array {
  const counts = new Int32Array(K).fill(Math.floor(n / K))
  const order = rng.permutation(K)
  for (let r = 0; r < n % K; r++) counts[order[r]]++
  return counts
}

/** Labels in random class order, each class's samples contiguous (group_by_subclass of build.py). */
function groupedLabels(rng: Rng, counts: Int32Array): Int32Array {
  const n = counts.reduce((a, b) => a + b, 0)
  const y = new Int32Array(n)
  const order = rng.permutation(counts.length)
  let t = 0
  for (const c of order) for (let r = 0; r < counts[c]; r++) y[t++] = c
  return y
}

function shuffledLabels(rng: Rng, counts: Int32Array): Int32Array {
  const y = groupedLabels(rng, counts)
  const p = rng.permutation(y.length)
  return Int32Array.from(p, (i) => y[i])
}

/** The label stream of a scenario (see the spec's "Streams"). Zipf streams hold Σ⌊n·prop⌋ ≤ n samples. */
export function streamLabels(rng: Rng, spec: WorldSpec): Int32Array {
  const K = spec.nClasses
  const n = spec.nTarget
  switch (spec.scenario) {
    case 'iid-bal':
      return shuffledLabels(rng, balancedCounts(rng, K, n))
    case 'noniid-bal':
      return groupedLabels(rng, balancedCounts(rng, K, n))
    case 'iid-imbal':
      return shuffledLabels(rng, zipfClassCounts(rng, K, n, spec.zipfA))
    case 'noniid-imbal':
      return groupedLabels(rng, zipfClassCounts(rng, K, n, spec.zipfA))
    case 'markov': {
      const y = new Int32Array(n)
      y[0] = rng.int(K)
      for (let t = 1; t < n; t++) y[t] = rng.uniform() < spec.markovRho ? y[t - 1] : rng.int(K)
      return y
    }
  }
}

export interface World {
  clf: SourceClassifier
  /** shifted target features f' (n×d), in stream order */
  target: Float64Array
  labels: Int32Array
  n: number
  /** per-dimension shift: f' = f ⊙ s + o + N(0, I) */
  shiftScale: Float64Array
  shiftOffset: Float64Array
}

export interface SourceWorld {
  means: Float64Array
  clf: SourceClassifier
  shiftScale: Float64Array
  shiftOffset: Float64Array
}

/**
 * The part of the world shared by every scenario and method of one seed: class means ('world'
 * stream), the fitted source classifier ('source') and the shift ('shift'). Memoised (a few
 * entries) by seed and world params: the scenario grid runs 35 methods × scenarios on the same
 * world, and refitting it is most of a run's cost. Named streams are independent, so skipping
 * their draws on a cache hit changes no other stream: results are bit-identical either way.
 */
const sourceCache = new Map<string, SourceWorld>()
export function sourceWorld(spec: WorldSpec, seed: number, stream: (name: string) => Rng): SourceWorld {
  const key = [seed, spec.nClasses, spec.dim, spec.meanNorm, spec.nSource, spec.shiftScaleStd, spec.shiftOffsetStd].join('|')
  const hit = sourceCache.get(key)
  if (hit) return hit
  const K = spec.nClasses
  const d = spec.dim
  const means = classMeans(stream('world'), K, d, spec.meanNorm)
  const clf = fitSourceClassifier(stream('source'), means, K, d, spec.nSource)
  const shiftRng = stream('shift')
  const shiftScale = new Float64Array(d)
  const shiftOffset = new Float64Array(d)
  for (let j = 0; j < d; j++) shiftScale[j] = Math.exp(spec.shiftScaleStd * shiftRng.normal())
  for (let j = 0; j < d; j++) shiftOffset[j] = spec.shiftOffsetStd * shiftRng.normal()
  const w = { means, clf, shiftScale, shiftOffset }
  if (sourceCache.size >= 4) sourceCache.delete(sourceCache.keys().next().value as string)
  sourceCache.set(key, w)
  return w
}

/**
 * Build the world from four named streams so that every method of one seed sees the same
 * classifier, shift and stream: 'world' (class means), 'source' (classifier fit), 'shift', 'stream'
 * (labels, then per sample the class noise and the shift noise).
 */
export function buildWorld(spec: WorldSpec, seed: number, stream: (name: string) => Rng): World {
  const d = spec.dim
  const { means, clf, shiftScale, shiftOffset } = sourceWorld(spec, seed, stream)
  const sr = stream('stream')
  const labels = streamLabels(sr, spec)
  const n = labels.length
  const target = new Float64Array(n * d)
  for (let i = 0; i < n; i++) {
    const c = labels[i]
    for (let j = 0; j < d; j++) {
      const f = means[c * d + j] + sr.normal()
      target[i * d + j] = f * shiftScale[j] + shiftOffset[j] + sr.normal()
    }
  }
  return { clf, target, labels, n, shiftScale, shiftOffset }
}

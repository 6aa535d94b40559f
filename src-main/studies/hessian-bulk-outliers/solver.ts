/**
 * Sagun, Evci, Güney, Dauphin & Bottou (2017), "Empirical Analysis of the Hessian of
 * Over-Parametrized Neural Networks": train a small ReLU network on Gaussian blobs by full-batch
 * GD, then take the exact Hessian of the training loss (P basis-direction R-ops) and its whole
 * spectrum; or follow the top of the spectrum during training (Lanczos); or continue a
 * large-batch solution with small-batch SGD and walk the straight line between the two (§4).
 */
import type { SolveContext } from '../../kit'
import { symEigvalues } from '../../numeric/linalg'
import { lanczosExtremes } from '../../numeric/spectra'
import { makeBlobs, type Blobs } from './blobs'
import { initParams, layerShapes, Mlp } from './mlp'
import { logAbsHistogram, summariseSpectrum } from './spectrum'

export interface HessianParams {
  experiment: 'spectrum' | 'trajectory' | 'lbsb'
  N: number
  d: number
  k: number
  width: number
  cov: number
  initScale: number
  lr: number
  iterations: number
  gradTol: number
  sbBatch: number
  sbSteps: number
  segmentLo: number
  segmentHi: number
  segmentDivisions: number
  hvpBlock: number
  nearZeroRel: number
  topK: number
  trajectoryEvery: number
  lanczosSteps: number
}

interface Problem {
  data: Blobs
  mlp: Mlp
  theta: Float64Array
  grad: Float64Array
}

/** Blobs from the "data" stream, the 10-w-w-k network and its init from the "init" stream. */
export function setUp(p: HessianParams, ctx: Pick<SolveContext, 'stream'>): Problem {
  const data = makeBlobs(p.N, p.d, p.k, p.cov, ctx.stream('data'))
  const sizes = [p.d, p.width, p.width, p.k]
  // θ and ∇L live in the network's WebAssembly memory: its layer products read them in place
  const mlp = new Mlp(sizes, p.N, 2 * layerShapes(sizes).P)
  const theta = mlp.arena.copyOf(initParams(mlp.P, p.initScale, ctx.stream('init')))
  return { data, mlp, theta, grad: mlp.arena.alloc(mlp.P) }
}

function norm(x: Float64Array): number {
  let s = 0
  for (let i = 0; i < x.length; i++) s += x[i] * x[i]
  return Math.sqrt(s)
}

/**
 * Full-batch gradient descent θ ← θ − lr·∇L(θ) (the authors' training loop), for at most
 * `iterations` steps, stopping early when ‖∇L‖ < gradTol (the authors' rule). Records loss,
 * gradNorm and trainAcc at θ_t for t = 0..T; `atCheckpoint(t)` runs (with the forward and
 * gradient state of θ_t in the network) when it is given and t is a multiple of `every`.
 * Leaves the network's state at the final iterate. Returns T, or −1 when cancelled.
 */
export function trainFullBatch(
  prob: Problem,
  p: HessianParams,
  ctx: SolveContext,
  progressSpan: [number, number],
  checkpoint?: { every: number; run: (t: number) => void },
): number {
  const { data, mlp, theta, grad } = prob
  const P = mlp.P
  let t = 0
  for (;;) {
    if (ctx.cancelled) return -1
    const loss = mlp.forward(theta, data.X, data.labels, data.N)
    mlp.gradient(theta, grad)
    ctx.count('grad')
    const gn = norm(grad)
    ctx.record(t, { loss, gradNorm: gn, trainAcc: mlp.accuracy() })
    if (checkpoint && t > 0 && t % checkpoint.every === 0) checkpoint.run(t)
    if (t >= p.iterations) break
    if (gn < p.gradTol) {
      ctx.event('gradTol', t, `‖∇L‖ = ${gn.toExponential(2)} < ${p.gradTol}`)
      break
    }
    for (let i = 0; i < P; i++) theta[i] -= p.lr * grad[i]
    t++
    if (t % 50 === 0) ctx.progress(progressSpan[0] + ((progressSpan[1] - progressSpan[0]) * t) / p.iterations)
  }
  return t
}

/** The top `topK` eigenvalues by Lanczos (full reorthogonalisation) on the network's current point. */
function lanczosTop(prob: Problem, p: HessianParams, ctx: SolveContext, rngName: string): { top: Float64Array; residuals: Float64Array } {
  const { mlp, theta } = prob
  const steps = Math.min(p.lanczosSteps, mlp.P)
  const r = lanczosExtremes((x, out) => void mlp.hvp(theta, x, out), mlp.P, steps, { rng: ctx.stream(rngName) })
  ctx.count('hvp', r.steps)
  const n = Math.min(p.topK, r.values.length)
  const top = new Float64Array(n)
  const residuals = new Float64Array(n)
  for (let j = 0; j < n; j++) {
    top[j] = r.values[r.values.length - 1 - j]
    residuals[j] = r.residuals[r.values.length - 1 - j]
  }
  return { top, residuals }
}

/** Experiments A–C and the full-spectrum figure: train, exact Hessian, all P eigenvalues. */
function spectrumExperiment(p: HessianParams, ctx: SolveContext): void {
  const prob = setUp(p, ctx)
  const T = trainFullBatch(prob, p, ctx, [0, 0.5])
  if (T < 0) return
  const { mlp, theta } = prob
  const P = mlp.P
  // the network holds the forward and gradient state of the final iterate
  const hess = mlp.hessian(theta, {
    block: p.hvpBlock,
    onBlock: (done) => {
      ctx.progress(0.5 + (0.4 * done) / P)
      return ctx.cancelled
    },
  })
  if (!hess) return
  ctx.count('hvp', P)
  const eig = symEigvalues(hess.H, P)
  ctx.progress(0.98)
  recordSpectrum(eig, p, ctx, T, hess.asymmetry)
}

/** The spectrum rows: summary values, all P eigenvalues, the top list and the log-|λ| histogram. */
export function recordSpectrum(ascending: Float64Array, p: HessianParams, ctx: SolveContext, T: number, asymmetry: number): void {
  const P = ascending.length
  const s = summariseSpectrum(ascending, p.k, p.topK, p.nearZeroRel)
  ctx.record(T, {
    lambdaMax: s.lambdaMax,
    lambdaMin: s.lambdaMin,
    ratios: s.ratios,
    detectedGap: s.detectedGap,
    ...(Number.isFinite(s.predictedRatio) ? { predictedRatio: s.predictedRatio } : {}),
    ...(Number.isFinite(s.maxEarlierRatio) ? { maxEarlierRatio: s.maxEarlierRatio } : {}),
    nearZeroFraction: s.nearZeroFraction,
    negativeFraction: s.negativeCount / P,
    params: P,
    hessianAsymmetry: asymmetry,
  })
  for (let j = 0; j < P; j++) {
    ctx.count('eigIndex', 1)
    const lam = s.descending[j]
    ctx.record(T, lam > 0 ? { eigenvalue: lam, eigPositive: lam } : lam < 0 ? { eigenvalue: lam, eigNegativeAbs: -lam } : { eigenvalue: lam })
  }
  for (let j = 0; j < s.top.length; j++) {
    ctx.count('topIndex', 1)
    const row: Record<string, number> = { topEigenvalue: s.top[j] }
    if (j + 1 === p.k) row.predictedGapEigenvalue = s.top[j]
    if (j + 1 === s.detectedGap) row.detectedGapEigenvalue = s.top[j]
    ctx.record(T, row)
  }
  const h = logAbsHistogram(ascending, s.lambdaMax)
  let prev = 0
  for (let b = 0; b < h.centres.length; b++) {
    ctx.count('logRelLambda', h.centres[b] - prev)
    prev = h.centres[b]
    ctx.record(T, { histPositive: h.positive[b], histNegative: h.negative[b] })
  }
}

/** The spectrum-trajectory figure: top eigenvalues by Lanczos every `trajectoryEvery` iterations. */
function trajectoryExperiment(p: HessianParams, ctx: SolveContext): void {
  const prob = setUp(p, ctx)
  trainFullBatch(prob, p, ctx, [0, 1], {
    every: p.trajectoryEvery,
    run: (t) => {
      const { top, residuals } = lanczosTop(prob, p, ctx, `lanczos@${t}`)
      const s = summariseSpectrum(Float64Array.from(top).reverse(), p.k, p.topK, p.nearZeroRel)
      ctx.record(t, {
        topEig: top,
        lambdaMax: top[0],
        ratios: s.ratios,
        detectedGap: s.detectedGap,
        ...(Number.isFinite(s.predictedRatio) ? { predictedRatio: s.predictedRatio } : {}),
        ...(Number.isFinite(s.maxEarlierRatio) ? { maxEarlierRatio: s.maxEarlierRatio } : {}),
        ritzResidualTop: residuals[0],
        ritzResidualLast: residuals[residuals.length - 1],
      })
    },
  })
}

/**
 * Experiment D (the paper's §4, large- vs small-batch): LB = full-batch GD; SB = minibatch SGD
 * θ ← θ − lr·∇L_B(θ) with batches of `sbBatch` from a fresh permutation each epoch, continued from
 * the LB point for `sbSteps` steps; then the training loss on w(a) = (1 − a)·w_LB + a·w_SB.
 */
function lbsbExperiment(p: HessianParams, ctx: SolveContext): void {
  const prob = setUp(p, ctx)
  const T = trainFullBatch(prob, p, ctx, [0, 0.4])
  if (T < 0) return
  const { data, mlp, theta, grad } = prob
  const P = mlp.P
  const lb = lanczosTop(prob, p, ctx, 'lanczos-lb')
  const wLB = theta.slice()
  const lossLB = mlp.forward(theta, data.X, data.labels, data.N)
  ctx.event('sbStart', T, 'small-batch SGD continues from the large-batch point')

  // SGD continuation
  const bs = p.sbBatch
  const Xb = new Float64Array(bs * p.d)
  const yb = new Int32Array(bs)
  const sb = new Mlp([p.d, p.width, p.width, p.k], bs)
  const perEpoch = Math.ceil(p.N / bs)
  let perm = ctx.rng.permutation(p.N)
  for (let s = 0; s < p.sbSteps; s++) {
    if (ctx.cancelled) return
    const pos = s % perEpoch
    if (pos === 0 && s > 0) perm = ctx.rng.permutation(p.N)
    const start = pos * bs
    const m = Math.min(bs, p.N - start)
    for (let r = 0; r < m; r++) {
      const i = perm[start + r]
      yb[r] = data.labels[i]
      for (let j = 0; j < p.d; j++) Xb[r * p.d + j] = data.X[i * p.d + j]
    }
    const batchLoss = sb.forward(theta, Xb, yb, m)
    sb.gradient(theta, grad)
    ctx.count('grad', m / p.N)
    for (let i = 0; i < P; i++) theta[i] -= p.lr * grad[i]
    const it = T + s + 1
    if ((s + 1) % perEpoch === 0 || s + 1 === p.sbSteps) {
      const loss = mlp.forward(theta, data.X, data.labels, data.N)
      mlp.gradient(theta, grad)
      ctx.record(it, { loss, gradNorm: norm(grad), trainAcc: mlp.accuracy(), sbBatchLoss: batchLoss })
    } else ctx.record(it, { sbBatchLoss: batchLoss })
    if (s % 100 === 0) ctx.progress(0.45 + (0.4 * s) / p.sbSteps)
  }
  const end = T + p.sbSteps
  const wSB = theta.slice()
  const lossSB = mlp.forward(theta, data.X, data.labels, data.N)
  mlp.gradient(theta, grad)
  const sbTop = lanczosTop(prob, p, ctx, 'lanczos-sb')

  // the straight segment: a = j/divisions for j from ceil(lo·div) to floor(hi·div)
  const div = p.segmentDivisions
  const jLo = Math.ceil(p.segmentLo * div - 1e-9)
  const jHi = Math.floor(p.segmentHi * div + 1e-9)
  const w = new Float64Array(P)
  let prevA = 0
  let maxInside = -Infinity
  let nonIncreasing = true
  let nonDecreasing = true
  let prevInside = NaN
  for (let j = jLo; j <= jHi; j++) {
    const a = j / div
    for (let i = 0; i < P; i++) w[i] = (1 - a) * wLB[i] + a * wSB[i]
    const loss = mlp.forward(w, data.X, data.labels, data.N)
    ctx.count('func')
    ctx.count('segmentA', a - prevA)
    prevA = a
    const row: Record<string, number> = { segmentLoss: loss }
    if (j === 0) row.segmentLambdaMax = lb.top[0]
    if (j === div) row.segmentLambdaMax = sbTop.top[0]
    ctx.record(end, row)
    if (j >= 0 && j <= div) {
      if (loss > maxInside) maxInside = loss
      if (j > 0 && !(loss <= prevInside)) nonIncreasing = false
      if (j > 0 && !(loss >= prevInside)) nonDecreasing = false
      prevInside = loss
    }
  }
  ctx.record(end, {
    lossLB,
    lossSB,
    lambdaMaxLB: lb.top[0],
    lambdaMaxSB: sbTop.top[0],
    ritzResidualLB: lb.residuals[0],
    ritzResidualSB: sbTop.residuals[0],
    sharpnessRatio: sbTop.top[0] / lb.top[0],
    barrier: maxInside - Math.max(lossLB, lossSB),
    segmentMonotone: nonIncreasing || nonDecreasing ? 1 : 0,
    lbsbDistance: distance(wLB, wSB),
  })
}

function distance(a: Float64Array, b: Float64Array): number {
  let s = 0
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2
  return Math.sqrt(s)
}

export function solveHessian(p: HessianParams, ctx: SolveContext): void {
  if (p.experiment === 'trajectory') trajectoryExperiment(p, ctx)
  else if (p.experiment === 'lbsb') lbsbExperiment(p, ctx)
  else spectrumExperiment(p, ctx)
}

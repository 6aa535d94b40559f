/**
 * Solvers of the universality-lens study (Feder, Urbanke & Fogel 2025): demo A, the exact
 * mixture's expected regret against the index-of-resolvability bound; demo B, an SGLD ensemble
 * against the exact posterior predictive.
 */
import type { SolveContext } from '../../kit'
import type { Rng } from '../../numeric/rng'
import { groupSumGrid, klTable, logSigmoid, mixtureRegret, resolvability, weightFunction } from './mixture'
import { exactPredictive, functionOf, functionSpaceCholesky, type LogisticData, mapEstimate, potential, sgldStep, sigmoid } from './posterior'

export interface UniversalityParams {
  demo: 'A' | 'B'
  beta: number
  P: number
  truth: 'simple' | 'complex'
  n: number
  nDatasets: number
  vWindow: number
  nKlSample: number
  sgldEta: number
  sgldChains: number
  sgldSteps: number
  sgldBurnIn: number
  sgldThin: number
  sgldBatch: number
  mapSteps: number
  mapLr: number
  quadPoints: number
  nTest: number
  /** demo A: also record the prior weight over the (v₁, v₂) grid and the KL ball at n (figure prior-weight-map) */
  priorMap: boolean
}

export const TRUTHS: Record<UniversalityParams['truth'], [number, number]> = { simple: [0.6, -0.8], complex: [2.4, -3.2] }
/** the truth of demo B */
export const V_STAR_B: [number, number] = [1.0, -0.5]

/** n points x ~ N(0, I₂) with labels y = ±1, P(y = 1|x) = σ(β⟨x, v*⟩). */
export function drawLogisticData(n: number, beta: number, vStar: readonly [number, number], rng: Rng): LogisticData {
  const x = new Float64Array(2 * n)
  const y = new Int8Array(n)
  for (let t = 0; t < n; t++) {
    x[2 * t] = rng.normal()
    x[2 * t + 1] = rng.normal()
    y[t] = rng.uniform() < sigmoid(beta * (x[2 * t] * vStar[0] + x[2 * t + 1] * vStar[1])) ? 1 : -1
  }
  return { x, y }
}

/**
 * Demo A. The exact Bayes mixture Q over the 2^P hypotheses w ∈ {±1}^P (uniform prior), by
 * counting over the (k₁, k₂) grid (paper §2, the universal mixture Q = Σ_θ w(θ)P_θ), its
 * expected regret E[regret_t] = E[Σ_{s≤t} ln p_{θ₀}(y_s|x_s) − ln Q(yᵗ|xᵗ)] over `nDatasets`
 * data sets for every t ≤ n, and the index-of-resolvability bound min_ε [tε − ln W(θ₀, ε)]
 * (the classical bound the paper's universality argument rests on), W from a fixed x sample.
 */
export function solveDemoA(p: UniversalityParams, ctx: SolveContext): void {
  const vStar = TRUTHS[p.truth]
  const grid = groupSumGrid(p.P, p.vWindow)
  const G = grid.values
  const m = G.length
  const M = m * m
  const logPrior = new Float64Array(M)
  for (let i = 0, g = 0; i < m; i++) for (let j = 0; j < m; j++, g++) logPrior[g] = grid.logMass[i] + grid.logMass[j]
  let maxLog = -Infinity
  for (let g = 0; g < M; g++) maxLog = Math.max(maxLog, logPrior[g])
  let z = 0
  for (let g = 0; g < M; g++) z += Math.exp(logPrior[g] - maxLog)
  const lnZ = Math.log(z) + maxLog
  const prior = new Float64Array(M)
  for (let g = 0; g < M; g++) prior[g] = Math.exp(logPrior[g] - lnZ)

  // the weight function W(θ₀, ε) from one fixed x sample (independent of the data sets)
  const xsKl = ctx.stream('kl').gaussianMatrix(p.nKlSample, 2)
  const kl = klTable(grid, p.beta, vStar, xsKl, () => ctx.cancelled)
  if (kl === null) return
  ctx.count('likelihood', M * p.nKlSample)
  const wf = weightFunction(kl, logPrior)
  const logH = p.P * Math.LN2
  // iteration 0: the class, before any data (a live run shows it at once)
  ctx.record(0, { logH, gridPoints: M })
  ctx.progress(0.1)

  const regretSum = new Float64Array(p.n)
  const regretSq = new Float64Array(p.n)
  const post = new Float64Array(M)
  const dataRng = ctx.stream('data')
  for (let d = 0; d < p.nDatasets; d++) {
    if (ctx.cancelled) return
    const data = drawLogisticData(p.n, p.beta, vStar, dataRng)
    post.set(prior)
    mixtureRegret(G, post, lnZ, p.beta, vStar, data.x, data.y, regretSum, regretSq)
    ctx.count('likelihood', M * p.n)
    ctx.progress(0.1 + (0.9 * (d + 1)) / p.nDatasets)
  }
  const D = p.nDatasets
  let minMargin = Infinity
  let minMarginAt = 0
  for (let t = 1; t <= p.n; t++) {
    const mean = regretSum[t - 1] / D
    const variance = D > 1 ? Math.max(0, (regretSq[t - 1] - D * mean * mean) / (D - 1)) : 0
    const b = resolvability(wf, t)
    const margin = b.bound - mean
    if (margin < minMargin) {
      minMargin = margin
      minMarginAt = t
    }
    const row: Record<string, number> = { expectedRegret: mean, regretSE: Math.sqrt(variance / D), bound: b.bound, boundMargin: margin, epsStar: b.epsStar, logH }
    if (t === p.n) {
      row.minBoundMargin = minMargin
      row.minBoundMarginAt = minMarginAt
    }
    ctx.record(t, row)
  }
  // ln W(ε) against ε (log-spaced over the positive ε), and t·ε − ln W(ε) at t = n: the bound is its minimum
  const eps = wf.eps
  let first = 0
  while (first < eps.length && !(eps[first] > 0)) first++
  if (first < eps.length) {
    const lo = Math.log(eps[first])
    const hi = Math.log(eps[eps.length - 1])
    const K = 150
    let prevEps = 0
    let j = first
    let lastJ = -1
    for (let q = 0; q <= K; q++) {
      const target = Math.exp(lo + ((hi - lo) * q) / K)
      while (j + 1 < eps.length && eps[j + 1] <= target) j++
      if (j === lastJ) continue
      lastJ = j
      ctx.count('epsilon', eps[j] - prevEps)
      prevEps = eps[j]
      ctx.record(p.n + 1 + q, { logPriorMass: wf.logW[j], resolvabilityObjective: p.n * eps[j] - wf.logW[j] })
    }
  }
  if (p.priorMap) recordPriorMap(ctx, G, prior, kl, resolvability(wf, p.n).epsStar, vStar, p.n + 1 + 151)
}

/** At most this many KL-ball boundary cells are recorded (evenly by angle around v*). */
export const MAX_BALL_POINTS = 360

/**
 * The prior weight over the (v₁, v₂) grid, one recorded row per v₂ (a vector over v₁: a 'rows'
 * heatmap), and the KL ball {v : KL(v*‖v) ≤ ε*} at the bound's minimising ε* for n: its boundary
 * cells (inside, with a 4-neighbour outside or on the grid's edge) as points, label +1, and v*
 * itself, label −1. Grid cell g = i·m + j is v = (G[i], G[j]), as in klTable.
 */
export function recordPriorMap(
  ctx: SolveContext,
  G: Float64Array,
  prior: Float64Array,
  kl: Float64Array,
  epsStar: number,
  vStar: readonly [number, number],
  firstIteration: number,
): void {
  const m = G.length
  const inside = (i: number, j: number): boolean => i >= 0 && j >= 0 && i < m && j < m && kl[i * m + j] <= epsStar
  const boundary: { v1: number; v2: number; angle: number }[] = []
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < m; j++) {
      if (!inside(i, j)) continue
      if (inside(i - 1, j) && inside(i + 1, j) && inside(i, j - 1) && inside(i, j + 1)) continue
      boundary.push({ v1: G[i], v2: G[j], angle: Math.atan2(G[j] - vStar[1], G[i] - vStar[0]) })
    }
  }
  boundary.sort((a, b) => a.angle - b.angle || a.v1 - b.v1 || a.v2 - b.v2)
  const keep = boundary.length <= MAX_BALL_POINTS ? boundary : Array.from({ length: MAX_BALL_POINTS }, (_, k) => boundary[Math.floor((k * boundary.length) / MAX_BALL_POINTS)])
  const ballV1 = new Float64Array(keep.length + 1)
  const ballV2 = new Float64Array(keep.length + 1)
  const ballLabel = new Float64Array(keep.length + 1).fill(1)
  keep.forEach((c, k) => {
    ballV1[k] = c.v1
    ballV2[k] = c.v2
  })
  ballV1[keep.length] = vStar[0]
  ballV2[keep.length] = vStar[1]
  ballLabel[keep.length] = -1
  const row = new Float64Array(m)
  for (let j = 0; j < m; j++) {
    for (let i = 0; i < m; i++) row[i] = prior[i * m + j]
    const values: Record<string, number | Float64Array> = { mapV2: G[j], priorWeightRow: row }
    if (j === m - 1) Object.assign(values, { mapV1Grid: G, klBallV1: ballV1, klBallV2: ballV2, klBallLabel: ballLabel, klBallEps: epsStar, klBallCells: boundary.length })
    ctx.record(firstIteration + j, values)
  }
}

/** test log-loss −mean[p* ln p + (1 − p*) ln(1 − p)] against the true conditional p*. */
export function testLogLoss(pred: Float64Array, pStar: Float64Array): number {
  let s = 0
  for (let i = 0; i < pred.length; i++) {
    const q = Math.min(Math.max(pred[i], 1e-300), 1 - 1e-16)
    s -= pStar[i] * Math.log(q) + (1 - pStar[i]) * Math.log1p(-q)
  }
  return s / pred.length
}

/**
 * Demo B. SGLD (Welling & Teh 2011; the paper's "noisy SGD samples the posterior", its §5) in
 * the P-dimensional weight space: θ ← θ − (η/2)∇Ũ(θ) + √η ξ, minibatch likelihood rescaled by
 * n/B, `sgldChains` chains from the prior, burn-in then thinning; the predictive averages the
 * probabilities σ(β⟨x, v⟩) of the kept iterates. Compared with the exact posterior predictive
 * (quadrature in the 2-D function space) and a MAP plug-in.
 */
export function solveDemoB(p: UniversalityParams, ctx: SolveContext): void {
  const P = p.P
  const A = ctx.stream('model').gaussianMatrix(2, P)
  const dataRng = ctx.stream('data')
  const data = drawLogisticData(p.n, p.beta, V_STAR_B, dataRng)
  const xTest = dataRng.gaussianMatrix(p.nTest, 2)
  const pStar = new Float64Array(p.nTest)
  for (let s = 0; s < p.nTest; s++) pStar[s] = sigmoid(p.beta * (xTest[2 * s] * V_STAR_B[0] + xTest[2 * s + 1] * V_STAR_B[1]))
  const L = functionSpaceCholesky(A, P)
  const exact = exactPredictive(L, p.beta, data, xTest, p.quadPoints)
  ctx.count('likelihood', p.quadPoints * p.quadPoints * p.n)
  ctx.progress(0.05)

  const C = p.sgldChains
  const initRng = ctx.stream('init')
  const ws = Array.from({ length: C }, () => initRng.gaussianMatrix(1, P))
  const vs = ws.map((w) => {
    const v = new Float64Array(2)
    functionOf(A, w, P, v)
    return v
  })
  const scratch = { perm: Int32Array.from({ length: p.n }, (_, i) => i), idx: new Int32Array(Math.min(p.sgldBatch, p.n)), gv: new Float64Array(2), noise: new Float64Array(P) }
  const acc = new Float64Array(p.nTest)
  let kept = 0
  const vNorm = new Float64Array(C)
  const pot = new Float64Array(C)
  const recordTrace = (step: number) => {
    for (let c = 0; c < C; c++) {
      vNorm[c] = Math.hypot(vs[c][0], vs[c][1])
      pot[c] = potential(ws[c], vs[c], p.beta, data)
    }
    ctx.record(step, { vNorm, potential: pot })
  }
  recordTrace(0)
  for (let step = 1; step <= p.sgldSteps; step++) {
    if (step % 64 === 0 && ctx.cancelled) return
    for (let c = 0; c < C; c++) sgldStep(A, ws[c], vs[c], P, p.beta, data, p.sgldBatch, p.sgldEta, ctx.rng, scratch)
    ctx.count('minibatchGrad', C)
    if (step > p.sgldBurnIn && (step - p.sgldBurnIn) % p.sgldThin === 0) {
      for (let c = 0; c < C; c++) {
        const v = vs[c]
        for (let s = 0; s < p.nTest; s++) acc[s] += sigmoid(p.beta * (xTest[2 * s] * v[0] + xTest[2 * s + 1] * v[1]))
      }
      kept += C
    }
    if (step % p.sgldThin === 0) recordTrace(step)
    if (step % 1000 === 0) ctx.progress(0.05 + (0.9 * step) / p.sgldSteps)
  }
  const sgld = new Float64Array(p.nTest)
  for (let s = 0; s < p.nTest; s++) sgld[s] = kept > 0 ? acc[s] / kept : NaN
  const vMap = mapEstimate(A, P, p.beta, data, p.mapSteps, p.mapLr)
  ctx.count('fullGrad', p.mapSteps)
  const mapPred = new Float64Array(p.nTest)
  for (let s = 0; s < p.nTest; s++) mapPred[s] = sigmoid(p.beta * (xTest[2 * s] * vMap[0] + xTest[2 * s + 1] * vMap[1]))
  let maxAbs = 0
  let meanAbs = 0
  for (let s = 0; s < p.nTest; s++) {
    const d = Math.abs(sgld[s] - exact[s])
    maxAbs = Math.max(maxAbs, d)
    meanAbs += d / p.nTest
  }
  if (kept === 0) {
    ctx.event('noSamples', p.sgldSteps, 'burn-in ≥ steps: no SGLD iterate was kept')
    return
  }
  ctx.record(p.sgldSteps, {
    maxAbsDeltaP: maxAbs,
    meanAbsDeltaP: meanAbs,
    testLogLossTruth: testLogLoss(pStar, pStar),
    testLogLossExact: testLogLoss(exact, pStar),
    testLogLossSgld: testLogLoss(sgld, pStar),
    testLogLossMap: testLogLoss(mapPred, pStar),
    keptSamples: kept,
  })
  // scatter: test inputs sorted by the exact predictive, which is the x-axis counter
  const order = Array.from({ length: p.nTest }, (_, s) => s).sort((a, b) => exact[a] - exact[b] || a - b)
  let prev = 0
  for (let r = 0; r < order.length; r++) {
    const s = order[r]
    ctx.count('exactPredictive', exact[s] - prev)
    prev = exact[s]
    ctx.record(p.sgldSteps + 1 + r, { sgldPredictive: sgld[s], exactPredictiveDiagonal: exact[s], mapPredictive: mapPred[s], truePredictive: pStar[s] })
  }
}

export function solveUniversality(p: UniversalityParams, ctx: SolveContext): void {
  if (p.demo === 'A') solveDemoA(p, ctx)
  else solveDemoB(p, ctx)
}

export { logSigmoid }

/**
 * Offline model-based optimisation with and without IGNITE: draw the offline data set, train the
 * MLP surrogate (plain, IGNITE or IGNITE2), run gradient ascent from the top-128 offline designs,
 * score the designs with the true function.
 */
import type { SolveContext } from '../../kit'
import { quantile } from '../../numeric/stats'
import { Adam, globalNorm, Mlp } from './mlp'
import { oracle, taskBox, type TaskName } from './tasks'

export type Method = 'plain' | 'ignite' | 'ignite2'

export interface IgniteParams {
  method: Method
  task: TaskName
  trial: number
  dim: number
  nFull: number
  keepFraction: number
  width: number
  leakySlope: number
  lr: number
  batch: number
  epochs: number
  eps: number
  lambda0: number
  etaLambda: number
  rho: number
  r: number
  rhoPenalty: number
  rPenalty: number
  lambdaFixed: number
  lambdaMode: 'repo' | 'projected'
  gaSteps: number
  gaLr: number
  stepMultiplier: number
  extraMultipliers: string
  topK: number
}

export interface OfflineData {
  d: number
  n: number
  /** z-scored offline inputs (n×d) and outputs */
  Xz: Float64Array
  yz: Float64Array
  /** offline raw outputs (for choosing the GA starts) */
  y: Float64Array
  mx: Float64Array
  sx: Float64Array
  my: number
  sy: number
  /** min and max of f over ALL nFull points, hidden upper part included (spec, pitfall 5) */
  yMin: number
  yMax: number
}

/**
 * N_full uniform points in the task's box; keep the bottom keepFraction by f; y_min, y_max over
 * all N_full; z-score x and y with the offline set's mean and (population) std.
 */
export function makeOfflineData(task: TaskName, d: number, nFull: number, keepFraction: number, rng: { uniform(): number }): OfflineData {
  const [lo, hi] = taskBox(task)
  const f = oracle(task)
  const X = new Float64Array(nFull * d)
  const fy = new Float64Array(nFull)
  for (let i = 0; i < nFull; i++) {
    for (let k = 0; k < d; k++) X[i * d + k] = lo + (hi - lo) * rng.uniform()
    fy[i] = f(X, i * d, d)
  }
  let yMin = Infinity
  let yMax = -Infinity
  for (let i = 0; i < nFull; i++) {
    yMin = Math.min(yMin, fy[i])
    yMax = Math.max(yMax, fy[i])
  }
  const order = Array.from({ length: nFull }, (_, i) => i).sort((a, b) => fy[a] - fy[b] || a - b)
  const n = Math.floor(keepFraction * nFull)
  const mx = new Float64Array(d)
  const sx = new Float64Array(d)
  const y = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    y[i] = fy[order[i]]
    for (let k = 0; k < d; k++) mx[k] += X[order[i] * d + k] / n
  }
  for (let i = 0; i < n; i++) for (let k = 0; k < d; k++) sx[k] += (X[order[i] * d + k] - mx[k]) ** 2 / n
  for (let k = 0; k < d; k++) sx[k] = Math.sqrt(sx[k])
  let my = 0
  for (let i = 0; i < n; i++) my += y[i] / n
  let vy = 0
  for (let i = 0; i < n; i++) vy += (y[i] - my) ** 2 / n
  const sy = Math.sqrt(vy)
  const Xz = new Float64Array(n * d)
  const yz = new Float64Array(n)
  for (let i = 0; i < n; i++) {
    yz[i] = (y[i] - my) / sy
    for (let k = 0; k < d; k++) Xz[i * d + k] = (X[order[i] * d + k] - mx[k]) / sx[k]
  }
  return { d, n, Xz, yz, y, mx, sx, my, sy, yMin, yMax }
}

/** Indices of the topK offline designs by y (descending, ties by index). */
export function topIndices(y: Float64Array, topK: number): Int32Array {
  const order = Array.from({ length: y.length }, (_, i) => i).sort((a, b) => y[b] - y[a] || a - b)
  return Int32Array.from(order.slice(0, topK))
}

export interface TrainHooks {
  onStep?: (step: number, m: { loss: number; gradNormG: number; lambda: number; penaltyNorm: number }) => void
  cancelled?: () => boolean
}

export interface TrainResult {
  steps: number
  finalLambda: number
  finalGradNormG: number
  cancelled: boolean
}

/**
 * Surrogate training, one Adam step per minibatch B (batch order from `batchRng`, a fresh
 * permutation each epoch):
 * - plain: g = ∇_β L_B(β), L_B the minibatch MSE on z-scored y.
 * - IGNITE (trainers.py of the official repo; the paper's constrained form ρ‖∇_β G‖ ≤ ε):
 *   u = ∇_β G_B(β), G_B = mean prediction on the clean batch, n = ‖u‖ (global norm);
 *   β̂ = β + r·u/n (in a buffer of its own), û = ∇_β G_B(β̂);
 *   g = ∇_β L_B + λ·(ρ/r)·(û − u)  (finite-difference HVP: ρ·∇_β‖∇_β G‖);
 *   Adam step with g; dual ascent λ ← λ + η_λ·(ρ·n − ε) (unclipped in the repo; max(0, ·) if projected).
 * - IGNITE2 (penalty form): the same g with λ fixed (lambdaFixed) and ρ = r = rhoPenalty / rPenalty; no dual step.
 */
export function trainSurrogate(p: IgniteParams, data: OfflineData, net: Mlp, beta: Float64Array, batchRng: { permutation(n: number): Int32Array }, hooks: TrainHooks = {}): TrainResult {
  const { n, Xz, yz } = data
  const P = net.P
  const adam = new Adam(P, p.lr)
  const gL = new Float64Array(P)
  const u = new Float64Array(P)
  const uHat = new Float64Array(P)
  /** β̂ = β + r·u/‖u‖ (β itself is never perturbed: no save and restore) */
  // in the network's wasm memory, so that the forward pass at β̂ reads it in place
  const betaHat = net.perturbed
  const dout = new Float64Array(p.batch)
  const ones = new Float64Array(p.batch)
  const isIgnite = p.method === 'ignite'
  const usesPenalty = p.method !== 'plain'
  const rho = isIgnite ? p.rho : p.rhoPenalty
  const r = isIgnite ? p.r : p.rPenalty
  let lambda = isIgnite ? p.lambda0 : p.method === 'ignite2' ? p.lambdaFixed : 0
  let step = 0
  let gradNormG = NaN
  const batchesPerEpoch = Math.ceil(n / p.batch)
  for (let epoch = 0; epoch < p.epochs; epoch++) {
    const perm = batchRng.permutation(n)
    for (let b = 0; b < batchesPerEpoch; b++) {
      if (hooks.cancelled?.()) return { steps: step, finalLambda: lambda, finalGradNormG: gradNormG, cancelled: true }
      const from = b * p.batch
      const B = Math.min(p.batch, n - from)
      const out = net.forward(beta, Xz, perm, from, B)
      let loss = 0
      for (let i = 0; i < B; i++) {
        const e = out[i] - yz[perm[from + i]]
        loss += e * e
        dout[i] = (2 * e) / B
        ones[i] = 1 / B
      }
      loss /= B
      net.backward2(beta, B, dout, gL, ones, u)
      gradNormG = globalNorm(u)
      let penaltyNorm = 0
      if (usesPenalty) {
        const sc = r / gradNormG
        for (let i = 0; i < P; i++) betaHat[i] = beta[i] + sc * u[i]
        net.forward(betaHat, Xz, perm, from, B)
        net.backward(betaHat, Xz, perm, from, B, ones, uHat)
        const c = (lambda * rho) / r
        let pn = 0
        for (let i = 0; i < P; i++) {
          const pi = c * (uHat[i] - u[i])
          pn += pi * pi
          gL[i] += pi
        }
        penaltyNorm = Math.sqrt(pn)
      }
      adam.step(beta, gL)
      const lambdaUsed = lambda
      if (isIgnite) {
        lambda += p.etaLambda * (rho * gradNormG - p.eps)
        if (p.lambdaMode === 'projected') lambda = Math.max(0, lambda)
      }
      hooks.onStep?.(step, { loss, gradNormG, lambda: lambdaUsed, penaltyNorm })
      step++
    }
  }
  return { steps: step, finalLambda: lambda, finalGradNormG: gradNormG, cancelled: false }
}

export interface GaResult {
  scores: Float64Array
  meanDistance: number
  score100: number
  score80: number
  score50: number
}

/**
 * Gradient ascent on the surrogate in z-scored x space (spec, "Design optimiser"):
 * x ← x + α·∇_x ĝ(x), α = m·gaLr·√d, gaSteps steps from the top-K offline designs, no projection;
 * designs decoded as x = x_z ⊙ s_x + m_x and scored (f − y_min)/(y_max − y_min).
 * `onStep(s, meanPrediction, meanTrueScore, meanDistance)` is called at s = 0 (the starts) … gaSteps.
 */
export function gradientAscent(
  p: IgniteParams,
  data: OfflineData,
  net: Mlp,
  beta: Float64Array,
  starts: Int32Array,
  m: number,
  onStep?: (s: number, meanPrediction: number, meanTrueScore: number, meanDistance: number) => void,
): GaResult {
  const d = data.d
  const K = starts.length
  const f = oracle(p.task)
  const X = new Float64Array(K * d)
  const X0 = new Float64Array(K * d)
  for (let i = 0; i < K; i++) for (let k = 0; k < d; k++) X0[i * d + k] = data.Xz[starts[i] * d + k]
  X.set(X0)
  // in the network's wasm memory, so that the ∇_x product writes it in place
  const dX = net.inputGradient.subarray(0, K * d)
  const ones = new Float64Array(K).fill(1)
  const raw = new Float64Array(d)
  const alpha = m * p.gaLr * Math.sqrt(d)
  const scores = new Float64Array(K)
  const span = data.yMax - data.yMin
  // the net's last forward pass was on the current X (evaluate's prediction): the next GA step reuses it
  let forwardIsCurrent = false
  const evaluate = (s: number, withPrediction: boolean) => {
    let mp = 0
    if (withPrediction) {
      // ∇_x alone follows (the next GA step reuses this pass): h2 need not be stored
      const out = net.forward(beta, X, null, 0, K, true)
      forwardIsCurrent = true
      for (let i = 0; i < K; i++) mp += out[i] / K
    }
    let ms = 0
    let md = 0
    for (let i = 0; i < K; i++) {
      let dist = 0
      for (let k = 0; k < d; k++) {
        raw[k] = X[i * d + k] * data.sx[k] + data.mx[k]
        dist += (X[i * d + k] - X0[i * d + k]) ** 2
      }
      scores[i] = (f(raw, 0, d) - data.yMin) / span
      ms += scores[i] / K
      md += Math.sqrt(dist) / K
    }
    onStep?.(s, mp, ms, md)
    return md
  }
  if (onStep) evaluate(0, true)
  for (let s = 1; s <= p.gaSteps; s++) {
    if (!forwardIsCurrent) net.forward(beta, X, null, 0, K, true)
    forwardIsCurrent = false
    net.backward(beta, X, null, 0, K, ones, null, dX)
    for (let i = 0; i < K * d; i++) X[i] += alpha * dX[i]
    if (onStep || s === p.gaSteps) {
      if (onStep) evaluate(s, true)
    }
  }
  const meanDistance = evaluate(p.gaSteps, false)
  return { scores, meanDistance, score100: quantile(scores, 1), score80: quantile(scores, 0.8), score50: quantile(scores, 0.5) }
}

export function parseMultipliers(text: string): number[] {
  const parts = text.split(/[\s,;]+/).filter((t) => t.length > 0)
  const out = parts.map(Number)
  for (let i = 0; i < out.length; i++) if (!(Number.isFinite(out[i]) && out[i] > 0)) throw new Error(`extraMultipliers: "${parts[i]}" is not a positive number`)
  return out
}

/** A run: data, surrogate training (per-step metrics), GA (per-GA-step metrics), final percentiles. */
export function solveIgnite(p: IgniteParams, ctx: SolveContext): void {
  const extras = parseMultipliers(p.extraMultipliers)
  const data = makeOfflineData(p.task, p.dim, p.nFull, p.keepFraction, ctx.stream(`data/${p.trial}`))
  const net = new Mlp(p.dim, p.width, p.leakySlope, Math.max(p.batch, p.topK))
  // β in the network's wasm memory: its layer products read it in place
  const beta = net.arena.alloc(net.P)
  net.init(beta, ctx.stream(`init/${p.trial}`))
  const totalSteps = p.epochs * Math.ceil(data.n / p.batch)
  const gradPerStep = p.method === 'plain' ? 2 : 3
  const train = trainSurrogate(p, data, net, beta, ctx.stream(`batch/${p.trial}`), {
    cancelled: () => ctx.cancelled,
    onStep(step, m) {
      ctx.count('grad', gradPerStep)
      ctx.record(step, m)
      if (step % 16 === 0) ctx.progress((0.85 * step) / totalSteps)
    },
  })
  if (train.cancelled) return
  const starts = topIndices(data.y, Math.min(p.topK, data.n))
  let prevStep = 0
  const ga = gradientAscent(p, data, net, beta, starts, p.stepMultiplier, (s, mp, ms, md) => {
    ctx.count('gaStep', s - prevStep)
    prevStep = s
    ctx.record(totalSteps + s, { meanPrediction: mp, meanTrueScore: ms, meanDistance: md })
  })
  ctx.progress(0.9)
  const final: Record<string, number | number[]> = {
    score100: ga.score100,
    score80: ga.score80,
    score50: ga.score50,
    finalDistance: ga.meanDistance,
    finalLambda: train.finalLambda,
    finalGradNormG: train.finalGradNormG,
  }
  if (extras.length) {
    const s50: number[] = []
    const s100: number[] = []
    const dist: number[] = []
    let prevM = 0
    for (const m of extras) {
      if (ctx.cancelled) return
      const r = gradientAscent(p, data, net, beta, starts, m)
      s50.push(r.score50)
      s100.push(r.score100)
      dist.push(r.meanDistance)
      ctx.count('multiplier', m - prevM)
      prevM = m
      ctx.record(totalSteps + p.gaSteps, { sweepScore50: r.score50, sweepScore100: r.score100, sweepDistance: r.meanDistance })
    }
    final.multipliers = extras
    final.score50AtM = s50
    final.score100AtM = s100
    final.distanceAtM = dist
  }
  ctx.record(totalSteps + p.gaSteps, final)
  ctx.progress(1)
}

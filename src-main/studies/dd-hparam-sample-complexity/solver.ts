/**
 * One run of the demonstration: draw the frozen first layer and the task pools, tabulate every
 * task's utility curve on the α grid, then (1) the local-extrema counts, (2) the expected utility
 * E[u](α) and its argmin α*, (3) the excess risk of ERM-tuned α̂_N on held-out tasks vs N.
 */
import type { SolveContext } from '../../kit'
import { loglogFit, quantiles } from '../../numeric/stats'
import { alphaGrid, countLocalExtrema, drawFirstLayer, drawTask, RidgeWorkspace, utilityCurve, type TaskSizes } from './utility'

export interface DdParams extends TaskSizes {
  ridge: number
  alphaGrid: number
  poolSize: number
  trainPool: number
  heldOutPool: number
  repetitions: number
  Ns: string
  extremaTol: number
  curveSamples: number
}

/** "2, 3, 5, 10" → [2, 3, 5, 10]; throws on anything that is not a positive integer list. */
export function parseNs(text: string): number[] {
  const parts = text.split(/[\s,;]+/).filter((t) => t.length > 0)
  const out = parts.map((t) => Number(t))
  for (let i = 0; i < out.length; i++) {
    if (!Number.isInteger(out[i]) || out[i] < 1) throw new Error(`Ns: "${parts[i]}" is not a positive integer`)
    if (i > 0 && out[i] <= out[i - 1]) throw new Error('Ns must be strictly increasing')
  }
  if (out.length === 0) throw new Error('Ns is empty')
  return out
}

/** Index of the smallest value of `u` (first on ties): the grid ERM argmin. */
export function argmin(u: ArrayLike<number>): number {
  let best = 0
  for (let g = 1; g < u.length; g++) if (u[g] < u[best]) best = g
  return best
}

/** Mean of rows [from, to) of the tasks×G table, into out (length G). */
function poolMean(table: Float64Array, G: number, from: number, to: number, out: Float64Array): Float64Array {
  out.fill(0)
  for (let t = from; t < to; t++) {
    const o = t * G
    for (let g = 0; g < G; g++) out[g] += table[o + g]
  }
  const inv = 1 / (to - from)
  for (let g = 0; g < G; g++) out[g] *= inv
  return out
}

export interface ExcessTable {
  Ns: number[]
  /** repetitions×Ns excess risks, row per N */
  excess: Float64Array[]
  alphaHat: Float64Array[]
}

/**
 * Empirical sample complexity (spec, Algorithms): for each N, `repetitions` times draw N tasks
 * without replacement from the training pool (rows [0, trainPool)), α̂_N = grid argmin of their
 * mean utility, excess = Ū_held(α̂_N) − min_α Ū_held(α).
 */
export function ermExcess(
  table: Float64Array,
  G: number,
  trainPool: number,
  heldMean: Float64Array,
  Ns: number[],
  repetitions: number,
  rng: { int(n: number): number },
  alphas: Float64Array,
): ExcessTable {
  const heldMin = heldMean[argmin(heldMean)]
  const idx = new Int32Array(trainPool)
  for (let i = 0; i < trainPool; i++) idx[i] = i
  const mean = new Float64Array(G)
  const excess: Float64Array[] = []
  const alphaHat: Float64Array[] = []
  for (const N of Ns) {
    const ex = new Float64Array(repetitions)
    const ah = new Float64Array(repetitions)
    for (let rep = 0; rep < repetitions; rep++) {
      // Partial Fisher–Yates: idx[0..N) is a uniform N-subset without replacement.
      for (let i = 0; i < N; i++) {
        const j = i + rng.int(trainPool - i)
        const t = idx[i]
        idx[i] = idx[j]
        idx[j] = t
      }
      mean.fill(0)
      for (let i = 0; i < N; i++) {
        const o = idx[i] * G
        for (let g = 0; g < G; g++) mean[g] += table[o + g]
      }
      const gHat = argmin(mean)
      ex[rep] = heldMean[gHat] - heldMin
      ah[rep] = alphas[gHat]
    }
    excess.push(ex)
    alphaHat.push(ah)
  }
  return { Ns, excess, alphaHat }
}

/** The whole pipeline (see the module comment); records per-α rows, histogram rows, per-N rows, then a final row. */
export function solveSampleComplexity(p: DdParams, ctx: SolveContext): void {
  const G = p.alphaGrid
  const alphas = alphaGrid(G)
  const Ns = parseNs(p.Ns)
  const nTasks = Math.max(p.poolSize, p.trainPool + p.heldOutPool)
  const layer = drawFirstLayer(p, ctx.stream('init'))
  const taskRng = ctx.stream('data')
  const ws = new RidgeWorkspace(p.hiddenUnits)
  const table = new Float64Array(nTasks * G)
  const extrema = new Int32Array(nTasks)
  for (let t = 0; t < nTasks; t++) {
    if (ctx.cancelled) return
    const task = drawTask(p, layer, taskRng)
    utilityCurve(task, alphas, p.ridge, ws, table.subarray(t * G, (t + 1) * G))
    extrema[t] = countLocalExtrema(table, p.extremaTol, t * G, G)
    ctx.count('solve', G)
    if (t % 16 === 0) ctx.progress((0.9 * t) / nTasks)
  }

  // (1) utility curves and E[u](α), on the expected-utility pool (the first poolSize tasks).
  const expected = poolMean(table, G, 0, p.poolSize, new Float64Array(G))
  const trainMean = poolMean(table, G, 0, p.trainPool, new Float64Array(G))
  const heldMean = poolMean(table, G, p.trainPool, p.trainPool + p.heldOutPool, new Float64Array(G))
  const gStar = argmin(expected)
  const samples = Math.min(p.curveSamples, nTasks)
  const sample = new Float64Array(samples)
  let row = 0
  for (let g = 0; g < G; g++) {
    ctx.count('alpha', g === 0 ? alphas[0] : alphas[g] - alphas[g - 1])
    for (let s = 0; s < samples; s++) sample[s] = table[s * G + g]
    ctx.record(row++, { expectedUtility: expected[g], trainPoolUtility: trainMean[g], heldOutUtility: heldMean[g], sampleUtility: sample })
  }
  ctx.event('alphaStar', gStar, `α* = ${alphas[gStar]}`)

  // (2) histogram of local-extrema counts over the expected-utility pool.
  let maxExtrema = 0
  let sumExtrema = 0
  for (let t = 0; t < p.poolSize; t++) {
    sumExtrema += extrema[t]
    maxExtrema = Math.max(maxExtrema, extrema[t])
  }
  for (let k = 0; k <= maxExtrema; k++) {
    let c = 0
    for (let t = 0; t < p.poolSize; t++) if (extrema[t] === k) c++
    ctx.count('extremaCount', k === 0 ? 0 : 1)
    ctx.record(row++, { extremaFraction: c / p.poolSize })
  }

  // (3) ERM excess risk vs N on held-out tasks.
  const erm = ermExcess(table, G, p.trainPool, heldMean, Ns, p.repetitions, ctx.stream('erm'), alphas)
  const meanExcess = new Float64Array(Ns.length)
  let prevN = 0
  for (let i = 0; i < Ns.length; i++) {
    if (ctx.cancelled) return
    const ex = erm.excess[i]
    let m = 0
    for (let r = 0; r < ex.length; r++) m += ex[r]
    m /= ex.length
    meanExcess[i] = m
    const q = quantiles(ex, [0.1, 0.5, 0.9])
    let ma = 0
    for (let r = 0; r < ex.length; r++) ma += erm.alphaHat[i][r]
    ctx.count('tasks', Ns[i] - prevN)
    prevN = Ns[i]
    ctx.record(row++, { excessMean: m, excessQ10: q[0], excessMedian: q[1], excessQ90: q[2], alphaHatMean: ma / ex.length })
  }
  let monotone = 1
  for (let i = 1; i < Ns.length; i++) if (!(meanExcess[i] < meanExcess[i - 1])) monotone = 0
  const at = (N: number) => {
    const i = Ns.indexOf(N)
    return i < 0 ? NaN : meanExcess[i]
  }
  const fit = Ns.length >= 2 ? loglogFit(Ns, meanExcess) : null
  const finals: Record<string, number> = {
    meanExtrema: sumExtrema / p.poolSize,
    maxExtrema,
    alphaStar: alphas[gStar],
    expectedAtZero: expected[0],
    expectedAtStar: expected[gStar],
    expectedAtOne: expected[G - 1],
    excessMonotone: monotone,
  }
  if (fit && Number.isFinite(fit.slope)) finals.excessSlope = fit.slope
  for (const N of [10, 100, 200]) if (Number.isFinite(at(N))) finals[`excessAt${N}`] = at(N)
  if (Number.isFinite(at(10)) && Number.isFinite(at(100)) && at(10) > 0) finals.excessRatio100to10 = at(100) / at(10)
  ctx.record(row++, finals)
  ctx.progress(1)
}

/**
 * The two experiments of the study, as solvers over a SolveContext:
 *  - `runStream`: a stream of T systems A_t = A0 + c_t·I, b_t (scripts/learning.m,
 *    scripts/contextual.m); every policy solves every instance; the replay table cost[t][ω]
 *    over the whole grid gives the best fixed ω in hindsight and the grid-best per instance.
 *  - `runDegenerate`: c = 0, cost vs ω for random b against b = an eigenvector of the ω = 1.4
 *    iteration matrix (scripts/degenerate.m).
 */
import type { SolveContext } from '../../kit'
import { drawInstances, sampleTruncatedNormal, type ShiftDistribution } from './instances'
import { ChebCB, TsallisInf, TsallisInfCB, type TsallisNewton } from './learners'
import { degenerateRhs, jacobiRadius, omegaOptimal, residualIterationPowerNorm, sorIterations, sorRadius, sorWorkspace } from './sor'

/** Grid side: delsq(numgrid('S', 12)) has a 10×10 interior, n = 100. */
export const GRID_SIDE = 10
/** Context interval of ChebCB and Tsallis-INF-CB in the source: [−0.15, 0.65]. */
export const CONTEXT_LO = -0.15
export const CONTEXT_HI = 0.65

export interface StreamConfig {
  T: number
  law: ShiftDistribution
  omegaGrid: Float64Array
  tolerance: number
  maxIterations: number
  rhsNormMax: number
  newtonSteps: number
  chebDegree: number
  contextBins: number
  fixedOmegas: number[]
  replayTable: boolean
  learnerSeed: number
  /** window of the moving-average cost metrics */
  movingWindow: number
  tsallisNewton: TsallisNewton
}

/** linspace(lo, hi, count) as MATLAB computes it: lo + (0:count−1)·(hi − lo)/(count − 1). */
export function linspace(lo: number, hi: number, count: number): Float64Array {
  const out = new Float64Array(count)
  if (count === 1) {
    out[0] = hi
    return out
  }
  const step = (hi - lo) / (count - 1)
  for (let i = 0; i < count; i++) out[i] = lo + i * step
  out[count - 1] = hi
  return out
}

/** Index of `omega` in the grid (within 1e-9), or −1. */
export function gridIndex(grid: Float64Array, omega: number): number {
  for (let j = 0; j < grid.length; j++) if (Math.abs(grid[j] - omega) < 1e-9) return j
  return -1
}

/** Names of the per-instance cost metrics of the policies, in chart order. */
export const LEARNERS = ['TsallisInf', 'ChebCB', 'TsallisInfCB'] as const

export function runStream(cfg: StreamConfig, ctx: SolveContext): void {
  const N = GRID_SIDE
  const n = N * N
  const G = cfg.omegaGrid.length
  const { T, tolerance: tol, maxIterations: maxIt } = cfg
  const ws = sorWorkspace(N)
  const data = drawInstances(ctx.stream('data'), T, n, cfg.law, cfg.rhsNormMax)
  const rhsOf = (t: number) => data.rhs.subarray(t * n, (t + 1) * n)
  const solve = (t: number, omega: number): number => {
    const k = sorIterations(ws, data.shifts[t], omega, rhsOf(t), tol, maxIt)
    ctx.count('sweeps', k)
    return k
  }

  // ---- replay table cost[t][j] over the grid (costs do not depend on the learners), filled
  // row by row in the same pass as the learners so that the run records from its first instance;
  // the best fixed ω in hindsight is known at the end only (tail rows and the summary)
  const table = cfg.replayTable ? new Float64Array(T * G) : null
  const cost = (t: number, j: number): number => (table ? table[t * G + j] : solve(t, cfg.omegaGrid[j]))

  // ---- learners, each with its own stream derived from the learner seed
  const ls = cfg.learnerSeed
  const rngTsallis = ctx.stream(`learner:${ls}:tsallis-inf`)
  const rngCheb = ctx.stream(`learner:${ls}:chebcb`)
  const rngTsallisCB = ctx.stream(`learner:${ls}:tsallis-inf-cb`)
  const tsallis = new TsallisInf(G, cfg.newtonSteps, cfg.tsallisNewton)
  const cheb = new ChebCB(G, T, cfg.chebDegree + 1, CONTEXT_LO, CONTEXT_HI)
  const tsallisCB = new TsallisInfCB(G, cfg.contextBins, CONTEXT_LO, CONTEXT_HI, cfg.newtonSteps, cfg.tsallisNewton)

  const F = cfg.fixedOmegas.length
  const fixedIdx = cfg.fixedOmegas.map((w) => (table ? gridIndex(cfg.omegaGrid, w) : -1))
  const costFixed = new Float64Array(F)
  const cumFixed = new Float64Array(F)
  const cumGrid = new Float64Array(G)
  const gridCost = new Float64Array(G)
  let cumTsallis = 0
  let cumCheb = 0
  let cumTsallisCB = 0
  let cumOpt = 0
  let cumGridBest = 0
  const picksTsallis = new Int32Array(T)
  const picksCheb = new Int32Array(T)
  const picksTsallisCB = new Int32Array(T)
  const optCosts = new Float64Array(T)
  const gridBestCosts = new Float64Array(T)
  const costsTsallis = new Float64Array(T)
  const costsCheb = new Float64Array(T)
  const costsTsallisCB = new Float64Array(T)
  const W = cfg.movingWindow
  const movingMean = (arr: Float64Array, t: number): number => {
    const lo = Math.max(0, t + 1 - W)
    let s = 0
    for (let u = lo; u <= t; u++) s += arr[u]
    return s / (t + 1 - lo)
  }

  for (let t = 0; t < T; t++) {
    if (ctx.cancelled) return
    const c = data.shifts[t]
    if (table) for (let j = 0; j < G; j++) table[t * G + j] = solve(t, cfg.omegaGrid[j])
    const iT = tsallis.predict(rngTsallis)
    const kT = cost(t, iT)
    tsallis.update(kT)
    const iC = cheb.predict(c, rngCheb)
    const kC = cost(t, iC)
    cheb.update(kC)
    const iB = tsallisCB.predict(c, rngTsallisCB)
    const kB = cost(t, iB)
    tsallisCB.update(kB)
    picksTsallis[t] = iT
    picksCheb[t] = iC
    picksTsallisCB[t] = iB
    const wStar = omegaOptimal(N, c)
    const kOpt = solve(t, wStar)
    optCosts[t] = kOpt
    costsTsallis[t] = kT
    costsCheb[t] = kC
    costsTsallisCB[t] = kB
    for (let f = 0; f < F; f++) {
      costFixed[f] = fixedIdx[f] >= 0 ? table![t * G + fixedIdx[f]] : solve(t, cfg.fixedOmegas[f])
      cumFixed[f] += costFixed[f]
    }
    cumTsallis += kT
    cumCheb += kC
    cumTsallisCB += kB
    cumOpt += kOpt
    const row: Record<string, number | ArrayLike<number>> = {
      context: c,
      omegaTsallisInf: cfg.omegaGrid[iT],
      costTsallisInf: kT,
      omegaChebCB: cfg.omegaGrid[iC],
      costChebCB: kC,
      omegaTsallisInfCB: cfg.omegaGrid[iB],
      costTsallisInfCB: kB,
      omegaStar: wStar,
      costInstanceOptimal: kOpt,
      costFixed,
      cumTsallisInf: cumTsallis,
      cumChebCB: cumCheb,
      cumTsallisInfCB: cumTsallisCB,
      cumInstanceOptimal: cumOpt,
      cumFixed,
      instancesRemaining: T - (t + 1),
      tsallisProb: tsallis.prob,
      regretOptTsallisInf: cumTsallis - cumOpt,
      regretOptChebCB: cumCheb - cumOpt,
      regretOptTsallisInfCB: cumTsallisCB - cumOpt,
      movingCostTsallisInf: movingMean(costsTsallis, t),
      movingCostChebCB: movingMean(costsCheb, t),
      movingCostTsallisInfCB: movingMean(costsTsallisCB, t),
      movingCostInstanceOptimal: movingMean(optCosts, t),
    }
    if (table) {
      let gb = Infinity
      for (let j = 0; j < G; j++) {
        gridCost[j] = table[t * G + j]
        cumGrid[j] += gridCost[j]
        gb = Math.min(gb, gridCost[j])
      }
      let prefixBest = Infinity
      for (let j = 0; j < G; j++) prefixBest = Math.min(prefixBest, cumGrid[j])
      cumGridBest += gb
      gridBestCosts[t] = gb
      row.gridCost = gridCost
      row.costGridBest = gb
      row.cumGridBest = cumGridBest
      row.movingCostGridBest = movingMean(gridBestCosts, t)
      row.prefixBestFixed = prefixBest
      // regret against the best fixed grid ω in hindsight over the first t instances, per instance
      row.regretPerInstanceTsallisInf = (cumTsallis - prefixBest) / (t + 1)
      row.regretPerInstanceChebCB = (cumCheb - prefixBest) / (t + 1)
      row.regretPerInstanceTsallisInfCB = (cumTsallisCB - prefixBest) / (t + 1)
    }
    ctx.record(t + 1, row)
    ctx.progress((0.98 * (t + 1)) / T)
  }
  // best fixed grid ω in hindsight over the whole horizon
  let bestFixed = -1
  let cumBestFixed = 0
  const bestFixedCosts = new Float64Array(T)
  if (table) {
    let best = Infinity
    for (let j = 0; j < G; j++) {
      if (cumGrid[j] < best) {
        best = cumGrid[j]
        bestFixed = j
      }
    }
    for (let t = 0; t < T; t++) bestFixedCosts[t] = table[t * G + bestFixed]
    cumBestFixed = best
  }
  if (cheb.etaGuards > 0) ctx.event('chebEtaGuard', T, `ChebCB: R − resnorm + 2α̃²t ≤ 0 in ${cheb.etaGuards} rounds; η kept from the previous round`)
  const violations = tsallis.domainViolations + tsallisCB.learners.reduce((s, l) => s + l.domainViolations, 0)
  if (violations > 0) ctx.event('newtonDomain', T, `Tsallis-INF(-CB) Newton iterates left x < min L/s in ${violations} Newton steps`)

  // ---- tail rows at iteration T, each group with its own x column
  // mean cost vs ω over the grid (figure cost-vs-omega), with the best-fixed and instance-optimal levels
  if (table) {
    const meanOpt = cumOpt / T
    for (let j = 0; j < G; j++) {
      ctx.record(T, {
        gridOmega: cfg.omegaGrid[j],
        gridMeanCost: cumGrid[j] / T,
        bestFixedLevel: cumBestFixed / T,
        gridBestLevel: cumGridBest / T,
        instanceOptimalLevel: meanOpt,
      })
    }
  }
  // per-quarter mean costs (figure long-horizon)
  for (let q = 0; q < 4; q++) {
    const lo = Math.floor((q * T) / 4)
    const hi = Math.floor(((q + 1) * T) / 4)
    const mean = (arr: Float64Array) => {
      let s = 0
      for (let u = lo; u < hi; u++) s += arr[u]
      return s / Math.max(1, hi - lo)
    }
    const r: Record<string, number> = {
      quarter: q + 1,
      quarterMeanTsallisInf: mean(costsTsallis),
      quarterMeanChebCB: mean(costsCheb),
      quarterMeanTsallisInfCB: mean(costsTsallisCB),
      quarterMeanInstanceOptimal: mean(optCosts),
    }
    if (table) r.quarterMeanBestFixed = mean(bestFixedCosts)
    ctx.record(T, r)
  }
  // instances sorted by c: cost over (c, ω) with ω*(c) and the learners' picks (figure cost-heatmap)
  const order = Array.from({ length: T }, (_, t) => t).sort((a, b) => data.shifts[a] - data.shifts[b] || a - b)
  for (const t of order) {
    const r: Record<string, number | ArrayLike<number>> = {
      sortedContext: data.shifts[t],
      sortedOmegaStar: omegaOptimal(N, data.shifts[t]),
      sortedPickTsallisInf: cfg.omegaGrid[picksTsallis[t]],
      sortedPickChebCB: cfg.omegaGrid[picksCheb[t]],
      sortedPickTsallisInfCB: cfg.omegaGrid[picksTsallisCB[t]],
      sortedCostInstanceOptimal: optCosts[t],
    }
    if (table) {
      for (let j = 0; j < G; j++) gridCost[j] = table[t * G + j]
      r.sortedGridCost = gridCost
    }
    ctx.record(T, r)
  }
  // ChebCB's fitted cost curves 1 + scale·θ_ω·φ(c) over the context interval (a snapshot at t = T)
  const phi = new Float64Array(cfg.chebDegree + 1)
  const curve = new Float64Array(G)
  for (let s = 0; s <= 60; s++) {
    const c = -0.15 + (0.6 * s) / 60
    for (let j = 0; j < G; j++) curve[j] = cheb.predictedCost(j, c, phi)
    ctx.record(T, { chebContext: c, chebPredictedCost: curve })
  }
  ctx.progress(1)
}

export interface DegenerateConfig {
  shift: number
  omegaLo: number
  omegaHi: number
  omegaStep: number
  degenerateOmega: number
  samples: number
  tolerance: number
  maxIterations: number
  rhsNormMax: number
}

/** ω values lo, lo + step, …, ≤ hi, rounded to 1e-9 so that decimal grid points are exact. */
export function omegaSteps(lo: number, hi: number, step: number): number[] {
  const out: number[] = []
  const count = Math.floor((hi - lo) / step + 1e-9)
  for (let k = 0; k <= count; k++) out.push(Math.round((lo + k * step) * 1e9) / 1e9)
  return out
}

/**
 * scripts/degenerate.m: at c = 0, for each ω, the cost with b = an eigenvector of the ω = 1.4
 * residual iteration matrix for its eigenvalue 1 − ω (|λ| = ω − 1, the smallest modulus), and
 * the mean/min/max over `samples` fresh truncated-normal b.
 */
export function runDegenerate(cfg: DegenerateConfig, ctx: SolveContext): void {
  const N = GRID_SIDE
  const n = N * N
  const ws = sorWorkspace(N)
  const rng = ctx.stream('data')
  const bDeg = degenerateRhs(N, cfg.shift, cfg.degenerateOmega)
  const b = new Float64Array(n)
  const omegas = omegaSteps(cfg.omegaLo, cfg.omegaHi, cfg.omegaStep)
  for (let k = 0; k < omegas.length; k++) {
    if (ctx.cancelled) return
    const w = omegas[k]
    const kDeg = sorIterations(ws, cfg.shift, w, bDeg, cfg.tolerance, cfg.maxIterations)
    ctx.count('sweeps', kDeg)
    let sum = 0
    let lo = Infinity
    let hi = -Infinity
    for (let s = 0; s < cfg.samples; s++) {
      sampleTruncatedNormal(rng, b, cfg.rhsNormMax)
      const kk = sorIterations(ws, cfg.shift, w, b, cfg.tolerance, cfg.maxIterations)
      ctx.count('sweeps', kk)
      sum += kk
      lo = Math.min(lo, kk)
      hi = Math.max(hi, kk)
    }
    ctx.record(k, {
      omega: w,
      degenerateCost: kDeg,
      randomMeanCost: sum / cfg.samples,
      randomMinCost: lo,
      randomMaxCost: hi,
      omegaStarLevel: omegaOptimal(N, cfg.shift),
    })
    ctx.progress((k + 1) / omegas.length)
  }
}

export interface ComparatorConfig {
  law: ShiftDistribution
  instances: number
  omegas: number[]
  tolerance: number
  maxIterations: number
  rhsNormMax: number
  powerSteps: number
}

/**
 * scripts/comparators.m: over `instances` random systems, the mean actual SOR cost per ω and the
 * near-asymptotic bound 1 + log ε / log(ρ_ω + τ(1 − ρ_ω)), with, per instance,
 * τ = max_ω (‖C_ω^(k_ω − 1)‖^(1/(k_ω − 1)) − ρ_ω)/(1 − ρ_ω), k_ω the actual cost and ρ_ω the SOR
 * spectral radius (Young's closed form for this consistently ordered matrix; the source uses
 * eig). Also both instance-optimal levels (mean over instances of the min over ω).
 */
export function runComparators(cfg: ComparatorConfig, ctx: SolveContext): void {
  const N = GRID_SIDE
  const n = N * N
  const W = cfg.omegas.length
  const ws = sorWorkspace(N)
  const data = drawInstances(ctx.stream('data'), cfg.instances, n, cfg.law, cfg.rhsNormMax)
  const startRng = ctx.stream('init')
  const start = new Float64Array(n)
  const actual = new Float64Array(W)
  const bound = new Float64Array(W)
  const k = new Float64Array(W)
  const rho = new Float64Array(W)
  let bestActual = 0
  let bestBound = 0
  let tauMean = 0
  for (let t = 0; t < cfg.instances; t++) {
    if (ctx.cancelled) return
    const c = data.shifts[t]
    const beta = jacobiRadius(N, c)
    let tau = -Infinity
    let minK = Infinity
    for (let j = 0; j < W; j++) {
      if (ctx.cancelled) return
      const w = cfg.omegas[j]
      k[j] = sorIterations(ws, c, w, data.rhs.subarray(t * n, (t + 1) * n), cfg.tolerance, cfg.maxIterations)
      ctx.count('sweeps', k[j])
      actual[j] += k[j] / cfg.instances
      minK = Math.min(minK, k[j])
      rho[j] = sorRadius(beta, w)
      const p = k[j] - 1
      if (p < 1) continue
      for (let i = 0; i < n; i++) start[i] = startRng.normal()
      const norm = residualIterationPowerNorm(N, c, w, p, start, cfg.powerSteps)
      ctx.count('sweeps', 2 * p * cfg.powerSteps)
      tau = Math.max(tau, (Math.pow(norm, 1 / p) - rho[j]) / (1 - rho[j]))
    }
    let minBound = Infinity
    for (let j = 0; j < W; j++) {
      const pred = 1 + Math.log(cfg.tolerance) / Math.log(rho[j] + tau * (1 - rho[j]))
      bound[j] += pred / cfg.instances
      minBound = Math.min(minBound, pred)
    }
    bestActual += minK / cfg.instances
    bestBound += minBound / cfg.instances
    tauMean += tau / cfg.instances
    ctx.progress((t + 1) / cfg.instances)
  }
  for (let j = 0; j < W; j++) {
    ctx.record(j, {
      omega: cfg.omegas[j],
      comparatorActual: actual[j],
      comparatorBound: bound[j],
      comparatorActualBest: bestActual,
      comparatorBoundBest: bestBound,
      comparatorTau: tauMean,
    })
  }
}

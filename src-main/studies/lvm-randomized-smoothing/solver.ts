/**
 * The LVM randomized-smoothing toy (Delattre et al., ICLR 2024): certify test points of a 2-D,
 * 3-class QDA classifier with hard votes + Clopper–Pearson, softmax + Hoeffding, softmax +
 * empirical Bernstein, Bernstein with (map, t) selected on separate samples, and the code's
 * max-over-all-radii protocol, each checked against the exact smoothed classifier.
 */
import type { SolveContext } from '../../kit'
import type { Rng } from '../../numeric/rng'
import {
  ABSTAIN,
  bernsteinShift,
  cpHardRadius,
  exactRadius,
  hoeffdingShift,
  type RadiusResult,
  SmoothingQuadrature,
  softRadius,
  type SoftVote,
  VoteStats,
} from './certify'
import { argmax3, CLASS_MEANS, CLASS_STDS, K, qdaLogits, softmax3, type SimplexMap } from './maps'
import { clopperPearson } from './special'

export const METHODS = ['cp-hard', 'hoeffding-softmax', 'bernstein-softmax', 'bern-selected-t', 'lvm-max'] as const
export type Method = (typeof METHODS)[number]
/** metric-name suffix of each method */
export const METHOD_KEY: Record<Method, string> = {
  'cp-hard': 'CpHard',
  'hoeffding-softmax': 'Hoeffding',
  'bernstein-softmax': 'Bernstein',
  'bern-selected-t': 'BernSelected',
  'lvm-max': 'LvmMax',
}

export interface LvmParams {
  mode: 'certify' | 'temperature-sweep' | 'bound-width' | 'slice'
  method: 'all' | Method
  sigma: number
  nMc: number
  nSelect: number
  alpha: number
  temps: string
  maps: 'both' | 'sparsemax' | 'softmax'
  nTest: number
  quadPoints: number
  violationTol: number
  pointIndex: number
  sweepPoints: number
  tMin: number
  tMax: number
  nMaxWidth: number
  sliceX2: number
  sliceX1Min: number
  sliceX1Max: number
  slicePoints: number
}

/** "0.25, 0.5, 1" → [0.25, 0.5, 1]; throws on anything that is not a positive number. */
export function parseTemps(text: string): number[] {
  const out = text
    .split(/[\s,;]+/)
    .filter((s) => s.length > 0)
    .map(Number)
  if (out.length === 0 || out.some((t) => !(Number.isFinite(t) && t > 0))) throw new Error(`temps must be positive numbers, got "${text}"`)
  return out
}

export function mapList(maps: LvmParams['maps']): SimplexMap[] {
  return maps === 'both' ? ['sparsemax', 'softmax'] : [maps]
}

/** Test set: a label uniform over the 3 classes, then x ~ N(μ_label, s_label² I₂). */
export function drawTestSet(nTest: number, rng: Rng): { x: Float64Array; label: Int32Array } {
  const x = new Float64Array(2 * nTest)
  const label = new Int32Array(nTest)
  for (let i = 0; i < nTest; i++) {
    const c = rng.int(K)
    label[i] = c
    x[2 * i] = CLASS_MEANS[2 * c] + CLASS_STDS[c] * rng.normal()
    x[2 * i + 1] = CLASS_MEANS[2 * c + 1] + CLASS_STDS[c] * rng.normal()
  }
  return { x, label }
}

export interface MethodOutcome extends RadiusResult {
  /** exact smoothed radius (tolerance 0) of the function this method certified, at its exact top class */
  exactRadius: number
  exactTop: number
  /** 1 if the certificate is wrong beyond the probability tolerance */
  violation: number
  /** 1 if wrong at a radius tolerance of 1e-9 (no probability slack) */
  strictViolation: number
}

export interface PointCertificate {
  methods: Record<Method, MethodOutcome>
  /** Bernstein radius of every (map, t) of the grid, in vote order (maps outer, temps inner) */
  gridRadius: Float64Array
  gridClass: Int32Array
  /** index in the temperature grid of the best sparsemax + Bernstein radius (first among ties), −1 without sparsemax */
  bestSparsemaxT: number
  bestSparsemaxRadius: number
  bestSparsemaxClass: number
  selectedVote: number
  /** 1 if LVM-max returned the CP-hard certificate */
  lvmFromHard: number
}

export interface CertifyConfig {
  sigma: number
  n: number
  n0: number
  alpha: number
  votes: SoftVote[]
  temps: number[]
  quad: SmoothingQuadrature
  tol: number
}

function checkAgainstExact(r: RadiusResult, p: Float64Array, offset: number, cfg: CertifyConfig): MethodOutcome {
  const probs = p.subarray(offset, offset + K)
  const ex = exactRadius(probs, cfg.sigma)
  const loose = exactRadius(probs, cfg.sigma, cfg.tol)
  const certifies = r.radius > 0
  const violation = certifies && (r.cls !== loose.top || r.radius > loose.radius) ? 1 : 0
  const strictViolation = certifies && (r.cls !== ex.top || r.radius > ex.radius + 1e-9) ? 1 : 0
  return { ...r, exactRadius: ex.radius, exactTop: ex.top, violation, strictViolation }
}

/**
 * Certify one input x with every method from shared samples: n₀ selection samples first, then
 * n estimation samples (2 normal draws each), then the exact check by quadrature.
 *
 * - CP-hard: argmax votes, Clopper–Pearson at α/K per class and side (Cohen et al. 2019, CERTIFY).
 * - Hoeffding / Bernstein (softmax, t = 1): mean ± shift at α′ = α/K (paper §4, eq. of Thm 4.2
 *   with Maurer–Pontil's empirical Bernstein bound, `get_shift` in the code).
 * - Bern-selected-t: the (map, t) with the largest plug-in radius on the n₀ samples (means, no
 *   shift, probabilities clamped to [1/(2n₀), 1 − 1/(2n₀)]; ties go to the later vote, i.e. the
 *   larger t and softmax), certified with Bernstein on the n samples.
 * - LVM-max (`Smooth.certify_ours`): the max of the CP-hard radius and every (map, t) Bernstein
 *   radius from the same n samples, R₁ only; abstain when none certifies.
 */
export function certifyPoint(x1: number, x2: number, cfg: CertifyConfig, rng: Rng): PointCertificate {
  const { sigma, alpha, votes } = cfg
  const V = votes.length
  // selection samples: plug-in radius of every (map, t)
  const sel = new VoteStats(votes, cfg.n0)
  sel.sample(x1, x2, sigma, rng)
  let selectedVote = 0
  let selRadius = -Infinity
  const pluginClamp = 0.5 / cfg.n0
  for (let v = 0; v < V; v++) {
    const r = softRadius(sel, v, 'plugin', alpha, sigma, pluginClamp).radius
    if (r >= selRadius) {
      selRadius = r
      selectedVote = v
    }
  }
  // estimation samples: every (map, t) of the grid plus the reference softmax at t = 1
  const ref: SoftVote = { map: 'softmax', t: 1 }
  const est = new VoteStats([...votes, ref], cfg.n)
  est.sample(x1, x2, sigma, rng)
  const cp = cpHardRadius(est.counts, cfg.n, alpha, sigma)
  const hoeff = softRadius(est, V, 'hoeffding', alpha, sigma)
  const bern = softRadius(est, V, 'bernstein', alpha, sigma)
  const gridRadius = new Float64Array(V)
  const gridClass = new Int32Array(V)
  for (let v = 0; v < V; v++) {
    const r = softRadius(est, v, 'bernstein', alpha, sigma)
    gridRadius[v] = r.radius
    gridClass[v] = r.cls
  }
  const selected: RadiusResult = { cls: gridClass[selectedVote], radius: gridRadius[selectedVote] }
  // LVM-max: CP-hard first, then every grid vote; the first maximum wins
  let lvm: RadiusResult = cp.radius > 0 ? cp : ABSTAIN
  let lvmVote = -1
  for (let v = 0; v < V; v++) {
    if (gridRadius[v] > 0 && gridRadius[v] > lvm.radius) {
      lvm = { cls: gridClass[v], radius: gridRadius[v] }
      lvmVote = v
    }
  }
  // best temperature for sparsemax + Bernstein
  let bestSparsemaxT = -1
  let bestSparsemaxRadius = -Infinity
  let bestSparsemaxClass = -1
  for (let v = 0; v < V; v++) {
    if (votes[v].map !== 'sparsemax') continue
    if (gridRadius[v] > bestSparsemaxRadius) {
      bestSparsemaxRadius = gridRadius[v]
      bestSparsemaxT = cfg.temps.indexOf(votes[v].t)
      bestSparsemaxClass = gridClass[v]
    }
  }
  // exact smoothed probabilities: hard votes, softmax t = 1, the selected vote, LVM's vote
  const exactVotes: (SoftVote | null)[] = [null, ref, votes[selectedVote]]
  if (lvmVote >= 0) exactVotes.push(votes[lvmVote])
  const p = cfg.quad.smoothed(x1, x2, exactVotes)
  const methods: Record<Method, MethodOutcome> = {
    'cp-hard': checkAgainstExact(cp, p, 0, cfg),
    'hoeffding-softmax': checkAgainstExact(hoeff, p, K, cfg),
    'bernstein-softmax': checkAgainstExact(bern, p, K, cfg),
    'bern-selected-t': checkAgainstExact(selected, p, 2 * K, cfg),
    'lvm-max': checkAgainstExact(lvm, p, lvmVote >= 0 ? 3 * K : 0, cfg),
  }
  return {
    methods,
    gridRadius,
    gridClass,
    bestSparsemaxT,
    bestSparsemaxRadius,
    bestSparsemaxClass,
    selectedVote,
    lvmFromHard: lvmVote < 0 && cp.radius > 0 ? 1 : 0,
  }
}

/** The certification set-up of a run: the (map, t) votes of the grid, the sample sizes and the quadrature. */
export function makeConfig(params: LvmParams, votesTemps: number[]): CertifyConfig {
  const votes: SoftVote[] = []
  for (const map of mapList(params.maps)) for (const t of votesTemps) votes.push({ map, t })
  return {
    sigma: params.sigma,
    n: params.nMc,
    n0: params.nSelect,
    alpha: params.alpha,
    votes,
    temps: votesTemps,
    quad: new SmoothingQuadrature(params.sigma, params.quadPoints),
    tol: params.violationTol,
  }
}

function selectedMethods(method: LvmParams['method']): Method[] {
  return method === 'all' ? [...METHODS] : [method]
}

/** The certified-accuracy curve's radius grid: 0 to the largest radius, 101 points. */
export function radiusGrid(maxRadius: number): Float64Array {
  const top = Math.max(0.1, Math.ceil(maxRadius * 10) / 10)
  const g = new Float64Array(101)
  for (let j = 0; j <= 100; j++) g[j] = (top * j) / 100
  return g
}

/** certify mode: the test set, one iteration per point, then the totals and the certified-accuracy curves. */
function solveCertify(params: LvmParams, ctx: SolveContext): void {
  const temps = parseTemps(params.temps)
  const cfg = makeConfig(params, temps)
  const { x, label } = drawTestSet(params.nTest, ctx.stream('data'))
  const methods = selectedMethods(params.method)
  const nT = params.nTest
  const radii: Record<string, Float64Array> = {}
  const totals: Record<string, { viol: number; strict: number }> = {}
  for (const m of methods) {
    radii[m] = new Float64Array(nT)
    totals[m] = { viol: 0, strict: 0 }
  }
  let interior = 0
  let certifiedSparse = 0
  let bernGeHoeff = 0
  let lvmHard = 0
  let lvmCertified = 0
  for (let i = 0; i < nT; i++) {
    if (ctx.cancelled) return
    const c = certifyPoint(x[2 * i], x[2 * i + 1], cfg, ctx.rng)
    ctx.count('baseEval', cfg.n + cfg.n0)
    const row: Record<string, number> = { label: label[i], selectedT: cfg.votes[c.selectedVote].t, selectedMap: cfg.votes[c.selectedVote].map === 'sparsemax' ? 0 : 1 }
    for (const m of methods) {
      const o = c.methods[m]
      const key = METHOD_KEY[m]
      // radius of the test point: −1 for abstain or wrong class
      const r = o.cls === label[i] && o.radius > 0 ? o.radius : -1
      radii[m][i] = r
      totals[m].viol += o.violation
      totals[m].strict += o.strictViolation
      row[`radius${key}`] = r
      row[`class${key}`] = o.cls
      row[`exactRadius${key}`] = o.exactRadius
      row[`violation${key}`] = o.violation
    }
    const hoeffR = c.methods['hoeffding-softmax'].cls === label[i] ? c.methods['hoeffding-softmax'].radius : -1
    const bernR = c.methods['bernstein-softmax'].cls === label[i] ? c.methods['bernstein-softmax'].radius : -1
    const ge = bernR >= hoeffR ? 1 : 0
    bernGeHoeff += ge
    row.bernGeHoeff = ge
    if (c.bestSparsemaxT >= 0) {
      row.bestTSparsemax = temps[c.bestSparsemaxT]
      const certified = c.bestSparsemaxRadius > 0 && c.bestSparsemaxClass === label[i]
      const isInterior = c.bestSparsemaxT > 0 && c.bestSparsemaxT < temps.length - 1 ? 1 : 0
      row.bestTInterior = isInterior
      if (certified) {
        certifiedSparse++
        interior += isInterior
      }
    }
    if (c.methods['lvm-max'].radius > 0) {
      lvmCertified++
      lvmHard += c.lvmFromHard
    }
    row.lvmFromHard = c.lvmFromHard
    ctx.record(i, row)
    ctx.progress((i + 1) / nT)
  }
  // totals
  const final: Record<string, number> = {
    interiorFraction: certifiedSparse > 0 ? interior / certifiedSparse : 0,
    certifiedSparsemaxPoints: certifiedSparse,
    bernGeHoeffFraction: bernGeHoeff / nT,
    lvmHardFraction: lvmCertified > 0 ? lvmHard / lvmCertified : 0,
  }
  let maxRadius = 0
  for (const m of methods) {
    const key = METHOD_KEY[m]
    const r = radii[m]
    let sum = 0
    for (let i = 0; i < nT; i++) {
      sum += Math.max(r[i], 0)
      maxRadius = Math.max(maxRadius, r[i])
    }
    final[`meanRadius${key}`] = sum / nT
    final[`certAcc0${key}`] = certifiedAccuracy(r, 0)
    final[`certAcc05${key}`] = certifiedAccuracy(r, 0.5)
    final[`certAcc1${key}`] = certifiedAccuracy(r, 1)
    final[`violations${key}`] = totals[m].viol
    final[`strictViolations${key}`] = totals[m].strict
  }
  ctx.record(nT, final)
  // certified accuracy against r: x-axis = the `radius` counter
  const grid = radiusGrid(maxRadius)
  let prev = 0
  for (let j = 0; j < grid.length; j++) {
    ctx.count('radius', grid[j] - prev)
    prev = grid[j]
    const row: Record<string, number> = {}
    for (const m of methods) row[`certAcc${METHOD_KEY[m]}`] = certifiedAccuracy(radii[m], grid[j])
    ctx.record(nT + 1 + j, row)
  }
}

/** Fraction of points with radius ≥ r (abstentions and wrong classes carry −1). At r = 0 a radius must be > 0. */
export function certifiedAccuracy(radii: Float64Array, r: number): number {
  let c = 0
  for (let i = 0; i < radii.length; i++) if (radii[i] > 0 && radii[i] >= r) c++
  return c / radii.length
}

/** The log-spaced temperature grid of the sweep: `count` values from tMin to tMax. */
export function sweepTemperatures(tMin: number, tMax: number, count: number): number[] {
  const out: number[] = []
  for (let j = 0; j < count; j++) out.push(count === 1 ? tMin : tMin * Math.pow(tMax / tMin, j / (count - 1)))
  return out
}

/** temperature-sweep mode: one test point, the Bernstein radius, mean/std of h_A and the margin against t. */
function solveTemperatureSweep(params: LvmParams, ctx: SolveContext): void {
  const temps = sweepTemperatures(params.tMin, params.tMax, params.sweepPoints)
  const cfg = makeConfig(params, temps)
  const { x, label } = drawTestSet(Math.max(params.nTest, params.pointIndex + 1), ctx.stream('data'))
  const x1 = x[2 * params.pointIndex]
  const x2 = x[2 * params.pointIndex + 1]
  const est = new VoteStats(cfg.votes, cfg.n)
  est.sample(x1, x2, cfg.sigma, ctx.rng)
  ctx.count('baseEval', cfg.n)
  const cp = cpHardRadius(est.counts, cfg.n, cfg.alpha, cfg.sigma)
  // class A: the label of the point, B: the runner-up of the hard votes
  const A = label[params.pointIndex]
  let B = -1
  for (let k = 0; k < K; k++) if (k !== A && (B < 0 || est.counts[k] > est.counts[B])) B = k
  const exact = cfg.quad.smoothed(x1, x2, cfg.votes)
  const maps = mapList(params.maps)
  let prev = 0
  for (let j = 0; j < temps.length; j++) {
    if (ctx.cancelled) return
    ctx.count('temperature', temps[j] - prev)
    prev = temps[j]
    const row: Record<string, number> = { radiusCpHard: cp.cls === A ? cp.radius : -1, classA: A }
    for (let mi = 0; mi < maps.length; mi++) {
      const v = mi * temps.length + j
      const name = maps[mi] === 'sparsemax' ? 'Sparsemax' : 'Softmax'
      const r = softRadius(est, v, 'bernstein', cfg.alpha, cfg.sigma)
      row[`radius${name}`] = r.cls === A ? r.radius : -1
      row[`meanHA${name}`] = est.mean(v, A)
      row[`stdHA${name}`] = est.std(v, A)
      row[`margin${name}`] = est.mean(v, A) - est.mean(v, B)
      const ex = exactRadius(exact.subarray(v * K, v * K + K), cfg.sigma)
      row[`exactRadius${name}`] = ex.top === A ? ex.radius : -1
    }
    ctx.record(j, row)
    ctx.progress((j + 1) / temps.length)
  }
}

/** The sample sizes of the bound-width figure: 4 per decade from 100 to nMax. */
export function widthSampleSizes(nMax: number): number[] {
  const out: number[] = []
  for (let j = 0; ; j++) {
    const n = Math.round(100 * Math.pow(10, j / 4))
    if (n > nMax) break
    out.push(n)
  }
  return out
}

/** bound-width mode: CP, Hoeffding and Bernstein half-widths for the top class of one point against n. */
function solveBoundWidth(params: LvmParams, ctx: SolveContext): void {
  const { x } = drawTestSet(Math.max(params.nTest, params.pointIndex + 1), ctx.stream('data'))
  const x1 = x[2 * params.pointIndex]
  const x2 = x[2 * params.pointIndex + 1]
  const sizes = widthSampleSizes(params.nMaxWidth)
  const ap = params.alpha / K
  const z = new Float64Array(K)
  const h = new Float64Array(K)
  const counts = new Float64Array(K)
  const s1 = new Float64Array(K)
  const s2 = new Float64Array(K)
  const v0 = new Float64Array(K)
  let i = 0
  for (let j = 0; j < sizes.length; j++) {
    if (ctx.cancelled) return
    for (; i < sizes[j]; i++) {
      qdaLogits(x1 + params.sigma * ctx.rng.normal(), x2 + params.sigma * ctx.rng.normal(), z)
      counts[argmax3(z)]++
      softmax3(z, 1, h)
      if (i === 0) v0.set(h)
      for (let k = 0; k < K; k++) {
        const d = h[k] - v0[k]
        s1[k] += d
        s2[k] += d * d
      }
    }
    const n = sizes[j]
    ctx.count('baseEval', n - (j > 0 ? sizes[j - 1] : 0))
    const A = argmax3(counts)
    const cp = clopperPearson(counts[A], n, ap)
    const std = Math.sqrt(Math.max(0, (s2[A] - (s1[A] * s1[A]) / n) / (n - 1)))
    ctx.record(j, {
      cpHalfWidth: (cp.upper - cp.lower) / 2,
      hoeffdingHalfWidth: hoeffdingShift(ap, n),
      bernsteinHalfWidth: bernsteinShift(ap, n, std),
      stdSoftmaxA: std,
    })
    ctx.progress((j + 1) / sizes.length)
  }
}

/** slice mode: a line of points (x₁, x₂ = sliceX2) certified by every method; the radius map as profiles. */
function solveSlice(params: LvmParams, ctx: SolveContext): void {
  const temps = parseTemps(params.temps)
  const cfg = makeConfig(params, temps)
  const m = params.slicePoints
  const z = new Float64Array(K)
  let prevClass = -1
  let prev = 0
  for (let j = 0; j < m; j++) {
    if (ctx.cancelled) return
    const x1 = m === 1 ? params.sliceX1Min : params.sliceX1Min + ((params.sliceX1Max - params.sliceX1Min) * j) / (m - 1)
    const x2 = params.sliceX2
    qdaLogits(x1, x2, z)
    const base = argmax3(z)
    if (prevClass >= 0 && base !== prevClass) ctx.event('boundary', j, `base class ${prevClass} → ${base} near x₁ = ${x1.toFixed(2)}`)
    prevClass = base
    const c = certifyPoint(x1, x2, cfg, ctx.rng)
    ctx.count('baseEval', cfg.n + cfg.n0)
    ctx.count('x1', x1 - prev)
    prev = x1
    const row: Record<string, number> = { baseClass: base }
    for (const meth of METHODS) {
      const o = c.methods[meth]
      row[`radius${METHOD_KEY[meth]}`] = o.radius
      row[`class${METHOD_KEY[meth]}`] = o.cls
      row[`violation${METHOD_KEY[meth]}`] = o.violation
    }
    ctx.record(j, row)
    ctx.progress((j + 1) / m)
  }
}

export function solveLvm(params: LvmParams, ctx: SolveContext): void {
  if (params.mode === 'certify') solveCertify(params, ctx)
  else if (params.mode === 'temperature-sweep') solveTemperatureSweep(params, ctx)
  else if (params.mode === 'bound-width') solveBoundWidth(params, ctx)
  else solveSlice(params, ctx)
}

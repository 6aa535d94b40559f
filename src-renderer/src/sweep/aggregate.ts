/**
 * Aggregation over a sweep's runs, pure (no DOM, no stores): runs grouped by their params (all
 * seeds of one param point), median and interquartile band of a curve over seeds on a common x
 * grid, the phase-diagram grid over two swept params, and the value a cell or a line shows
 * (a summary value, a claim's outcome or the number it measured).
 */
import type { ParamValue, Run, RunStatus } from '../../../src-shared/model'

export type SweepRun = Pick<Run, 'id' | 'params' | 'seed' | 'paramsHash' | 'status' | 'summary' | 'claims' | 'createdAt'>

/**
 * One run per (params, seed): a sweep resumed after a cancel or a restart holds the unfinished
 * attempt and its re-run; the finished one wins, then the newest.
 */
export function latestPerConfig<R extends SweepRun>(runs: readonly R[]): R[] {
  const best = new Map<string, R>()
  const rank = (r: R): number => (r.status === 'done' ? 2 : r.status === 'failed' || r.status === 'diverged' ? 1 : 0)
  for (const r of runs) {
    const k = `${r.paramsHash}|${r.seed}`
    const b = best.get(k)
    if (!b || rank(r) > rank(b) || (rank(r) === rank(b) && r.createdAt >= b.createdAt)) best.set(k, r)
  }
  return runs.filter((r) => best.get(`${r.paramsHash}|${r.seed}`) === r)
}

export interface ParamGroup<R extends SweepRun = SweepRun> {
  /** the param point's identity (its params hash) */
  key: string
  params: Record<string, ParamValue>
  runs: R[]
}

/** Runs grouped by param point (every seed of one configuration), in first-seen order. */
export function groupByParams<R extends SweepRun>(runs: readonly R[]): ParamGroup<R>[] {
  const groups = new Map<string, ParamGroup<R>>()
  for (const r of runs) {
    const g = groups.get(r.paramsHash)
    if (g) g.runs.push(r)
    else groups.set(r.paramsHash, { key: r.paramsHash, params: r.params, runs: [r] })
  }
  return [...groups.values()]
}

/** The q-quantile of sorted finite values, linearly interpolated (Hyndman–Fan type 7, numpy's default). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length
  if (!n) return NaN
  const h = (n - 1) * q
  const lo = Math.floor(h)
  const hi = Math.min(n - 1, lo + 1)
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo])
}

export function median(values: readonly number[]): number {
  const v = values.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b)
  return quantileSorted(v, 0.5)
}

export interface Curve {
  x: ArrayLike<number>
  y: ArrayLike<number>
}

export interface Band {
  x: Float64Array
  median: Float64Array
  q1: Float64Array
  q3: Float64Array
  /** curves that cover each grid point (NaN where none does) */
  n: Int32Array
}

/** y of a curve at x by linear interpolation (in log x and log y when asked); NaN outside its x-range. */
export function interpolateAt(c: Curve, x: number, logX: boolean, logY: boolean): number {
  const n = c.x.length
  if (!n || !(x >= c.x[0]) || !(x <= c.x[n - 1])) return NaN
  // binary search for the last index with c.x[i] <= x
  let lo = 0
  let hi = n - 1
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1
    if (c.x[mid] <= x) lo = mid
    else hi = mid - 1
  }
  const x0 = c.x[lo]
  const y0 = c.y[lo]
  if (x0 === x || lo === n - 1) return y0
  const x1 = c.x[lo + 1]
  const y1 = c.y[lo + 1]
  if (Number.isNaN(y0) || Number.isNaN(y1)) return NaN
  const tx = (v: number): number => (logX && v > 0 ? Math.log(v) : v)
  const t = logX && x0 > 0 ? (tx(x) - tx(x0)) / (tx(x1) - tx(x0)) : (x - x0) / (x1 - x0)
  if (logY && y0 > 0 && y1 > 0) return Math.exp(Math.log(y0) + t * (Math.log(y1) - Math.log(y0)))
  return y0 + t * (y1 - y0)
}

/**
 * The common x grid of several curves: their union range, `points` values spaced evenly (in
 * log x on a log axis, over the positive part). When every curve has the same x values, those
 * values themselves (no interpolation at all).
 */
export function commonGrid(curves: readonly Curve[], points: number, logX: boolean): Float64Array {
  const first = curves[0]?.x
  if (first && curves.every((c) => c.x.length === first.length && Array.prototype.every.call(c.x, (v: number, i: number) => v === first[i]))) {
    return Float64Array.from(first)
  }
  let lo = Infinity
  let hi = -Infinity
  for (const c of curves) {
    for (let i = 0; i < c.x.length; i++) {
      const v = c.x[i]
      if (Number.isNaN(v) || (logX && v <= 0)) continue
      if (v < lo) lo = v
      if (v > hi) hi = v
    }
  }
  if (!(lo <= hi)) return new Float64Array(0)
  if (lo === hi || points < 2) return Float64Array.of(lo)
  const out = new Float64Array(points)
  for (let i = 0; i < points; i++) {
    const t = i / (points - 1)
    out[i] = logX ? Math.exp(Math.log(lo) + t * (Math.log(hi) - Math.log(lo))) : lo + t * (hi - lo)
  }
  out[points - 1] = hi
  return out
}

/**
 * Median and Q1–Q3 of several curves (one per seed) at every point of their common x grid.
 * Each curve counts only inside its own x-range (no extrapolation). On a log y axis the
 * quantiles are taken of log y when every value at that x is positive (the median is the same
 * either way; the interpolated quartiles then sit evenly on the drawn axis).
 */
export function medianBand(curves: readonly Curve[], opts: { logX: boolean; logY: boolean; points?: number }): Band {
  const x = commonGrid(curves, opts.points ?? 256, opts.logX)
  const m = x.length
  const band: Band = { x, median: new Float64Array(m), q1: new Float64Array(m), q3: new Float64Array(m), n: new Int32Array(m) }
  const ys: number[] = []
  for (let i = 0; i < m; i++) {
    ys.length = 0
    for (const c of curves) {
      const y = interpolateAt(c, x[i], opts.logX, opts.logY)
      if (!Number.isNaN(y)) ys.push(y)
    }
    band.n[i] = ys.length
    if (!ys.length) {
      band.median[i] = band.q1[i] = band.q3[i] = NaN
      continue
    }
    const inLog = opts.logY && ys.every((y) => y > 0)
    const v = (inLog ? ys.map(Math.log) : ys.slice()).sort((a, b) => a - b)
    const back = (t: number): number => (inLog ? Math.exp(t) : t)
    band.median[i] = back(quantileSorted(v, 0.5))
    band.q1[i] = back(quantileSorted(v, 0.25))
    band.q3[i] = back(quantileSorted(v, 0.75))
  }
  return band
}

// ---------------------------------------------------------------- values of runs

/** What a phase-diagram cell or a parallel-coordinates line shows. */
export type ValueKey = { kind: 'summary'; key: string } | { kind: 'claim'; id: string; part: 'passed' | 'measured' }

export function valueKeyId(v: ValueKey): string {
  return v.kind === 'summary' ? `summary:${v.key}` : `claim:${v.id}:${v.part}`
}

export function parseValueKeyId(id: string): ValueKey | null {
  const s = /^summary:(.+)$/.exec(id)
  if (s) return { kind: 'summary', key: s[1] }
  const c = /^claim:(.+):(passed|measured)$/.exec(id)
  return c ? { kind: 'claim', id: c[1], part: c[2] as 'passed' | 'measured' } : null
}

/** The first number in a claim's measured text ("x_T = 3.1e-11 < 1e-8" → 3.1e-11); NaN if none. */
export function measuredNumber(text: string): number {
  const m = /[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?/.exec(text)
  return m ? Number(m[0]) : NaN
}

/** A run's value for a key; NaN when it has none (a claim that does not apply, a summary not computed). */
export function runValue(r: Pick<Run, 'summary' | 'claims'>, v: ValueKey): number {
  if (v.kind === 'summary') {
    const x = r.summary[v.key]
    return typeof x === 'number' ? x : NaN
  }
  const c = r.claims.find((k) => k.id === v.id)
  if (!c) return NaN
  return v.part === 'passed' ? (c.passed ? 1 : 0) : measuredNumber(c.measured)
}

/** How a cell aggregates its runs: a claim's outcome is the fraction that pass; the rest, the median. */
export function aggregateValues(values: readonly number[], v: ValueKey): number {
  const finite = values.filter((x) => !Number.isNaN(x))
  if (!finite.length) return NaN
  if (v.kind === 'claim' && v.part === 'passed') return finite.reduce((a, b) => a + b, 0) / finite.length
  return median(finite)
}

/** The value keys the runs offer: their summary keys, then each claim's outcome and measured number. */
export function valueKeysOf(runs: readonly Pick<Run, 'summary' | 'claims'>[]): ValueKey[] {
  const summaries: string[] = []
  const claims: string[] = []
  for (const r of runs) {
    for (const k of Object.keys(r.summary)) if (!summaries.includes(k)) summaries.push(k)
    for (const c of r.claims) if (!claims.includes(c.id)) claims.push(c.id)
  }
  return [
    ...summaries.map((key): ValueKey => ({ kind: 'summary', key })),
    ...claims.flatMap((id): ValueKey[] => [
      { kind: 'claim', id, part: 'passed' },
      { kind: 'claim', id, part: 'measured' },
    ]),
  ]
}

// ---------------------------------------------------------------- the phase diagram

export const FAILED_STATUSES: readonly RunStatus[] = ['failed', 'diverged']

export interface PhaseCell {
  /** indices into xValues and yValues */
  xi: number
  yi: number
  /** the aggregate of the cell's runs (median over seeds and any other swept params); NaN when none has a value */
  value: number
  /** runs in the cell, and how many of them gave a value */
  n: number
  nValues: number
  failed: number
  diverged: number
  /** queued or running */
  pending: number
  runIds: string[]
}

export interface PhaseGrid {
  xParam: string
  yParam: string
  /** the values of each axis in order, or, for a binned axis, each bin's range as text */
  xValues: ParamValue[]
  yValues: ParamValue[]
  xBinned: boolean
  yBinned: boolean
  /** only cells that hold at least one run */
  cells: PhaseCell[]
}

function compareValues(a: ParamValue, b: ParamValue): number {
  if (typeof a === 'number' && typeof b === 'number') return a - b
  return String(a).localeCompare(String(b))
}

function distinct(values: readonly ParamValue[]): ParamValue[] {
  return [...new Set(values)].sort(compareValues)
}

export interface AxisBins {
  /** bin edges, `count + 1` of them, evenly spaced (in log when the param is log-scale) */
  edges: number[]
  labels: string[]
}

/**
 * Bins for a numeric axis with more distinct values than `maxCategories` (a random sweep draws
 * a new value per run): `bins` equal bins between the smallest and largest value, in log space
 * for a log param. Null when the values fit as categories.
 */
export function axisBins(values: readonly ParamValue[], log: boolean, maxCategories: number, bins: number, format: (v: number) => string): AxisBins | null {
  const nums = distinct(values)
  if (nums.length <= maxCategories || !nums.every((v) => typeof v === 'number' && Number.isFinite(v))) return null
  const lo = nums[0] as number
  const hi = nums[nums.length - 1] as number
  const useLog = log && lo > 0
  const t = (v: number): number => (useLog ? Math.log(v) : v)
  const edges = Array.from({ length: bins + 1 }, (_, i) => (useLog ? Math.exp(t(lo) + (i / bins) * (t(hi) - t(lo))) : lo + (i / bins) * (hi - lo)))
  edges[0] = lo
  edges[bins] = hi
  return { edges, labels: edges.slice(0, -1).map((e, i) => `${format(e)}–${format(edges[i + 1])}`) }
}

/** The bin of a value: [e_i, e_i+1), the last bin closed. */
export function binIndex(bins: AxisBins, v: number): number {
  const n = bins.edges.length - 1
  for (let i = 0; i < n; i++) if (v < bins.edges[i + 1]) return i
  return n - 1
}

export interface PhaseOptions {
  /** log-scale params bin in log space */
  logParams?: readonly string[]
  /** an axis with more distinct values than this is binned (default 12) */
  maxCategories?: number
  /** bins per binned axis (default 8) */
  bins?: number
  format?: (v: number) => string
}

/**
 * The heatmap grid over two swept params: one cell per (x, y) value pair that has runs, its
 * value aggregated over seeds (and over any other swept param) by `aggregateValues`. A cell
 * whose runs failed or diverged counts them, so the chart can mark it. A numeric param with
 * many distinct values (a random sweep) is binned, so a cell holds the runs of its bin.
 */
export function phaseGrid(runs: readonly SweepRun[], xParam: string, yParam: string, value: ValueKey, opts: PhaseOptions = {}): PhaseGrid {
  const has = runs.filter((r) => r.params[xParam] !== undefined && r.params[yParam] !== undefined)
  const max = opts.maxCategories ?? 12
  const nBins = opts.bins ?? 8
  const format = opts.format ?? ((v: number) => String(Number(v.toPrecision(3))))
  const binsFor = (p: string) => axisBins(has.map((r) => r.params[p]), !!opts.logParams?.includes(p), max, nBins, format)
  const xBins = binsFor(xParam)
  const yBins = binsFor(yParam)
  const xValues: ParamValue[] = xBins ? xBins.labels : distinct(has.map((r) => r.params[xParam]))
  const yValues: ParamValue[] = yBins ? yBins.labels : distinct(has.map((r) => r.params[yParam]))
  const cells = new Map<string, PhaseCell & { values: number[] }>()
  const xIndex = new Map(xValues.map((v, i) => [v, i]))
  const yIndex = new Map(yValues.map((v, i) => [v, i]))
  for (const r of has) {
    const xi = xBins ? binIndex(xBins, r.params[xParam] as number) : xIndex.get(r.params[xParam])!
    const yi = yBins ? binIndex(yBins, r.params[yParam] as number) : yIndex.get(r.params[yParam])!
    const k = `${xi},${yi}`
    let c = cells.get(k)
    if (!c) {
      c = { xi, yi, value: NaN, n: 0, nValues: 0, failed: 0, diverged: 0, pending: 0, runIds: [], values: [] }
      cells.set(k, c)
    }
    c.n++
    c.runIds.push(r.id)
    if (r.status === 'failed') c.failed++
    else if (r.status === 'diverged') c.diverged++
    else if (r.status === 'queued' || r.status === 'running') c.pending++
    if (r.status === 'done') {
      const v = runValue(r, value)
      if (!Number.isNaN(v)) c.values.push(v)
    }
  }
  const out: PhaseCell[] = []
  for (const { values, ...c } of cells.values()) out.push({ ...c, value: aggregateValues(values, value), nValues: values.length })
  out.sort((a, b) => a.yi - b.yi || a.xi - b.xi)
  return { xParam, yParam, xValues, yValues, xBinned: !!xBins, yBinned: !!yBins, cells: out }
}

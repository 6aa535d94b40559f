/**
 * The repository's fitting procedure (`code/fit_tool.py`, query_optimal_lr_bs_data and
 * get_bootstrap_lr_bs_scaling_models) and the landscape analysis of the spec:
 *
 * 1. per (N, D): keep the runs with |L/L_best − 1| < threshold (strict, as in fit_tool.py; the
 *    best run itself is always kept, so threshold 0 reduces to the argmin);
 * 2. OLS of log lr on [1, log N, log D] and of log(bs·seq_len) on [1, log D] over the kept runs of
 *    all pairs (natural logs);
 * 3. bootstrap: resample the kept runs with replacement (pandas `sample(frac=1, replace=True)`),
 *    refit both regressions, report the mean coefficients and percentile intervals.
 * Landscape, per pair: the loss gap (%) of the grid point nearest a law's prediction in
 * (log₂ lr, log₂ bs) with equal weights, and a local quadratic fit in (ln lr, ln bs).
 */
import type { Rng } from '../../numeric/rng'
import { quantile } from '../../numeric/stats'
import { optimalBatchTokens, optimalLr, type PowerLaw } from './law'
import type { GridRun } from './table'

export interface Pair {
  /** total parameters (the grouping key, as in the released tables) */
  N: number
  D: number
  /** active parameters (MoE), NaN for dense tables */
  Na: number
  /** the N the law and the regression use: N, or Na when asked for active parameters */
  lawN: number
  runs: GridRun[]
  best: GridRun
}

/** Group runs by (N, D, Na), sorted by N, then D, then Na; `useActive` makes the law read Na. */
export function groupPairs(runs: readonly GridRun[], useActive: boolean): Pair[] {
  const map = new Map<string, GridRun[]>()
  for (const r of runs) {
    const key = `${r.N}|${r.D}|${r.Na}`
    const list = map.get(key)
    if (list) list.push(r)
    else map.set(key, [r])
  }
  const pairs: Pair[] = []
  for (const list of map.values()) {
    let best = list[0]
    for (const r of list) if (r.loss < best.loss) best = r
    const { N, D, Na } = list[0]
    if (useActive && !Number.isFinite(Na)) throw new Error('active parameters requested, but the table has no Na value for some rows')
    pairs.push({ N, D, Na, lawN: useActive ? Na : N, runs: list, best })
  }
  pairs.sort((a, b) => a.N - b.N || a.D - b.D || (a.Na || 0) - (b.Na || 0))
  return pairs
}

/** Runs within the threshold of their pair's best loss, or the argmin alone. */
export function selectRuns(pairs: readonly Pair[], mode: 'threshold' | 'argmin', threshold: number): { pair: Pair; run: GridRun }[] {
  const out: { pair: Pair; run: GridRun }[] = []
  for (const pair of pairs) {
    if (mode === 'argmin') {
      out.push({ pair, run: pair.best })
      continue
    }
    const best = pair.best.loss
    for (const run of pair.runs) if (run === pair.best || Math.abs(run.loss / best - 1) < threshold) out.push({ pair, run })
  }
  return out
}

/** The regression data of the selected runs: ln N_law, ln D, ln lr, ln(bs·seq_len). */
export interface RegressionData {
  lnN: Float64Array
  lnD: Float64Array
  lnLr: Float64Array
  lnBs: Float64Array
}

export function regressionData(sel: readonly { pair: Pair; run: GridRun }[]): RegressionData {
  const n = sel.length
  const d: RegressionData = { lnN: new Float64Array(n), lnD: new Float64Array(n), lnLr: new Float64Array(n), lnBs: new Float64Array(n) }
  sel.forEach(({ pair, run }, i) => {
    d.lnN[i] = Math.log(pair.lawN)
    d.lnD[i] = Math.log(run.D)
    d.lnLr[i] = Math.log(run.lr)
    d.lnBs[i] = Math.log(run.bs * run.seqLen)
  })
  return d
}

/**
 * OLS of both laws on the rows `idx` (all rows when null), by centred normal equations.
 * Returns NaN coefficients when a design is singular (e.g. a single N or a single D).
 */
export function fitLaws(d: RegressionData, idx: Int32Array | null): PowerLaw {
  const n = idx ? idx.length : d.lnN.length
  let mN = 0
  let mD = 0
  let mL = 0
  let mB = 0
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k
    mN += d.lnN[i]
    mD += d.lnD[i]
    mL += d.lnLr[i]
    mB += d.lnBs[i]
  }
  mN /= n
  mD /= n
  mL /= n
  mB /= n
  let sNN = 0
  let sND = 0
  let sDD = 0
  let sNL = 0
  let sDL = 0
  let sDB = 0
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k
    const a = d.lnN[i] - mN
    const b = d.lnD[i] - mD
    const l = d.lnLr[i] - mL
    const s = d.lnBs[i] - mB
    sNN += a * a
    sND += a * b
    sDD += b * b
    sNL += a * l
    sDL += b * l
    sDB += b * s
  }
  // a regressor that is constant up to round-off (one N, or one D) makes the design singular
  const constN = !(sNN > 1e-24 * n * (mN * mN + 1))
  const constD = !(sDD > 1e-24 * n * (mD * mD + 1))
  const det = sNN * sDD - sND * sND
  let cN = NaN
  let cD = NaN
  if (!constN && !constD && det > 1e-12 * sNN * sDD) {
    cN = (sDD * sNL - sND * sDL) / det
    cD = (sNN * sDL - sND * sNL) / det
  }
  const bD = constD ? NaN : sDB / sDD
  return {
    lrIntercept: mL - cN * mN - cD * mD,
    lrCoefN: cN,
    lrCoefD: cD,
    bsIntercept: mB - bD * mD,
    bsCoefD: bD,
  }
}

export interface BootstrapResult {
  /** every resample's refit; a part whose design was singular (one N, or one D) is NaN */
  laws: PowerLaw[]
  /** resamples with at least one singular part */
  skipped: number
  /** per-coefficient mean over the resamples where it is finite (NaN when it never is) */
  mean: PowerLaw
}

/** B bootstrap refits over the selected rows, resampled with replacement from `rng`. */
export function bootstrapLaws(d: RegressionData, B: number, rng: Rng, isCancelled: () => boolean = () => false): BootstrapResult | null {
  const n = d.lnN.length
  const idx = new Int32Array(n)
  const laws: PowerLaw[] = []
  let skipped = 0
  for (let b = 0; b < B; b++) {
    if ((b & 63) === 0 && isCancelled()) return null
    for (let k = 0; k < n; k++) idx[k] = rng.int(n)
    const law = fitLaws(d, idx)
    laws.push(law)
    if (!(Number.isFinite(law.lrCoefN) && Number.isFinite(law.lrCoefD) && Number.isFinite(law.bsCoefD))) skipped++
  }
  const keys: (keyof PowerLaw)[] = ['lrIntercept', 'lrCoefN', 'lrCoefD', 'bsIntercept', 'bsCoefD']
  const mean = Object.fromEntries(
    keys.map((k) => {
      const v = laws.map((l) => l[k]).filter(Number.isFinite)
      return [k, v.length ? v.reduce((a, x) => a + x, 0) / v.length : NaN]
    }),
  ) as unknown as PowerLaw
  return { laws, skipped, mean }
}

/** The q-quantile (type 7, numpy's default) of the finite values of a list; NaN when there are none. */
export function percentile(values: readonly number[], q: number): number {
  const finite = values.filter(Number.isFinite)
  return finite.length ? quantile(finite, q) : NaN
}

// ------------------------------------------------------------------ regret and landscape

/** The run of `pair` nearest to (lr, B tokens) in (log₂ lr, log₂ bs) with equal weights. */
export function nearestRun(pair: Pair, lr: number, bsTokens: number): GridRun {
  let best = pair.runs[0]
  let dist = Infinity
  const a = Math.log2(lr)
  const b = Math.log2(bsTokens)
  for (const r of pair.runs) {
    const du = Math.log2(r.lr) - a
    const dv = Math.log2(r.bs * r.seqLen) - b
    const dd = du * du + dv * dv
    if (dd < dist) {
      dist = dd
      best = r
    }
  }
  return best
}

/** Loss gap (%) of the grid point nearest the law's prediction, relative to the pair's best. */
export function lawGap(pair: Pair, law: PowerLaw): { gapPct: number; run: GridRun; lr: number; bsTokens: number } {
  const lr = optimalLr(law, pair.lawN, pair.D)
  const bsTokens = optimalBatchTokens(law, pair.D)
  // a law that could not be fitted (singular design) predicts nothing
  if (!Number.isFinite(lr) || !Number.isFinite(bsTokens)) return { gapPct: NaN, run: pair.best, lr, bsTokens }
  const run = nearestRun(pair, lr, bsTokens)
  return { gapPct: 100 * (run.loss / pair.best.loss - 1), run, lr, bsTokens }
}

/**
 * Local quadratic model L ≈ c0 + g·x + ½xᵀHx in x = (ln lr − ln lr_best, ln B − ln B_best),
 * fitted by least squares on the runs within `neighbourhood` (relative, e.g. 0.01 = +1%) of the
 * best loss, or on the 10 lowest-loss runs when fewer fall inside.
 */
export interface QuadraticFit {
  points: number
  c0: number
  g: [number, number]
  /** Hessian [[H_uu, H_uv], [H_uv, H_vv]] in loss per (ln lr)², (ln bs)² */
  H: [number, number, number]
  eigMin: number
  eigMax: number
  positiveDefinite: boolean
  /** fitted minimum (NaN unless positive definite) */
  minLoss: number
  minLnLr: number
  minLnBs: number
}

export function quadraticFit(pair: Pair, neighbourhood: number): QuadraticFit {
  const best = pair.best
  const u0 = Math.log(best.lr)
  const v0 = Math.log(best.bs * best.seqLen)
  let pts = pair.runs.filter((r) => r.loss <= (1 + neighbourhood) * best.loss)
  if (pts.length < 10) pts = [...pair.runs].sort((a, b) => a.loss - b.loss).slice(0, Math.min(10, pair.runs.length))
  // normal equations for the basis [1, u, v, u², uv, v²]
  const M = new Float64Array(36)
  const rhs = new Float64Array(6)
  const phi = new Float64Array(6)
  for (const r of pts) {
    const u = Math.log(r.lr) - u0
    const v = Math.log(r.bs * r.seqLen) - v0
    phi[0] = 1
    phi[1] = u
    phi[2] = v
    phi[3] = u * u
    phi[4] = u * v
    phi[5] = v * v
    for (let i = 0; i < 6; i++) {
      rhs[i] += phi[i] * r.loss
      for (let j = 0; j < 6; j++) M[i * 6 + j] += phi[i] * phi[j]
    }
  }
  const c = solveSmall(M, rhs, 6)
  const nan: QuadraticFit = {
    points: pts.length,
    c0: NaN,
    g: [NaN, NaN],
    H: [NaN, NaN, NaN],
    eigMin: NaN,
    eigMax: NaN,
    positiveDefinite: false,
    minLoss: NaN,
    minLnLr: NaN,
    minLnBs: NaN,
  }
  if (!c) return nan
  const Huu = 2 * c[3]
  const Huv = c[4]
  const Hvv = 2 * c[5]
  const mid = (Huu + Hvv) / 2
  const rad = Math.hypot((Huu - Hvv) / 2, Huv)
  const eigMin = mid - rad
  const eigMax = mid + rad
  const pd = eigMin > 0
  let minLoss = NaN
  let mu = NaN
  let mv = NaN
  if (pd) {
    const det = Huu * Hvv - Huv * Huv
    // x* = −H⁻¹g
    mu = -(Hvv * c[1] - Huv * c[2]) / det
    mv = -(-Huv * c[1] + Huu * c[2]) / det
    minLoss = c[0] + 0.5 * (c[1] * mu + c[2] * mv)
  }
  return {
    points: pts.length,
    c0: c[0],
    g: [c[1], c[2]],
    H: [Huu, Huv, Hvv],
    eigMin,
    eigMax,
    positiveDefinite: pd,
    minLoss,
    minLnLr: u0 + mu,
    minLnBs: v0 + mv,
  }
}

/** The quadratic model's value at (lr, B tokens). */
export function quadraticAt(q: QuadraticFit, pair: Pair, lr: number, bsTokens: number): number {
  const u = Math.log(lr) - Math.log(pair.best.lr)
  const v = Math.log(bsTokens) - Math.log(pair.best.bs * pair.best.seqLen)
  return q.c0 + q.g[0] * u + q.g[1] * v + 0.5 * (q.H[0] * u * u + 2 * q.H[1] * u * v + q.H[2] * v * v)
}

/**
 * Plateau widths at `level` (relative, e.g. 0.0025 = +0.25%) from the quadratic model: the extent
 * of the level set {Q ≤ (1 + level)·Q_min} along the lr and bs axes (its shadow), in octaves.
 */
export function plateauWidths(q: QuadraticFit, level: number): { lrOctaves: number; bsOctaves: number } {
  if (!q.positiveDefinite) return { lrOctaves: NaN, bsOctaves: NaN }
  const [a, b, d] = q.H
  const det = a * d - b * b
  const delta = level * q.minLoss
  const hu = Math.sqrt((2 * delta * d) / det)
  const hv = Math.sqrt((2 * delta * a) / det)
  return { lrOctaves: (2 * hu) / Math.LN2, bsOctaves: (2 * hv) / Math.LN2 }
}

/** Gaussian elimination with partial pivoting on a small dense system; null when singular. */
export function solveSmall(A: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const M = Float64Array.from(A)
  const x = Float64Array.from(b)
  let scale = 0
  for (let i = 0; i < n * n; i++) scale = Math.max(scale, Math.abs(M[i]))
  for (let k = 0; k < n; k++) {
    let p = k
    for (let i = k + 1; i < n; i++) if (Math.abs(M[i * n + k]) > Math.abs(M[p * n + k])) p = i
    if (!(Math.abs(M[p * n + k]) > 1e-13 * scale)) return null
    if (p !== k) {
      for (let j = 0; j < n; j++) {
        const t = M[k * n + j]
        M[k * n + j] = M[p * n + j]
        M[p * n + j] = t
      }
      const t = x[k]
      x[k] = x[p]
      x[p] = t
    }
    for (let i = k + 1; i < n; i++) {
      const f = M[i * n + k] / M[k * n + k]
      if (f === 0) continue
      for (let j = k; j < n; j++) M[i * n + j] -= f * M[k * n + j]
      x[i] -= f * x[k]
    }
  }
  for (let i = n - 1; i >= 0; i--) {
    let s = x[i]
    for (let j = i + 1; j < n; j++) s -= M[i * n + j] * x[j]
    x[i] = s / M[i * n + i]
  }
  return x
}

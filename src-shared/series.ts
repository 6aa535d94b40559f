/**
 * Pure series helpers both sides need: min/max decimation for drawing (main decimates stored
 * series for `runs:series`, the renderer decimates live buffers), TensorBoard-style smoothing,
 * and least-squares convergence-rate fits. No Node, Electron or DOM imports.
 */

/** Indices 0..n-1. */
function allIndices(n: number): Uint32Array {
  const out = new Uint32Array(n)
  for (let i = 0; i < n; i++) out[i] = i
  return out
}

/**
 * One decimation pass with `buckets` screen-space buckets. Rows whose x cannot be placed
 * (non-finite, or ≤ 0 on a log axis) go to the first bucket so that they are still seen.
 */
function decimatePass(
  xt: Float64Array,
  lo: number,
  hi: number,
  ys: Float64Array[],
  buckets: number,
): Uint32Array {
  const n = xt.length
  const k = ys.length
  const first = new Int32Array(buckets).fill(-1)
  const last = new Int32Array(buckets).fill(-1)
  const minIdx = new Int32Array(buckets * k).fill(-1)
  const maxIdx = new Int32Array(buckets * k).fill(-1)
  const minVal = new Float64Array(buckets * k).fill(Infinity)
  const maxVal = new Float64Array(buckets * k).fill(-Infinity)
  const span = hi - lo
  for (let i = 0; i < n; i++) {
    const t = xt[i]
    let b = 0
    if (Number.isFinite(t) && span > 0) {
      b = Math.floor(((t - lo) / span) * buckets)
      if (b >= buckets) b = buckets - 1
      else if (b < 0) b = 0
    }
    if (first[b] < 0) first[b] = i
    last[b] = i
    for (let j = 0; j < k; j++) {
      const v = ys[j][i]
      if (v !== v) continue // NaN: not recorded at this row
      const s = b * k + j
      if (v < minVal[s]) {
        minVal[s] = v
        minIdx[s] = i
      }
      if (v > maxVal[s]) {
        maxVal[s] = v
        maxIdx[s] = i
      }
    }
  }
  const mark = new Uint8Array(n)
  for (let b = 0; b < buckets; b++) {
    if (first[b] < 0) continue
    mark[first[b]] = 1
    mark[last[b]] = 1
    for (let j = 0; j < k; j++) {
      const s = b * k + j
      if (minIdx[s] >= 0) mark[minIdx[s]] = 1
      if (maxIdx[s] >= 0) mark[maxIdx[s]] = 1
    }
  }
  let count = 0
  for (let i = 0; i < n; i++) count += mark[i]
  const out = new Uint32Array(count)
  for (let i = 0, o = 0; i < n; i++) if (mark[i]) out[o++] = i
  return out
}

/**
 * Row indices to keep so that about `maxPoints` rows draw the same picture as all of them.
 * Rows are grouped in buckets uniform in x (in log10 x when `logX`, i.e. uniform on screen);
 * each bucket keeps its first and last row and the rows holding the minimum and maximum of
 * every y column, so no extreme is ever dropped (W&B's "full fidelity", Plotly's min/max).
 * The bucket count is chosen so the result stays within `maxPoints` rows (at least one bucket,
 * so the result can exceed `maxPoints` only when 2 + 2·ys.length does) and fills most of it.
 * Returned indices are ascending. NaN y values are ignored for the extremes.
 */
export function decimateMinMax(
  x: Float64Array,
  ys: Float64Array[],
  maxPoints: number,
  logX = false,
): Uint32Array {
  const n = x.length
  if (n <= maxPoints) return allIndices(n)
  const xt = new Float64Array(n)
  let lo = Infinity
  let hi = -Infinity
  for (let i = 0; i < n; i++) {
    const v = x[i]
    const t = logX ? (v > 0 ? Math.log10(v) : NaN) : v
    xt[i] = t
    if (Number.isFinite(t)) {
      if (t < lo) lo = t
      if (t > hi) hi = t
    }
  }
  if (!(hi >= lo)) {
    lo = 0
    hi = 0
  }
  // Start with a bucket count that cannot overshoot (each bucket keeps at most 2 + 2k rows);
  // when extremes share rows (smooth curves: min and max are the bucket's ends) that leaves
  // room, so refine once or twice in proportion. At most three passes.
  const perBucket = 2 + 2 * ys.length
  let buckets = Math.max(1, Math.floor(maxPoints / perBucket))
  let keep = decimatePass(xt, lo, hi, ys, buckets)
  for (let pass = 0; pass < 2 && keep.length < 0.7 * maxPoints; pass++) {
    const next = Math.floor((buckets * maxPoints * 0.9) / Math.max(1, keep.length))
    if (next <= buckets) break
    const finer = decimatePass(xt, lo, hi, ys, next)
    if (finer.length > maxPoints) break
    buckets = next
    keep = finer
  }
  return keep
}

/**
 * Debiased exponential moving average, as TensorBoard's scalar smoothing: with weight w in
 * [0, 1), s_t = w·s_{t−1} + (1−w)·y_t and the output is s_t / (1 − w^k) after k finite values,
 * so the start is not pulled toward zero. Non-finite values pass through unchanged and do not
 * enter the average. w = 0 returns a copy.
 */
export function emaSmooth(y: Float64Array, weight: number): Float64Array {
  const w = Math.min(Math.max(weight, 0), 0.999999)
  const out = new Float64Array(y.length)
  let acc = 0
  let count = 0
  for (let i = 0; i < y.length; i++) {
    const v = y[i]
    if (!Number.isFinite(v)) {
      out[i] = v
      continue
    }
    acc = acc * w + (1 - w) * v
    count++
    const debias = w === 0 ? 1 : 1 - Math.pow(w, count)
    out[i] = acc / debias
  }
  return out
}

export interface RateFit {
  /**
   * semilog: d ln(y)/dx, so y ≈ C·e^(slope·x) and the per-unit-x contraction is `rate`;
   * loglog: d ln(y)/d ln(x), the power-law exponent.
   */
  slope: number
  /** standard error of the slope (NaN with fewer than three points) */
  stderr: number
  /** intercept of the fitted line in the fitted coordinates (ln y at x = 0, or at ln x = 0) */
  intercept: number
  /** semilog: e^slope, the factor per unit of x; loglog: NaN */
  rate: number
  /** coefficient of determination of the fit */
  r2: number
  /** points used (finite, y > 0, and x > 0 for loglog) */
  n: number
}

/**
 * Least-squares convergence rate. 'semilog' fits ln y against x (linear convergence, a straight
 * line on semilog-y axes); 'loglog' fits ln y against ln x (a power law, straight on log-log
 * axes). Points with y ≤ 0 (or x ≤ 0 for loglog) or non-finite values are skipped.
 */
export function fitRate(x: Float64Array, y: Float64Array, mode: 'semilog' | 'loglog'): RateFit {
  const m = Math.min(x.length, y.length)
  let n = 0
  let sx = 0
  let sy = 0
  const us: number[] = []
  const vs: number[] = []
  for (let i = 0; i < m; i++) {
    const xi = x[i]
    const yi = y[i]
    if (!Number.isFinite(xi) || !Number.isFinite(yi) || yi <= 0) continue
    if (mode === 'loglog' && xi <= 0) continue
    const u = mode === 'loglog' ? Math.log(xi) : xi
    const v = Math.log(yi)
    us.push(u)
    vs.push(v)
    sx += u
    sy += v
    n++
  }
  const nan: RateFit = { slope: NaN, stderr: NaN, intercept: NaN, rate: NaN, r2: NaN, n }
  if (n < 2) return nan
  const mu = sx / n
  const mv = sy / n
  let suu = 0
  let suv = 0
  let svv = 0
  for (let i = 0; i < n; i++) {
    const du = us[i] - mu
    const dv = vs[i] - mv
    suu += du * du
    suv += du * dv
    svv += dv * dv
  }
  if (suu === 0) return nan
  const slope = suv / suu
  const intercept = mv - slope * mu
  let ssr = 0
  for (let i = 0; i < n; i++) {
    const r = vs[i] - (intercept + slope * us[i])
    ssr += r * r
  }
  const stderr = n > 2 ? Math.sqrt(ssr / (n - 2) / suu) : NaN
  const r2 = svv > 0 ? 1 - ssr / svv : 1
  return { slope, stderr, intercept, rate: mode === 'semilog' ? Math.exp(slope) : NaN, r2, n }
}

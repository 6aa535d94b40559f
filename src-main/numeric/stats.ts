/**
 * Summary statistics for run results: location, spread, quantiles, percentile-bootstrap
 * intervals, and least-squares line fits with standard errors for convergence rates (a slope on
 * semilog axes is a linear rate, on log-log axes a polynomial order).
 */
import type { Rng } from './rng'

/** Arithmetic mean (pairwise-free but compensated: Neumaier summation). NaN for no data. */
export function mean(x: ArrayLike<number>): number {
  if (x.length === 0) return NaN
  return compensatedSum(x) / x.length
}

/** Σ x with Neumaier's compensation: error O(eps) independent of length. */
export function compensatedSum(x: ArrayLike<number>): number {
  let s = 0
  let c = 0
  for (let i = 0; i < x.length; i++) {
    const v = x[i]
    const t = s + v
    c += Math.abs(s) >= Math.abs(v) ? s - t + v : v - t + s
    s = t
  }
  return s + c
}

/** Variance with `ddof` delta degrees of freedom (default 1: the unbiased sample variance), two-pass. */
export function variance(x: ArrayLike<number>, ddof = 1): number {
  const n = x.length
  if (n - ddof <= 0) return NaN
  const m = mean(x)
  let s = 0
  let c = 0
  for (let i = 0; i < n; i++) {
    const d = x[i] - m
    s += d * d
    c += d
  }
  // Corrected two-pass formula (Chan, Golub & LeVeque 1983): subtract the rounding in the mean.
  return (s - (c * c) / n) / (n - ddof)
}

/** Standard deviation, sqrt(variance(x, ddof)). */
export function std(x: ArrayLike<number>, ddof = 1): number {
  return Math.sqrt(variance(x, ddof))
}

function sortedCopy(x: ArrayLike<number>): Float64Array {
  const s = Float64Array.from(x)
  for (let i = 0; i < s.length; i++) if (Number.isNaN(s[i])) throw new RangeError('stats: NaN in data')
  return s.sort()
}

/**
 * The q-quantile by linear interpolation between order statistics at position q·(n − 1)
 * (Hyndman & Fan type 7; numpy's default 'linear' method). q in [0, 1].
 */
export function quantile(x: ArrayLike<number>, q: number): number {
  return quantilesSorted(sortedCopy(x), [q])[0]
}

/** Several quantiles with one sort. */
export function quantiles(x: ArrayLike<number>, qs: ArrayLike<number>): Float64Array {
  return quantilesSorted(sortedCopy(x), qs)
}

function quantilesSorted(s: Float64Array, qs: ArrayLike<number>): Float64Array {
  const n = s.length
  const out = new Float64Array(qs.length)
  for (let k = 0; k < qs.length; k++) {
    const q = qs[k]
    if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile: q must lie in [0, 1], got ${q}`)
    if (n === 0) {
      out[k] = NaN
      continue
    }
    const h = q * (n - 1)
    const lo = Math.floor(h)
    const hi = Math.min(lo + 1, n - 1)
    const frac = h - lo
    // numpy's _lerp: a + (b − a)·t, switched to b − (b − a)·(1 − t) for t ≥ 1/2 (exact at ends).
    const a = s[lo]
    const b = s[hi]
    const d = b - a
    out[k] = frac >= 0.5 ? b - d * (1 - frac) : a + d * frac
  }
  return out
}

/** Median: the 0.5-quantile (mean of the two middle order statistics for even n). */
export function median(x: ArrayLike<number>): number {
  const s = sortedCopy(x)
  const n = s.length
  if (n === 0) return NaN
  const h = n >> 1
  return n % 2 ? s[h] : 0.5 * (s[h - 1] + s[h])
}

export interface Interval {
  estimate: number
  lower: number
  upper: number
  level: number
}

/**
 * Percentile bootstrap interval for `statistic` (Efron & Tibshirani, An Introduction to the
 * Bootstrap, 1993, §13.3): resample with replacement `resamples` times, take the (1 ± level)/2
 * quantiles of the replicated statistic. Deterministic given the Rng.
 */
export function bootstrapCI(
  x: ArrayLike<number>,
  rng: Rng,
  opts: { statistic?: (sample: Float64Array) => number; level?: number; resamples?: number } = {},
): Interval {
  const statistic = opts.statistic ?? mean
  const level = opts.level ?? 0.95
  const B = opts.resamples ?? 2000
  const n = x.length
  if (n === 0) throw new RangeError('bootstrapCI: no data')
  const data = Float64Array.from(x)
  const sample = new Float64Array(n)
  const reps = new Float64Array(B)
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) sample[i] = data[rng.int(n)]
    reps[b] = statistic(sample)
  }
  const [lower, upper] = quantiles(reps, [(1 - level) / 2, (1 + level) / 2])
  return { estimate: statistic(data), lower, upper, level }
}

export interface LineFit {
  slope: number
  intercept: number
  /** Standard error of the slope, sqrt(s²/Sxx) with s² = RSS/(n − 2). */
  slopeStdErr: number
  interceptStdErr: number
  /** Coefficient of determination. */
  r2: number
  n: number
}

/**
 * Ordinary least-squares line y ≈ slope·x + intercept, centred for accuracy, with the classical
 * standard errors (normal errors, n − 2 degrees of freedom). Points with a non-finite x or y are
 * skipped, so log-transformed series with zeros can be passed as they are.
 */
export function lineFit(x: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  if (x.length !== y.length) throw new RangeError(`lineFit: ${x.length} x values but ${y.length} y values`)
  const xs: number[] = []
  const ys: number[] = []
  for (let i = 0; i < x.length; i++) {
    if (Number.isFinite(x[i]) && Number.isFinite(y[i])) {
      xs.push(x[i])
      ys.push(y[i])
    }
  }
  const n = xs.length
  if (n < 2) throw new RangeError(`lineFit: needs at least 2 finite points, got ${n}`)
  const xb = mean(xs)
  const yb = mean(ys)
  let sxx = 0
  let sxy = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    const dx = xs[i] - xb
    const dy = ys[i] - yb
    sxx += dx * dx
    sxy += dx * dy
    syy += dy * dy
  }
  if (sxx === 0) throw new RangeError('lineFit: all x values are equal')
  const slope = sxy / sxx
  const intercept = yb - slope * xb
  let rss = 0
  for (let i = 0; i < n; i++) {
    const r = ys[i] - (slope * xs[i] + intercept)
    rss += r * r
  }
  const s2 = n > 2 ? rss / (n - 2) : NaN
  return {
    slope,
    intercept,
    slopeStdErr: Math.sqrt(s2 / sxx),
    interceptStdErr: Math.sqrt(s2 * (1 / n + (xb * xb) / sxx)),
    r2: syy === 0 ? 1 : 1 - rss / syy,
    n,
  }
}

/**
 * Linear-convergence fit on semilog axes: log10(y) ≈ slope·t + intercept, so y shrinks by a
 * factor 10^slope per unit of t (rate = 10^slope). Non-positive y are skipped.
 */
export function semilogFit(t: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  return lineFit(t, Array.from(y, (v) => (v > 0 ? Math.log10(v) : NaN)))
}

/** Polynomial-rate fit on log-log axes: log10(y) ≈ slope·log10(t) + intercept, so y ∝ t^slope. */
export function loglogFit(t: ArrayLike<number>, y: ArrayLike<number>): LineFit {
  return lineFit(
    Array.from(t, (v) => (v > 0 ? Math.log10(v) : NaN)),
    Array.from(y, (v) => (v > 0 ? Math.log10(v) : NaN)),
  )
}

/**
 * A symlog axis as an axis transform (ECharts has none): matplotlib's symlog with base 10 and
 * linscale 1. With c = linthresh,
 *   t(v) = v / c                          for |v| ≤ c   (linear near zero)
 *   t(v) = sign(v) · (1 + log10(|v| / c))  for |v| > c   (log outside)
 * which is continuous with a continuous slope at ±c. Data are drawn at t(v) on a value axis;
 * ticks sit at integer t, i.e. at 0, ±c, ±10c, ±100c, …, and are labelled with v = t⁻¹(t).
 */
import { formatLogTick, formatNumber } from '../format'

export function symlog(v: number, linthresh: number): number {
  const a = Math.abs(v)
  if (a <= linthresh) return v / linthresh
  return Math.sign(v) * (1 + Math.log10(a / linthresh))
}

export function symlogInverse(t: number, linthresh: number): number {
  const a = Math.abs(t)
  if (a <= 1) return t * linthresh
  return Math.sign(t) * linthresh * Math.pow(10, a - 1)
}

/** The axis in transformed units: whole-number ends and a tick step of whole decades. */
export function symlogAxisRange(tMin: number, tMax: number, labels = 7): { min: number; max: number; step: number } {
  if (!Number.isFinite(tMin) || !Number.isFinite(tMax)) return { min: -1, max: 1, step: 1 }
  let lo = Math.floor(tMin)
  let hi = Math.ceil(tMax)
  if (hi <= lo) hi = lo + 1
  const step = Math.max(1, Math.ceil((hi - lo) / labels))
  lo = Math.floor(lo / step) * step + 0
  hi = Math.ceil(hi / step) * step + 0
  return { min: lo, max: hi, step }
}

/** The label of a tick at transformed position t: 0, ±c·10^k (as 1e-3, −100, …). */
export function symlogTickLabel(t: number, linthresh: number): string {
  const v = symlogInverse(t, linthresh)
  if (v === 0) return '0'
  const r = Math.abs(t) >= 1 && Number.isInteger(t) ? formatLogTick(Math.abs(v)) : formatNumber(Math.abs(v), 3)
  return v < 0 ? `−${r}` : r
}

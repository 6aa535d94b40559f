/**
 * Fitted convergence rates of drawn curves over the visible x-window: a semilog slope (linear
 * convergence, per-unit-x factor) or a log-log slope (sublinear order), from `fitRate`.
 */
import { fitRate, type RateFit } from '../../../src-shared/series'
import { formatNumber } from '../format'

export interface FitLine {
  name: string
  color?: string
  x: ArrayLike<number>
  y: ArrayLike<number>
}

export type FitMode = 'semilog' | 'loglog'

export interface FitRow {
  name: string
  color?: string
  mode: FitMode
  fit: RateFit
  /** the legend's short text: "rate 0.93/it" or "order −1.02" */
  text: string
}

/** The fit natural for the axes: log-log when x is log, semilog otherwise. */
export const fitModeFor = (logX: boolean): FitMode => (logX ? 'loglog' : 'semilog')

export function fitText(mode: FitMode, fit: RateFit): string {
  if (!(fit.n >= 2) || !Number.isFinite(fit.slope)) return 'no fit'
  return mode === 'loglog' ? `order ${formatNumber(fit.slope, 3)}` : `rate ${formatNumber(fit.rate, 4)}`
}

/**
 * Fit each line over x in [lo, hi] (the whole line when a bound is not finite). Lines sharing a
 * name (a vector metric's components) get their component index, "name [i]", so rows stay
 * distinct.
 */
export function fitLines(lines: readonly FitLine[], lo: number, hi: number, mode: FitMode): FitRow[] {
  const a = Number.isFinite(lo) ? lo : -Infinity
  const b = Number.isFinite(hi) ? hi : Infinity
  const total = new Map<string, number>()
  for (const l of lines) total.set(l.name, (total.get(l.name) ?? 0) + 1)
  const seen = new Map<string, number>()
  return lines.map((l) => {
    const k = seen.get(l.name) ?? 0
    seen.set(l.name, k + 1)
    const name = (total.get(l.name) ?? 0) > 1 ? `${l.name} [${k}]` : l.name
    const xs: number[] = []
    const ys: number[] = []
    const n = Math.min(l.x.length, l.y.length)
    for (let i = 0; i < n; i++) {
      const x = l.x[i]
      if (x >= a && x <= b) {
        xs.push(x)
        ys.push(l.y[i])
      }
    }
    const fit = fitRate(Float64Array.from(xs), Float64Array.from(ys), mode)
    return { name, color: l.color, mode, fit, text: fitText(mode, fit) }
  })
}

/**
 * Replay: how far a re-run's curves are from the original's. Same seed, params and study code
 * on the same platform give bit-identical float64 metrics, so every difference is exactly 0;
 * a changed code hash, platform or library shows up here as a number.
 */
import type { MetricSpec } from '../../src-shared/model'

export interface SeriesDifference {
  /** largest |old − new| over every compared column and row (0 when identical) */
  maxAbsDiff: number
  /** the same, per metric (a vector metric's components fold into its name), and per x-axis */
  perMetric: Record<string, number>
  /** rows compared (the shorter of the two runs), and each run's row count */
  rows: number
  rowsOld: number
  rowsNew: number
  /** columns not compared: the wall clock, and metrics the study marks as wall-clock readings */
  excluded: string[]
}

/** A column's metric: NAME[i] → NAME. */
const metricOf = (column: string): string => column.replace(/\[\d+\]$/, '')

/** Wall-clock columns differ on every run by nature; they are reported as excluded, not compared. */
export function isWallClock(column: string, metrics: Record<string, MetricSpec>): boolean {
  if (column === 'wallMs') return true
  return metrics[metricOf(column)]?.wallClock === true
}

/**
 * Largest absolute difference between two runs' stored columns, row by row. NaN in both (a
 * metric not recorded at that row) is equal; NaN in one only, or a column only one run has,
 * is an infinite difference. Rows beyond the shorter run make the result infinite too.
 */
export function seriesDifference(
  oldCols: Record<string, Float64Array>,
  newCols: Record<string, Float64Array>,
  rowsOld: number,
  rowsNew: number,
  metrics: Record<string, MetricSpec>,
): SeriesDifference {
  const names = [...new Set([...Object.keys(oldCols), ...Object.keys(newCols)])]
  const excluded = names.filter((n) => isWallClock(n, metrics))
  const rows = Math.min(rowsOld, rowsNew)
  const perMetric: Record<string, number> = {}
  let maxAbsDiff = rowsOld === rowsNew ? 0 : Infinity
  for (const name of names) {
    if (excluded.includes(name)) continue
    const a = oldCols[name]
    const b = newCols[name]
    let d = 0
    if (!a || !b) d = Infinity
    else {
      for (let i = 0; i < rows; i++) {
        const x = a[i]
        const y = b[i]
        if (x === y) continue
        const nx = x !== x
        const ny = y !== y
        if (nx && ny) continue
        const e = nx || ny ? Infinity : Math.abs(x - y)
        if (e > d) d = e
      }
    }
    const key = metricOf(name)
    perMetric[key] = Math.max(perMetric[key] ?? 0, d)
    if (d > maxAbsDiff) maxAbsDiff = d
  }
  return { maxAbsDiff, perMetric, rows, rowsOld, rowsNew, excluded }
}

/**
 * Per-policy statistics read back from a stream run's recorded columns (what the claims and the
 * summary use): mean cost over all instances or over the last quarter, the best fixed grid ω in
 * hindsight from the replay table (`gridCost[j]`), the modal pick of a learner.
 */
import type { RunView } from '../../kit'

/** Instance rows of a stream run: rows where `costInstanceOptimal` was recorded (tail rows excluded). */
function instanceRows(run: RunView): { rows: number[]; T: number } {
  const opt = run.column('costInstanceOptimal')
  const rows: number[] = []
  for (let i = 0; i < opt.length; i++) if (Number.isFinite(opt[i])) rows.push(i)
  return { rows, T: rows.length }
}

/** The instances t (1-based) with t > ⌊3T/4⌋: 1501..2000 at T = 2000. */
export function lastQuarterStart(T: number): number {
  return Math.floor((3 * T) / 4) + 1
}

/** Mean of a per-instance column over instances `from`..T (1-based, inclusive). */
export function meanCost(run: RunView, column: string, from = 1): number {
  const { rows } = instanceRows(run)
  const col = run.column(column)
  const it = run.column('iteration')
  let s = 0
  let n = 0
  for (const i of rows) {
    if (it[i] < from) continue
    s += col[i]
    n++
  }
  return n > 0 ? s / n : NaN
}

/** Best fixed grid ω in hindsight over all T instances: its grid index, ω and mean cost. */
export function bestFixed(run: RunView, omegaGrid: Float64Array): { index: number; omega: number; mean: number } {
  let best = { index: -1, omega: NaN, mean: Infinity }
  for (let j = 0; j < omegaGrid.length; j++) {
    const m = meanCost(run, `gridCost[${j}]`)
    if (m < best.mean) best = { index: j, omega: omegaGrid[j], mean: m }
  }
  return best
}

/** The most frequent value of a per-instance column over instances `from`..T (smallest on ties). */
export function modalValue(run: RunView, column: string, from = 1): number {
  const { rows } = instanceRows(run)
  const col = run.column(column)
  const it = run.column('iteration')
  const counts = new Map<number, number>()
  for (const i of rows) if (it[i] >= from) counts.set(col[i], (counts.get(col[i]) ?? 0) + 1)
  let best = NaN
  let bestCount = -1
  for (const [v, c] of [...counts.entries()].sort((a, b) => a[0] - b[0])) {
    if (c > bestCount) {
      best = v
      bestCount = c
    }
  }
  return best
}

export function instanceCount(run: RunView): number {
  return instanceRows(run).T
}

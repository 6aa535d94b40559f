/**
 * CSV and JSON export of run series. Text cells that a spreadsheet would evaluate (starting
 * with =, +, -, @, tab or CR) are prefixed with a quote so they stay text (formula injection);
 * numbers are written with full float64 round-trip precision.
 */
import { csvCell } from '../../src-shared/csv'
import type { Run, SeriesData } from '../../src-shared/model'

export { csvCell }

/**
 * Long format: one line per recorded row of each run, a `run` column first, then the union of
 * the runs' columns (x-axes first); a run without a column leaves its cells empty.
 */
export function seriesToCsv(series: SeriesData[]): string {
  const names: string[] = []
  for (const s of series) for (const n of Object.keys(s.columns)) if (!names.includes(n)) names.push(n)
  const lines = [['run', ...names].map(csvCell).join(',')]
  for (const s of series) {
    const run = csvCell(s.runId)
    for (let i = 0; i < s.length; i++) lines.push([run, ...names.map((n) => csvCell(s.columns[n]?.[i]))].join(','))
  }
  return lines.join('\n') + '\n'
}

/** Run metadata and its series as plain JSON (NaN as null). */
export function runToJson(run: Run, series: SeriesData): unknown {
  const columns: Record<string, (number | null)[]> = {}
  for (const [name, values] of Object.entries(series.columns)) {
    columns[name] = Array.from(values, (v) => (Number.isFinite(v) ? v : null))
  }
  return { run, series: { length: series.length, columns } }
}

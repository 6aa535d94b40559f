/**
 * CSV and JSON of a chart's drawn series, built client-side. CSV cells that a spreadsheet would
 * read as a formula (starting with = + - @, or a tab / carriage return) are prefixed with a
 * quote character (OWASP's CSV-injection advice); numbers are written as numbers.
 */
import { csvCell } from '../../../src-shared/csv'

export { csvCell }

export interface ExportLine {
  name: string
  x: ArrayLike<number>
  y: ArrayLike<number>
}

export function csvRow(cells: (string | number | boolean | null | undefined)[]): string {
  return cells.map(csvCell).join(',')
}

/** Long format: series, x, y — one row per drawn point. */
export function linesToCsv(lines: readonly ExportLine[], xName: string, yName = 'value'): string {
  const out = [csvRow(['series', xName, yName])]
  for (const l of lines) {
    const n = Math.min(l.x.length, l.y.length)
    for (let i = 0; i < n; i++) out.push(csvRow([l.name, l.x[i], l.y[i]]))
  }
  return out.join('\n') + '\n'
}

/** JSON: {chart, x, series: [{name, x: [...], y: [...]}]}; non-finite numbers become null. */
export function linesToJson(chart: string, xName: string, lines: readonly ExportLine[]): string {
  const num = (v: number): number | null => (Number.isFinite(v) ? v : null)
  return JSON.stringify(
    { chart, x: xName, series: lines.map((l) => ({ name: l.name, x: Array.from(l.x, num), y: Array.from(l.y, num) })) },
    null,
    1,
  )
}

/** A file name from a title: letters, digits, - and _ only. */
export function fileSafe(name: string): string {
  return name.replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 80) || 'chart'
}

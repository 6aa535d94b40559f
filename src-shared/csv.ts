/**
 * One CSV cell, for every CSV Descent writes (CLI/series export in main, chart export in the
 * renderer). Text a spreadsheet would evaluate as a formula (starting with = + - @, tab or CR)
 * gets a leading quote (OWASP's CSV-injection advice); separators are quoted. Numbers keep full
 * float64 round-trip precision; NaN (not recorded) is an empty cell.
 */
export function csvCell(value: string | number | boolean | null | undefined): string {
  if (value === null || value === undefined) return ''
  if (typeof value === 'number') return Number.isNaN(value) ? '' : String(value)
  if (typeof value === 'boolean') return String(value)
  let s = value
  if (/^[=+\-@\t\r]/.test(s)) s = `'${s}`
  return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s
}

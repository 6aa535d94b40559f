/** Number formatting for claim margins: "3.0e-10", "0.25", "1200". */
export function fmt(x: number, digits = 2): string {
  if (!Number.isFinite(x)) return String(x)
  if (x === 0) return '0'
  const a = Math.abs(x)
  if (a >= 1e-3 && a < 1e4) return Number(x.toPrecision(digits + 1)).toString()
  return x.toExponential(digits - 1 < 0 ? 0 : digits - 1)
}

/** "relError 3.0e-10 ≤ 1e-9 at t = 250" style comparison text. */
export function compare(name: string, value: number, op: '≤' | '≥' | '<' | '>', bound: number, where = ''): string {
  return `${name} ${fmt(value)} ${op} ${fmt(bound)}${where ? ` ${where}` : ''}`
}

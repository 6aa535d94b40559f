/** Number, time and id formatting shared by every view (one place, one style). */

/** A compact number with 4 significant digits: 0.001234, 1.235e-9, 12345, 1.235e+7. */
export function formatNumber(v: number | null | undefined, digits = 4): string {
  if (v === null || v === undefined) return '—'
  if (Number.isNaN(v)) return 'NaN'
  if (!Number.isFinite(v)) return v > 0 ? '∞' : '−∞'
  if (v === 0) return '0'
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return String(v)
  const a = Math.abs(v)
  if (a >= 1e-3 && a < 1e7) return String(Number(v.toPrecision(digits)))
  return v.toExponential(digits - 1).replace(/\.?0+e/, 'e')
}

/** A log-axis tick label: powers of ten as 1e-8, others compact. */
export function formatLogTick(v: number): string {
  if (v <= 0 || !Number.isFinite(v)) return String(v)
  const e = Math.log10(v)
  if (Math.abs(e - Math.round(e)) < 1e-9) {
    const k = Math.round(e)
    if (k >= -2 && k <= 3) return String(Math.pow(10, k))
    return `1e${k}`
  }
  return formatNumber(v, 2)
}

/** 850 ms, 12.3 s, 4 min 05 s, 2 h 03 min. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—'
  if (ms < 1000) return `${Math.round(ms)} ms`
  const s = ms / 1000
  if (s < 60) return `${s.toFixed(s < 10 ? 2 : 1)} s`
  const m = Math.floor(s / 60)
  if (m < 60) return `${m} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`
  return `${Math.floor(m / 60)} h ${String(m % 60).padStart(2, '0')} min`
}

/**
 * Remaining time from progress in (0, 1] and the time elapsed so far, assuming a constant
 * rate (null until there is enough progress to say anything).
 */
export function estimateRemainingMs(progress: number, elapsedMs: number): number | null {
  if (!(progress > 0.005) || !(elapsedMs > 0)) return null
  if (progress >= 1) return 0
  return (elapsedMs * (1 - progress)) / progress
}

export function formatTimestamp(ms: number | null | undefined): string {
  if (!ms) return '—'
  const d = new Date(ms)
  const p = (n: number): string => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`
}

/** The first characters of a hash, enough to tell runs apart at a glance. */
export function shortHash(h: string, n = 10): string {
  return h.length > n ? h.slice(0, n) : h
}

export function formatParamValue(v: unknown): string {
  if (typeof v === 'number') return formatNumber(v, 6)
  if (typeof v === 'boolean') return v ? 'true' : 'false'
  return String(v)
}

/** "3/3 ✓" when every evaluated claim passed, "2/3 ✗" otherwise, "" when none were evaluated. */
export function formatClaims(claims: readonly { passed: boolean }[]): { text: string; ok: boolean | null } {
  if (!claims.length) return { text: '', ok: null }
  const passed = claims.filter((c) => c.passed).length
  const ok = passed === claims.length
  return { text: `${passed}/${claims.length} ${ok ? '✓' : '✗'}`, ok }
}

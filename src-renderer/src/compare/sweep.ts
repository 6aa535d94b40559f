/**
 * Pure parsing for the sweep form: comma lists of grid values, log-spaced ranges, seed lists.
 * Each returns either values or an error message for the field.
 */
import type { ParamSpec, ParamValue } from '../../../src-shared/model'

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string }

/** `count` values from lo to hi, evenly spaced in log10 (both ends included), rounded to 6 significant digits. */
export function logSpaced(lo: number, hi: number, count: number): number[] {
  if (!(lo > 0) || !(hi > 0) || !Number.isInteger(count) || count < 1) return []
  if (count === 1) return [lo]
  const a = Math.log10(lo)
  const b = Math.log10(hi)
  return Array.from({ length: count }, (_, i) => Number(Math.pow(10, a + ((b - a) * i) / (count - 1)).toPrecision(6)))
}

/** "lo, hi, count" for a log-spaced range. */
export function parseLogRange(text: string): Parsed<number[]> {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean)
  if (parts.length !== 3) return { ok: false, error: 'expected: lo, hi, count' }
  const [lo, hi, count] = parts.map(Number)
  if (!(lo > 0) || !(hi > 0)) return { ok: false, error: 'lo and hi must be positive numbers' }
  if (!Number.isInteger(count) || count < 1 || count > 1000) return { ok: false, error: 'count must be an integer in [1, 1000]' }
  return { ok: true, value: logSpaced(lo, hi, count) }
}

/** A comma list of values of one param, typed by its spec (numbers, integers, choices, booleans, text). */
export function parseValues(text: string, spec: ParamSpec): Parsed<ParamValue[]> {
  const parts = text.split(',').map((s) => s.trim()).filter((s) => s.length > 0)
  if (!parts.length) return { ok: false, error: 'enter at least one value' }
  const out: ParamValue[] = []
  for (const p of parts) {
    switch (spec.type) {
      case 'number':
      case 'integer': {
        const v = Number(p)
        if (!Number.isFinite(v)) return { ok: false, error: `"${p}" is not a number` }
        if (spec.type === 'integer' && !Number.isInteger(v)) return { ok: false, error: `"${p}" is not an integer` }
        out.push(v)
        break
      }
      case 'boolean':
        if (p !== 'true' && p !== 'false') return { ok: false, error: `"${p}" is not true or false` }
        out.push(p === 'true')
        break
      case 'choice':
        if (!spec.choices.includes(p)) return { ok: false, error: `"${p}" is not one of ${spec.choices.join(', ')}` }
        out.push(p)
        break
      case 'text':
        out.push(p)
        break
    }
  }
  return { ok: true, value: [...new Set(out)] }
}

/** Seeds as "0..4", "1,2,7" or a mix ("0..2, 10"); unique, at most 10,000. */
export function parseSeeds(text: string): Parsed<number[]> {
  const out: number[] = []
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean)
  if (!parts.length) return { ok: false, error: 'enter seeds, e.g. 0..4' }
  for (const p of parts) {
    const m = /^(\d+)\s*\.\.\s*(\d+)$/.exec(p)
    if (m) {
      const a = Number(m[1])
      const b = Number(m[2])
      if (b < a) return { ok: false, error: `"${p}": the range ends before it starts` }
      if (b - a >= 10_000) return { ok: false, error: `"${p}": at most 10,000 seeds` }
      for (let s = a; s <= b; s++) out.push(s)
    } else if (/^\d+$/.test(p)) out.push(Number(p))
    else return { ok: false, error: `"${p}" is not a seed or a range a..b` }
  }
  const uniq = [...new Set(out)]
  if (uniq.some((s) => s > 2 ** 31 - 1)) return { ok: false, error: 'seeds must be below 2^31' }
  if (uniq.length > 10_000) return { ok: false, error: 'at most 10,000 seeds' }
  return { ok: true, value: uniq }
}

/** "lo, hi" for a random (uniform, or log-uniform when `log`) draw of a number param. */
export function parseRandomRange(text: string, log: boolean): Parsed<{ lo: number; hi: number; log: boolean }> {
  const parts = text.split(',').map((s) => s.trim()).filter(Boolean)
  if (parts.length !== 2) return { ok: false, error: 'expected: lo, hi' }
  const [lo, hi] = parts.map(Number)
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return { ok: false, error: 'lo and hi must be numbers' }
  if (!(hi > lo)) return { ok: false, error: 'hi must be above lo' }
  if (log && !(lo > 0)) return { ok: false, error: 'a log-uniform range needs lo > 0' }
  return { ok: true, value: { lo, hi, log } }
}

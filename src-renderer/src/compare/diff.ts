/**
 * Pure helpers of the compare page: which params differ between runs, legend names built from
 * them, the params diff table, and the compare route's id list. No DOM, no stores.
 */
import type { ParamValue } from '../../../src-shared/model'
import { formatNumber } from '../format'

export interface RunLike {
  id: string
  study: string
  seed: number
  params: Record<string, ParamValue>
}

/** A param value in words: numbers short (1e-5, 0.25), strings and booleans as they are. */
export function formatParam(v: ParamValue | undefined): string {
  if (v === undefined) return '—'
  if (typeof v === 'number') return formatNumber(v, 4)
  return String(v)
}

function same(a: ParamValue | undefined, b: ParamValue | undefined): boolean {
  return a === b || (typeof a === 'number' && typeof b === 'number' && Number.isNaN(a) && Number.isNaN(b))
}

/** All param names of the runs, plus `seed`, in first-seen order. */
export function paramNames(runs: readonly RunLike[]): string[] {
  const names: string[] = []
  for (const r of runs) for (const k of Object.keys(r.params)) if (!names.includes(k)) names.push(k)
  return [...names, 'seed']
}

function valueOf(r: RunLike, name: string): ParamValue | undefined {
  return name === 'seed' ? r.seed : r.params[name]
}

/** Param names (and `seed`) whose values are not the same in every run. */
export function differingParams(runs: readonly RunLike[]): string[] {
  if (runs.length < 2) return []
  return paramNames(runs).filter((k) => runs.some((r) => !same(valueOf(r, k), valueOf(runs[0], k))))
}

/**
 * A legend name per run from the params that differ between them, e.g. "alpha=1e-5, rankModel=20".
 * Runs of different studies are prefixed by their study; runs nothing tells apart get their id.
 * Names are unique (a repeated name gets " #2", " #3").
 */
export function runLabels(runs: readonly RunLike[]): string[] {
  const studies = new Set(runs.map((r) => r.study))
  const byStudy = new Map<string, RunLike[]>()
  for (const r of runs) byStudy.set(r.study, [...(byStudy.get(r.study) ?? []), r])
  const diffs = new Map<string, string[]>()
  for (const [s, rs] of byStudy) diffs.set(s, differingParams(rs))
  const labels = runs.map((r) => {
    const keys = diffs.get(r.study) ?? []
    const text = keys.map((k) => `${k}=${formatParam(valueOf(r, k))}`).join(', ')
    const base = text || r.id.slice(0, 10)
    return studies.size > 1 ? `${r.study}: ${base}` : base
  })
  const seen = new Map<string, number>()
  return labels.map((l) => {
    const n = (seen.get(l) ?? 0) + 1
    seen.set(l, n)
    return n > 1 ? `${l} #${n}` : l
  })
}

export interface DiffRow {
  param: string
  values: string[]
  differs: boolean
}

/** The params diff table: one row per param (and seed), one cell per run; `diffOnly` keeps rows that differ. */
export function diffRows(runs: readonly RunLike[], diffOnly: boolean): DiffRow[] {
  const rows = paramNames(runs).map((param) => {
    const vals = runs.map((r) => valueOf(r, param))
    return { param, values: vals.map(formatParam), differs: vals.some((v) => !same(v, vals[0])) }
  })
  return diffOnly ? rows.filter((r) => r.differs) : rows
}

/** `a,b,c` from the route into unique, valid run ids (at most 50). */
export function parseIds(text: string): string[] {
  const out: string[] = []
  for (const raw of text.split(',')) {
    const id = raw.trim()
    if (/^[A-Za-z0-9_-]{1,64}$/.test(id) && !out.includes(id)) out.push(id)
  }
  return out.slice(0, 50)
}

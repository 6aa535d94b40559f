/**
 * The components of a vector metric NAME (NAME[0], NAME[1], …) of one run at one row: the last
 * recorded row (a finished run's summary holds every column's last finite value; a running run's
 * stream buffer its latest row) or the row recorded at iteration `at` (read from the stored series).
 */
import type { Run } from '../../../src-shared/model'
import { isTerminal } from '../../../src-shared/model'
import { shallowReactive } from 'vue'
import { useClient } from '../client'
import { useLive } from '../stores/live'
import { MAX_POINTS, useSeries } from '../stores/series'
import { expandColumns } from './options'

export type VectorAt = { values: Float64Array } | { loading: true } | { error: string }

export function vectorAt(run: Run, metric: string, at: number | undefined): VectorAt {
  const live = useLive()
  const series = useSeries()
  const current = live.runs.get(run.id) ?? run
  const buffer = live.buffers.get(run.id)
  if (!isTerminal(current.status)) {
    if (!buffer || buffer.length === 0) return { loading: true }
    const cols = expandColumns([metric], buffer.columnNames())
    const it = buffer.column('iteration')
    let row = buffer.length - 1
    if (at !== undefined && it) {
      row = it.findIndex((v) => v === at)
      if (row < 0) return { loading: true }
    }
    return { values: Float64Array.from(cols, (c) => buffer.column(c.column)![row]) }
  }
  const cols = expandColumns([metric], current.columns)
  if (!cols.length) return { error: `run ${current.id} recorded no vector metric ${metric}` }
  if (at === undefined) return { values: Float64Array.from(cols, (c) => current.summary[c.column] ?? NaN) }
  const names = cols.map((c) => c.column)
  // runs:series takes at most 200 columns a call
  const out = new Float64Array(names.length).fill(NaN)
  for (let k = 0; k < names.length; k += 200) {
    const chunk = names.slice(k, k + 200)
    const payload = series.get(current.id, 'iteration', chunk, false)
    if (!payload) return { loading: true }
    if ('error' in payload) return { error: payload.error }
    const it = payload.columns.iteration
    const row = it ? it.findIndex((v) => v === at) : -1
    if (row < 0) {
      const why = payload.total > MAX_POINTS ? ` (the stored series of ${payload.total} rows was decimated to ${payload.length})` : ''
      return { error: `${metric} was not recorded at iteration ${at}${why}` }
    }
    chunk.forEach((n, c) => (out[k + c] = payload.columns[n]?.[row] ?? NaN))
  }
  return { values: out }
}

/** whole stored columns of finished runs (never decimated: a histogram needs every value), by run and metric */
const fullColumns = shallowReactive(new Map<string, Float64Array | { error: string }>())
const fetching = new Set<string>()

/** Every recorded (finite) value of a scalar metric of a run (a finished run's column is read whole, once). */
export function columnValues(run: Run, metric: string): VectorAt {
  const live = useLive()
  const current = live.runs.get(run.id) ?? run
  if (!isTerminal(current.status)) {
    const col = live.buffers.get(run.id)?.column(metric)
    return col ? { values: col.filter((v) => Number.isFinite(v)) } : { loading: true }
  }
  if (!current.columns.includes(metric)) return { error: `run ${current.id} recorded no metric ${metric}` }
  const key = `${current.id}|${metric}`
  const hit = fullColumns.get(key)
  if (hit) return hit instanceof Float64Array ? { values: hit } : hit
  if (!fetching.has(key)) {
    fetching.add(key)
    useClient()
      ['runs:series']({ id: current.id, x: 'iteration', y: [metric], maxPoints: 1_000_000, logX: false })
      .then((p) => fullColumns.set(key, (p.columns[metric] ?? new Float64Array(0)).filter((v) => Number.isFinite(v))))
      .catch((e: unknown) => fullColumns.set(key, { error: (e as Error).message }))
      .finally(() => fetching.delete(key))
  }
  return { loading: true }
}

/** Whole stored columns of a finished run (undecimated; 200 names a call), or loading/error. */
export function wholeColumns(run: Run, names: string[]): { columns: Record<string, Float64Array> } | { loading: true } | { error: string } {
  const columns: Record<string, Float64Array> = {}
  for (let k = 0; k < names.length; k += 200) {
    const chunk = names.slice(k, k + 200)
    const key = `${run.id}|${chunk.join(',')}`
    const hit = wholeChunks.get(key)
    if (!hit) {
      if (!fetching.has(key)) {
        fetching.add(key)
        useClient()
          ['runs:series']({ id: run.id, x: 'iteration', y: chunk, maxPoints: 1_000_000, logX: false })
          .then((p) => wholeChunks.set(key, p.columns))
          .catch((e: unknown) => wholeChunks.set(key, new FetchError((e as Error).message)))
          .finally(() => fetching.delete(key))
      }
      return { loading: true }
    }
    if (hit instanceof FetchError) return { error: hit.message }
    Object.assign(columns, hit)
  }
  return { columns }
}
class FetchError {
  constructor(readonly message: string) {}
}
const wholeChunks = shallowReactive(new Map<string, Record<string, Float64Array> | FetchError>())

/**
 * Export of a selection of runs (checked runs, a project or a sweep) for the runs page and
 * `descent export --runs|--project|--sweep`, and import of a `.sqlite` handed over as bytes.
 *
 * CSV and JSON are long format, the shape pandas, R and spreadsheets pivot from: one row per
 * recorded value, `run, metric, x, value` (x is the iteration; the run's other x-axes, wall time
 * and oracle counters, follow as `x:NAME` columns), then the run's params (`param:NAME`), seed
 * and provenance. Values that were not recorded (NaN) are left out. Text cells go through
 * csvCell (formula injection guard).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { csvCell } from '../../src-shared/csv'
import type { Run, SeriesData } from '../../src-shared/model'
import type { ExportedFile, ExportFormat, ExportSelection, ImportReport } from '../../src-shared/runquery'
import { bytesToBase64 } from '../../src-shared/wire'
import { RunStore, StoreError } from '../store/store'
import { exportRuns, importRuns } from '../store/transfer'

/** Recorded columns that are x-axes rather than metrics. */
export function isXAxis(column: string): boolean {
  return column === 'iteration' || column === 'wallMs' || column.startsWith('oracle:')
}

const PROVENANCE = ['seed', 'study', 'status', 'project', 'sweep', 'label', 'params_hash', 'code_hash', 'app_version', 'platform', 'created_at'] as const

function provenance(run: Run): Record<(typeof PROVENANCE)[number], string | number | null> {
  return {
    seed: run.seed,
    study: run.study,
    status: run.status,
    project: run.projectId,
    sweep: run.sweepId,
    label: run.label,
    params_hash: run.paramsHash,
    code_hash: run.codeHash,
    app_version: run.appVersion,
    platform: run.platform,
    created_at: new Date(run.createdAt).toISOString(),
  }
}

function layout(runs: Run[], series: SeriesData[]) {
  const params: string[] = []
  for (const r of runs) for (const k of Object.keys(r.params)) if (!params.includes(k)) params.push(k)
  const xs: string[] = []
  for (const s of series) for (const c of Object.keys(s.columns)) if (isXAxis(c) && c !== 'iteration' && !xs.includes(c)) xs.push(c)
  return { params, xs }
}

/** One long-format row per recorded (run, metric, iteration) value. */
export function* longRows(runs: Run[], series: SeriesData[]): Generator<{ run: Run; metric: string; i: number; x: number; value: number; s: SeriesData }> {
  for (let r = 0; r < runs.length; r++) {
    const s = series[r]
    const iteration = s.columns.iteration
    for (const [metric, values] of Object.entries(s.columns)) {
      if (isXAxis(metric)) continue
      for (let i = 0; i < s.length; i++) {
        const value = values[i]
        if (Number.isNaN(value)) continue
        yield { run: runs[r], metric, i, x: iteration ? iteration[i] : i, value, s }
      }
    }
  }
}

export function runsToLongCsv(runs: Run[], series: SeriesData[]): string {
  const { params, xs } = layout(runs, series)
  const head = ['run', 'metric', 'x', 'value', ...xs.map((x) => `x:${x}`), ...params.map((p) => `param:${p}`), ...PROVENANCE]
  const lines = [head.map(csvCell).join(',')]
  let lastRun: Run | null = null
  let tail = ''
  for (const row of longRows(runs, series)) {
    if (row.run !== lastRun) {
      lastRun = row.run
      const prov = provenance(row.run)
      const p = params.map((k) => {
        const v = row.run.params[k]
        return csvCell(v === undefined ? null : typeof v === 'object' ? JSON.stringify(v) : (v as string | number | boolean))
      })
      tail = [...p, ...PROVENANCE.map((k) => csvCell(prov[k]))].join(',')
    }
    const xCells = xs.map((x) => csvCell(row.s.columns[x]?.[row.i]))
    lines.push([csvCell(row.run.id), csvCell(row.metric), csvCell(row.x), csvCell(row.value), ...xCells, tail].join(','))
  }
  return lines.join('\n') + '\n'
}

/**
 * JSON: `runs` (each run's params, seed, provenance, summary, claims, tags, notes) and `rows`
 * in long format as arrays under `columns` (numbers stay numbers; not-recorded values are left out).
 */
export function runsToLongJson(runs: Run[], series: SeriesData[]): string {
  const { xs } = layout(runs, series)
  const rows: (string | number | null)[][] = []
  for (const row of longRows(runs, series)) {
    rows.push([row.run.id, row.metric, row.x, row.value, ...xs.map((x) => {
      const v = row.s.columns[x]?.[row.i]
      return v === undefined || Number.isNaN(v) ? null : v
    })])
  }
  return JSON.stringify({
    format: 'descent-runs-long/1',
    runs: runs.map((r) => ({
      id: r.id,
      params: r.params,
      ...provenance(r),
      summary: r.summary,
      claims: r.claims,
      tags: r.tags,
      notes: r.notes,
    })),
    columns: ['run', 'metric', 'x', 'value', ...xs.map((x) => `x:${x}`)],
    rows,
  })
}

/** The run ids a selection names, in table order; a bad id, project or sweep is an error. */
export function selectionRunIds(store: RunStore, sel: ExportSelection): string[] {
  if (sel.ids) {
    const found = new Set(store.getRuns(sel.ids).map((r) => r.id))
    const missing = sel.ids.filter((id) => !found.has(id))
    if (missing.length) throw new SelectionError(`no run ${missing.join(', ')}`)
    return sel.ids
  }
  if (sel.projectId) {
    if (!store.getProject(sel.projectId)) throw new SelectionError(`no project with id "${sel.projectId}"`)
    return store.listRunIds({ projectId: sel.projectId, sort: 'createdAt', desc: false })
  }
  if (sel.sweepId) {
    const sweep = store.getSweepRow(sel.sweepId)
    if (!sweep) throw new SelectionError(`no sweep with id "${sel.sweepId}"`)
    return sweep.runIds
  }
  throw new SelectionError('give exactly one of ids, projectId or sweepId')
}

export class SelectionError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'SelectionError'
  }
}

const MIME: Record<ExportFormat, string> = { csv: 'text/csv', json: 'application/json', sqlite: 'application/vnd.sqlite3' }

/** The file contents of a selection in one format (text for csv/json, bytes for sqlite). */
export function exportSelection(store: RunStore, runIds: string[], format: ExportFormat): Buffer {
  if (!runIds.length) throw new SelectionError('the selection has no runs')
  if (format === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'descent-export-'))
    try {
      const path = join(dir, 'runs.sqlite')
      exportRuns(store, runIds, path)
      return readFileSync(path)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }
  const runs = store.getRuns(runIds)
  const series = runs.map((r) => store.readSeries(r.id))
  return Buffer.from(format === 'csv' ? runsToLongCsv(runs, series) : runsToLongJson(runs, series))
}

/** A file name saying what was exported, e.g. `descent-3-runs-2026-11-29.csv`. */
export function exportFileName(sel: ExportSelection, count: number, format: ExportFormat, now = new Date()): string {
  const what = sel.sweepId ? `sweep-${sel.sweepId}` : sel.projectId ? `project-${sel.projectId}` : `${count}-runs`
  return `descent-${what}-${now.toISOString().slice(0, 10)}.${format === 'sqlite' ? 'sqlite' : format}`
}

export function exportFile(store: RunStore, sel: ExportSelection, format: ExportFormat): ExportedFile {
  const ids = selectionRunIds(store, sel)
  const bytes = exportSelection(store, ids, format)
  return {
    fileName: exportFileName(sel, ids.length, format),
    mime: MIME[format],
    base64: bytesToBase64(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength)),
    runs: ids.length,
  }
}

/** Merge a run database given as bytes (a file picked or dropped in the renderer). */
export function importBytes(store: RunStore, fileName: string, bytes: Uint8Array): ImportReport {
  const dir = mkdtempSync(join(tmpdir(), 'descent-import-'))
  try {
    const path = join(dir, 'import.sqlite')
    writeFileSync(path, bytes)
    const report = importRuns(store, path)
    return { ...report, source: fileName }
  } catch (err) {
    if (err instanceof StoreError) throw new StoreError(err.message.split(join(dir, 'import.sqlite')).join(fileName))
    throw err
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

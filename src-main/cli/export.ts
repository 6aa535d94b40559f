/**
 * `descent export --runs ID,... | --project NAME | --sweep ID --format csv|json|sqlite --out FILE`:
 * the runs page's export, headless, over the same code (src-main/export/runs.ts).
 */
import { existsSync, writeFileSync } from 'node:fs'
import type { ExportFormat, ExportSelection } from '../../src-shared/runquery'
import { exportSelection, selectionRunIds, SelectionError } from '../export/runs'
import type { Workbench } from '../workbench/workbench'
import { UsageError } from './args'
import type { Io } from './commands'

const ID = /^[A-Za-z0-9_-]{1,64}$/

/** The selection flags as one selection; exactly one of them, each well-formed. */
export function parseSelection(wb: Workbench, a: { runs?: string; project?: string; sweep?: string }): ExportSelection {
  const given = (['runs', 'project', 'sweep'] as const).filter((k) => a[k] !== undefined)
  if (given.length !== 1) {
    throw new UsageError(`export: give exactly one of --runs ID,..., --project NAME or --sweep ID${given.length ? ` (got ${given.map((g) => `--${g}`).join(' and ')})` : ''}`)
  }
  if (a.runs !== undefined) {
    const ids = a.runs.split(',').map((s) => s.trim()).filter(Boolean)
    const bad = ids.filter((id) => !ID.test(id))
    if (!ids.length) throw new UsageError('--runs: expected a comma-separated list of run ids')
    if (bad.length) throw new UsageError(`--runs: ${bad.map((b) => JSON.stringify(b)).join(', ')} is not a run id (letters, digits, _ or -)`)
    return { ids: [...new Set(ids)] }
  }
  if (a.sweep !== undefined) {
    if (!ID.test(a.sweep)) throw new UsageError(`--sweep ${JSON.stringify(a.sweep)}: not a sweep id (letters, digits, _ or -)`)
    return { sweepId: a.sweep }
  }
  // --project: an id, or a project's name when it names exactly one
  const name = a.project!.trim()
  const projects = wb.store.listProjects()
  const byId = projects.find((p) => p.id === name)
  if (byId) return { projectId: byId.id }
  const byName = projects.filter((p) => p.name === name)
  if (byName.length === 1) return { projectId: byName[0].id }
  if (byName.length > 1) throw new UsageError(`--project ${JSON.stringify(name)}: ${byName.length} projects have this name; give an id: ${byName.map((p) => p.id).join(', ')}`)
  throw new UsageError(`--project ${JSON.stringify(name)}: no such project; projects: ${projects.map((p) => `${p.name} (${p.id})`).join(', ')}`)
}

export function cmdExportSelection(
  wb: Workbench,
  a: { runs?: string; project?: string; sweep?: string; format: string; out?: string; json: boolean },
  io: Io,
): number {
  if (a.format !== 'csv' && a.format !== 'json' && a.format !== 'sqlite') throw new UsageError(`--format ${JSON.stringify(a.format)}: expected csv, json or sqlite`)
  const format = a.format as ExportFormat
  if (format === 'sqlite' && !a.out) throw new UsageError('export --format sqlite needs --out FILE')
  if (format === 'sqlite' && existsSync(a.out!)) throw new UsageError(`--out ${a.out}: the file exists; choose a new file name (merge into a database with descent merge)`)
  const selection = parseSelection(wb, a)
  let ids: string[]
  let bytes: Buffer
  try {
    ids = selectionRunIds(wb.store, selection)
    bytes = exportSelection(wb.store, ids, format)
  } catch (err) {
    if (err instanceof SelectionError) throw new UsageError(`export: ${err.message}`)
    throw err
  }
  if (format !== 'sqlite' && !a.out) {
    io.out(bytes.toString('utf8').replace(/\n$/, ''))
    return 0
  }
  // 'wx': a .sqlite appearing meanwhile is not overwritten either
  writeFileSync(a.out!, bytes, { flag: format === 'sqlite' ? 'wx' : 'w' })
  if (a.json) io.out(JSON.stringify({ out: a.out, format, runs: ids.length, bytes: bytes.length }))
  else io.out(`wrote ${ids.length} run${ids.length === 1 ? '' : 's'} to ${a.out} (${format})`)
  return 0
}

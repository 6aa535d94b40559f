/**
 * Moving runs between run databases: export a selection to a self-contained `.sqlite`, import or
 * merge such files back. A file from elsewhere is untrusted: it is opened read-only, its schema
 * version and tables are checked (a view or trigger named like our tables is refused, never run),
 * every row is checked before it is copied, and the copy is one transaction, so a refused file
 * changes nothing in the user's database.
 */
import { existsSync } from 'node:fs'
import Database from 'better-sqlite3'
import { RUN_STATUSES } from '../../src-shared/model'
import { SCHEMA_VERSION } from './schema'
import { RunStore, StoreError } from './store'

const REQUIRED: Record<string, string[]> = {
  projects: ['id', 'name', 'created_at'],
  sweeps: ['id', 'project_id', 'study', 'figure', 'created_at', 'spec', 'claims', 'status'],
  runs: [
    'id', 'project_id', 'sweep_id', 'study', 'figure', 'label', 'params', 'seed', 'params_hash', 'code_hash', 'app_version',
    'platform', 'status', 'created_at', 'started_at', 'ended_at', 'duration_ms', 'progress', 'error', 'error_step', 'summary',
    'claims', 'events', 'tags', 'notes', 'columns', 'points',
  ],
  chunks: ['run_id', 'name', 'start', 'count', 'data'],
}

export interface TransferReport {
  source: string
  runs: number
  skippedExisting: number
  rejected: { id: string; reason: string }[]
}

function openForeign(path: string): Database.Database {
  if (!existsSync(path)) throw new StoreError(`${path}: no such file`)
  let db: Database.Database
  try {
    db = new Database(path, { readonly: true, fileMustExist: true })
    db.pragma('query_only = ON')
    db.pragma('trusted_schema = OFF')
  } catch (err) {
    throw new StoreError(`${path} is not a Descent run database: ${(err as Error).message}`)
  }
  try {
    const version = db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) throw new StoreError(`${path} was written by a newer Descent (schema ${version}; this version reads up to ${SCHEMA_VERSION})`)
    if (version < 1) throw new StoreError(`${path} is not a Descent run database (no schema version)`)
    const check = db.pragma('quick_check', { simple: true })
    if (check !== 'ok') throw new StoreError(`${path} is damaged: ${String(check)}`)
    const objects = db.prepare("SELECT name, type FROM sqlite_master WHERE name IN ('projects', 'sweeps', 'runs', 'chunks')").all() as { name: string; type: string }[]
    for (const [table, cols] of Object.entries(REQUIRED)) {
      const o = objects.find((x) => x.name === table)
      if (!o) throw new StoreError(`${path} is not a Descent run database (no ${table} table)`)
      if (o.type !== 'table') throw new StoreError(`${path}: "${table}" is a ${o.type}, not a table; refused`)
      const have = (db.prepare(`SELECT name FROM pragma_table_info('${table}')`).all() as { name: string }[]).map((c) => c.name)
      const missing = cols.filter((c) => !have.includes(c))
      if (missing.length) throw new StoreError(`${path}: table ${table} lacks ${missing.join(', ')}; refused`)
    }
    return db
  } catch (err) {
    db.close()
    if (err instanceof StoreError) throw err
    throw new StoreError(`${path} is not a Descent run database: ${(err as Error).message}`)
  }
}

function rowProblem(r: Record<string, unknown>): string | null {
  if (typeof r.id !== 'string' || !/^[A-Za-z0-9_-]{1,64}$/.test(r.id)) return 'bad id'
  if (!RUN_STATUSES.includes(r.status as never)) return `unknown status ${JSON.stringify(r.status)}`
  for (const f of ['params', 'summary', 'claims', 'events', 'tags', 'columns']) {
    try {
      JSON.parse(String(r[f]))
    } catch {
      return `field ${f} is not JSON`
    }
  }
  if (!Number.isSafeInteger(r.seed)) return 'bad seed'
  return null
}

/**
 * Copy runs (all, or those in `runIds`) with their projects, sweeps and series from the file at
 * `sourcePath` into `target`. Runs whose id already exists are skipped, so merging is idempotent.
 */
export function importRuns(target: RunStore, sourcePath: string, runIds?: string[]): TransferReport {
  const src = openForeign(sourcePath)
  try {
    const report: TransferReport = { source: sourcePath, runs: 0, skippedExisting: 0, rejected: [] }
    const cols = REQUIRED.runs.join(', ')
    // runs deleted in the source (waiting out their undo window) are not carried over
    const hasDeleted = (src.prepare("SELECT 1 FROM pragma_table_info('runs') WHERE name = 'deleted_at'").get() as unknown) !== undefined
    const live = hasDeleted ? 'deleted_at IS NULL' : '1'
    // Rows are streamed, never all held at once: a file of 100,000 runs imports in bounded memory.
    let wanted: Iterable<Record<string, unknown>>
    if (runIds) {
      const one = src.prepare(`SELECT ${cols} FROM runs WHERE id = ? AND ${live}`)
      const rows = runIds.map((id) => one.get(id) as Record<string, unknown> | undefined)
      const missing = runIds.filter((_, i) => !rows[i])
      if (missing.length) throw new StoreError(`no run ${missing.join(', ')} in ${sourcePath}`)
      wanted = (rows as Record<string, unknown>[]).sort(
        (x, y) => Number(x.created_at) - Number(y.created_at) || (String(x.id) < String(y.id) ? -1 : String(x.id) > String(y.id) ? 1 : 0),
      )
    } else {
      wanted = src.prepare(`SELECT ${cols} FROM runs WHERE ${live} ORDER BY created_at, id`).iterate() as Iterable<Record<string, unknown>>
    }
    const t = target.db
    const hasRun = t.prepare('SELECT 1 FROM runs WHERE id = ?')
    const insProject = t.prepare('INSERT OR IGNORE INTO projects (id, name, created_at) VALUES (?, ?, ?)')
    const insSweep = t.prepare(`INSERT OR IGNORE INTO sweeps (${REQUIRED.sweeps.join(', ')}) VALUES (${REQUIRED.sweeps.map(() => '?').join(', ')})`)
    const insRun = t.prepare(`INSERT INTO runs (${cols}) VALUES (${REQUIRED.runs.map(() => '?').join(', ')})`)
    const insChunk = t.prepare('INSERT INTO chunks (run_id, name, start, count, data) VALUES (?, ?, ?, ?, ?)')
    const getProject = src.prepare('SELECT id, name, created_at FROM projects WHERE id = ?')
    const getSweep = src.prepare(`SELECT ${REQUIRED.sweeps.join(', ')} FROM sweeps WHERE id = ?`)
    const getChunks = src.prepare('SELECT run_id, name, start, count, data FROM chunks WHERE run_id = ?')
    t.transaction(() => {
      for (const r of wanted) {
        const problem = rowProblem(r)
        if (problem) {
          report.rejected.push({ id: String(r.id), reason: problem })
          continue
        }
        if (hasRun.get(r.id)) {
          report.skippedExisting++
          continue
        }
        const p = getProject.get(r.project_id) as { id: string; name: string; created_at: number } | undefined
        insProject.run(r.project_id, p?.name ?? `Imported ${r.project_id}`, p?.created_at ?? Date.now())
        if (r.sweep_id) {
          const s = getSweep.get(r.sweep_id) as Record<string, unknown> | undefined
          if (s) insSweep.run(...REQUIRED.sweeps.map((c) => s[c]))
          else r.sweep_id = null
        }
        // a run imported while it was live elsewhere is not running here
        if (r.status === 'running' || r.status === 'queued') r.status = 'interrupted'
        insRun.run(...REQUIRED.runs.map((c) => r[c]))
        for (const c of getChunks.iterate(r.id) as Iterable<{ run_id: string; name: string; start: number; count: number; data: Buffer }>) {
          if (!Buffer.isBuffer(c.data) || c.data.length !== c.count * 8) continue
          insChunk.run(c.run_id, c.name, c.start, c.count, c.data)
        }
        report.runs++
      }
    })()
    return report
  } finally {
    src.close()
  }
}

/** Write the runs `runIds` of `from` to a new self-contained database at `outPath`. */
export function exportRuns(from: RunStore, runIds: string[], outPath: string): TransferReport {
  if (existsSync(outPath)) throw new StoreError(`${outPath} exists; choose a new file name`)
  from.db.pragma('wal_checkpoint(PASSIVE)')
  const out = new RunStore(outPath)
  try {
    return importRuns(out, from.path, runIds)
  } finally {
    out.close()
  }
}

/**
 * The run history: one SQLite file (WAL) holding projects, sweeps, runs with full provenance,
 * and metric series stored column-major as float64 blobs. All SQL lives in this folder.
 */
import { randomBytes } from 'node:crypto'
import { accessSync, constants, existsSync, mkdirSync } from 'node:fs'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import type { ClaimResult, Params, Project, Run, RunEvent, RunStatus, SeriesData } from '../../src-shared/model'
import type { RunFilter, RunSortKey } from '../../src-shared/runquery'
import { runOrder, runWhere } from './runquery'
import { MIGRATIONS, SCHEMA_VERSION } from './schema'

export class StoreError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'StoreError'
  }
}

let lastMs = 0
let seq = 0

/**
 * A short, time-ordered id, safe in URLs and file names: milliseconds, then a per-process
 * sequence (so ids made in the same millisecond keep their order), then random bits.
 */
export function newId(prefix: string): string {
  const now = Date.now()
  seq = now === lastMs ? seq + 1 : 0
  lastMs = now
  return `${prefix}${now.toString(36)}${seq.toString(36).padStart(3, '0')}${randomBytes(4).toString('hex')}`
}

/** What a new run row needs: its identity and provenance (the rest starts empty). */
export type NewRun = Pick<
  Run,
  'projectId' | 'sweepId' | 'study' | 'figure' | 'label' | 'params' | 'seed' | 'paramsHash' | 'codeHash' | 'appVersion' | 'platform'
> & {
  /** the process that will execute it (see heartbeat) */
  owner?: string
}

/** A page of the runs table: filters (see src-shared/runquery.ts), a sort key, and a window. */
export interface RunQuery extends RunFilter {
  /** a run column or params.NAME / summary.NAME (RunSortKey; checked by the api schema) */
  sort: RunSortKey | string
  desc: boolean
  limit: number
  offset: number
}

interface RunRow {
  id: string
  project_id: string
  sweep_id: string | null
  study: string
  figure: string | null
  label: string | null
  params: string
  seed: number
  params_hash: string
  code_hash: string
  app_version: string
  platform: string
  status: RunStatus
  created_at: number
  started_at: number | null
  ended_at: number | null
  duration_ms: number | null
  progress: number
  error: string | null
  error_step: number | null
  summary: string
  claims: string
  events: string
  tags: string
  notes: string
  columns: string
  points: number
}

function rowToRun(r: RunRow): Run {
  return {
    id: r.id,
    projectId: r.project_id,
    sweepId: r.sweep_id,
    study: r.study,
    figure: r.figure,
    label: r.label,
    params: JSON.parse(r.params) as Params,
    seed: r.seed,
    paramsHash: r.params_hash,
    codeHash: r.code_hash,
    appVersion: r.app_version,
    platform: r.platform,
    status: r.status,
    createdAt: r.created_at,
    startedAt: r.started_at,
    endedAt: r.ended_at,
    durationMs: r.duration_ms,
    progress: r.progress,
    error: r.error,
    errorStep: r.error_step,
    summary: JSON.parse(r.summary) as Record<string, number>,
    claims: JSON.parse(r.claims) as ClaimResult[],
    events: JSON.parse(r.events) as RunEvent[],
    tags: JSON.parse(r.tags) as string[],
    notes: r.notes,
    columns: JSON.parse(r.columns) as string[],
    points: r.points,
  }
}

function toBlob(values: Float64Array): Buffer {
  return Buffer.from(values.buffer, values.byteOffset, values.byteLength)
}

function fromBlob(blob: Buffer, out: Float64Array, at: number): void {
  // copy through a byte view: blobs are not guaranteed to be 8-byte aligned
  new Uint8Array(out.buffer, out.byteOffset + at * 8, blob.length).set(blob)
}

export const DEFAULT_PROJECT_ID = 'default'

function processAlive(pid: number): boolean {
  if (pid === process.pid) return true
  try {
    process.kill(pid, 0)
    return true
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM'
  }
}

export class RunStore {
  readonly db: Database.Database
  readonly path: string

  constructor(path: string, opts: { readonly?: boolean } = {}) {
    this.path = path
    if (path !== ':memory:' && !opts.readonly) mkdirSync(dirname(path), { recursive: true })
    // A file we may not write is refused before SQLite opens it: SQLite would otherwise leave
    // -wal/-shm files with the file's read-only mode behind, and they keep failing after the
    // user makes the database writable again.
    if (path !== ':memory:' && !opts.readonly && existsSync(path)) {
      try {
        accessSync(path, constants.W_OK)
      } catch (err) {
        throw new StoreError(
          `cannot open the run database ${path}: attempt to write a readonly database (${(err as NodeJS.ErrnoException).code}); check the file's permissions`,
        )
      }
    }
    try {
      this.db = new Database(path, { readonly: opts.readonly ?? false, fileMustExist: opts.readonly ?? false })
      this.db.pragma('busy_timeout = 5000')
      if (!opts.readonly) {
        this.db.pragma('journal_mode = WAL')
        this.db.pragma('synchronous = NORMAL')
      }
      this.db.pragma('foreign_keys = ON')
      if (!opts.readonly) this.migrate()
      else this.checkVersion()
    } catch (err) {
      throw new StoreError(`cannot open the run database ${path}: ${(err as Error).message}`)
    }
  }

  private checkVersion(): number {
    const version = this.db.pragma('user_version', { simple: true }) as number
    if (version > SCHEMA_VERSION) {
      throw new StoreError(
        `the database was written by a newer Descent (schema ${version}; this version reads up to ${SCHEMA_VERSION})`,
      )
    }
    return version
  }

  private migrate(): void {
    const version = this.checkVersion()
    for (let v = version; v < SCHEMA_VERSION; v++) {
      this.db.transaction(() => {
        this.db.exec(MIGRATIONS[v])
        this.db.pragma(`user_version = ${v + 1}`)
      })()
    }
    this
      .sql('INSERT OR IGNORE INTO projects (id, name, created_at) VALUES (?, ?, ?)')
      .run(DEFAULT_PROJECT_ID, 'Default', Date.now())
  }

  close(): void {
    if (this.db.open) this.db.close()
  }

  private readonly statements = new Map<string, Database.Statement>()

  /**
   * A prepared statement, cached by its SQL text: preparing costs more than running most of these
   * (profiled: a third of the host's store time under load). Filter/sort queries of the runs table
   * have varying text, so the cache keeps the 256 most recently added.
   */
  private sql(text: string): Database.Statement {
    let stmt = this.statements.get(text)
    if (!stmt) {
      stmt = this.db.prepare(text)
      if (this.statements.size >= 256) this.statements.delete(this.statements.keys().next().value!)
      this.statements.set(text, stmt)
    }
    return stmt
  }

  /** Runs `fn` in one transaction (nested calls become savepoints): many writes, one commit. */
  inTransaction<T>(fn: () => T): T {
    return this.db.transaction(fn)()
  }

  // ------------------------------------------------------------------ projects

  listProjects(): Project[] {
    return (
      this
        .sql(
          `SELECT p.id, p.name, p.created_at AS createdAt, (SELECT count(*) FROM runs r WHERE r.project_id = p.id AND r.deleted_at IS NULL) AS runCount
           FROM projects p ORDER BY p.created_at`,
        )
        .all() as Project[]
    )
  }

  getProject(id: string): Project | null {
    return (
      (this
        .sql(
          `SELECT p.id, p.name, p.created_at AS createdAt, (SELECT count(*) FROM runs r WHERE r.project_id = p.id AND r.deleted_at IS NULL) AS runCount
           FROM projects p WHERE p.id = ?`,
        )
        .get(id) as Project | undefined) ?? null
    )
  }

  createProject(name: string): Project {
    const id = newId('p')
    this.sql('INSERT INTO projects (id, name, created_at) VALUES (?, ?, ?)').run(id, name, Date.now())
    return this.getProject(id)!
  }

  renameProject(id: string, name: string): Project | null {
    this.sql('UPDATE projects SET name = ? WHERE id = ?').run(name, id)
    return this.getProject(id)
  }

  /**
   * Delete a project; its runs and sweeps move to the Default project (deleting runs is a
   * separate, undoable step). Returns 1 when the project existed, and how many runs moved.
   */
  deleteProject(id: string): number {
    return this.deleteProjectMovingRuns(id).deleted
  }

  deleteProjectMovingRuns(id: string): { deleted: number; moved: number } {
    if (id === DEFAULT_PROJECT_ID) throw new StoreError('the Default project cannot be deleted')
    return this.db.transaction(() => {
      const moved = this.sql('UPDATE runs SET project_id = ? WHERE project_id = ?').run(DEFAULT_PROJECT_ID, id).changes
      this.sql('UPDATE sweeps SET project_id = ? WHERE project_id = ?').run(DEFAULT_PROJECT_ID, id)
      const deleted = this.sql('DELETE FROM projects WHERE id = ?').run(id).changes
      return { deleted, moved }
    })()
  }

  // ------------------------------------------------------------------ sweeps

  /** A new sweep; with `id`, the sweep of that id (created once: shards and resumes share it). */
  createSweep(s: { id?: string; projectId: string; study: string; figure: string | null; spec: unknown }): string {
    const id = s.id ?? newId('s')
    this
      .sql('INSERT OR IGNORE INTO sweeps (id, project_id, study, figure, created_at, spec) VALUES (?, ?, ?, ?, ?, ?)')
      .run(id, s.projectId, s.study, s.figure, Date.now(), JSON.stringify(s.spec ?? {}))
    this.sql("UPDATE sweeps SET status = 'running' WHERE id = ?").run(id)
    return id
  }

  /** A finished run of this sweep with these params, seed and study code (a resumed sweep skips it). */
  findDoneRun(sweepId: string, paramsHash: string, seed: number, codeHash: string): string | null {
    const row = this
      .sql("SELECT id FROM runs WHERE sweep_id = ? AND params_hash = ? AND seed = ? AND code_hash = ? AND status = 'done' AND deleted_at IS NULL LIMIT 1")
      .get(sweepId, paramsHash, seed, codeHash) as { id: string } | undefined
    return row?.id ?? null
  }

  getSweepRow(id: string):
    | { id: string; projectId: string; study: string; figure: string | null; createdAt: number; spec: unknown; claims: ClaimResult[]; status: 'running' | 'done'; runIds: string[] }
    | null {
    const row = this
      .sql('SELECT id, project_id, study, figure, created_at, spec, claims, status FROM sweeps WHERE id = ?')
      .get(id) as
      | { id: string; project_id: string; study: string; figure: string | null; created_at: number; spec: string; claims: string; status: 'running' | 'done' }
      | undefined
    if (!row) return null
    const runIds = (this.sql('SELECT id FROM runs WHERE sweep_id = ? AND deleted_at IS NULL ORDER BY created_at, id').all(id) as { id: string }[]).map((r) => r.id)
    return {
      id: row.id,
      projectId: row.project_id,
      study: row.study,
      figure: row.figure,
      createdAt: row.created_at,
      spec: JSON.parse(row.spec),
      claims: JSON.parse(row.claims) as ClaimResult[],
      status: row.status,
      runIds,
    }
  }

  listSweepIds(projectId?: string): string[] {
    const rows = projectId
      ? this.sql('SELECT id FROM sweeps WHERE project_id = ? ORDER BY created_at DESC').all(projectId)
      : this.sql('SELECT id FROM sweeps ORDER BY created_at DESC').all()
    return (rows as { id: string }[]).map((r) => r.id)
  }

  finishSweep(id: string, claims: ClaimResult[]): void {
    this.sql("UPDATE sweeps SET claims = ?, status = 'done' WHERE id = ?").run(JSON.stringify(claims), id)
  }

  // ------------------------------------------------------------------ runs

  createRun(r: NewRun): Run {
    const id = newId('r')
    this.sql(
      `INSERT INTO runs (id, project_id, sweep_id, study, figure, label, params, seed, params_hash, code_hash,
         app_version, platform, status, created_at, owner)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', ?, ?)`,
    ).run(id, r.projectId, r.sweepId, r.study, r.figure, r.label, JSON.stringify(r.params), r.seed, r.paramsHash, r.codeHash, r.appVersion, r.platform, Date.now(), r.owner ?? null)
    return this.getRun(id)!
  }

  getRun(id: string): Run | null {
    const row = this.sql('SELECT * FROM runs WHERE id = ?').get(id) as RunRow | undefined
    return row ? rowToRun(row) : null
  }

  getRuns(ids: string[]): Run[] {
    const stmt = this.sql('SELECT * FROM runs WHERE id = ?')
    return ids.map((id) => stmt.get(id) as RunRow | undefined).filter((r): r is RunRow => !!r).map(rowToRun)
  }

  /** One page of the runs table (filtered and sorted in SQL) and how many runs match in all. */
  listRuns(q: RunQuery): { runs: Run[]; total: number } {
    const where = runWhere(q)
    const order = runOrder(q.sort, q.desc)
    const total = (this.sql(`SELECT count(*) AS n FROM runs ${where.sql}`).get(...where.args) as { n: number }).n
    // sort ids only (small sort records), then read the page's rows by id
    const ids = (
      this.sql(`SELECT id FROM runs ${where.sql} ${order.sql} LIMIT ? OFFSET ?`).all(...where.args, ...order.args, q.limit, q.offset) as { id: string }[]
    ).map((r) => r.id)
    return { runs: this.getRuns(ids), total }
  }

  /** The ids of every run matching a filter, in table order ("select all matching"); at most `max`. */
  listRunIds(q: RunFilter & { sort?: RunSortKey | string; desc?: boolean }, max = 100_000): string[] {
    const where = runWhere(q)
    const order = runOrder(q.sort ?? 'createdAt', q.desc ?? true)
    return (
      this.sql(`SELECT id FROM runs ${where.sql} ${order.sql} LIMIT ?`).all(...where.args, ...order.args, max) as { id: string }[]
    ).map((r) => r.id)
  }

  markStarted(id: string, at: number): void {
    this.sql("UPDATE runs SET status = 'running', started_at = ? WHERE id = ?").run(at, id)
  }

  /** This process's liveness, written every second while it may own runs. */
  heartbeat(owner: string): void {
    this
      .sql(
        'INSERT INTO owners (id, host, pid, heartbeat_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at',
      )
      .run(owner, hostname(), process.pid, Date.now())
  }

  releaseOwner(owner: string): void {
    this.sql('DELETE FROM owners WHERE id = ?').run(owner)
  }

  /**
   * Append one batch of recorded rows (every column `count` values) in one transaction, so a
   * batch is on disk entirely or not at all. Called about ten times a second per running run.
   */
  appendBatch(id: string, start: number, count: number, columns: Record<string, Float64Array>, progress: number, newEvents: RunEvent[]): void {
    const insert = this.sql('INSERT INTO chunks (run_id, name, start, count, data) VALUES (?, ?, ?, ?, ?)')
    this.db.transaction(() => {
      for (const [name, values] of Object.entries(columns)) insert.run(id, name, start, count, toBlob(values))
      const run = this.sql('SELECT columns, events FROM runs WHERE id = ?').get(id) as { columns: string; events: string }
      const known = JSON.parse(run.columns) as string[]
      let cols = run.columns
      const added = Object.keys(columns).filter((c) => !known.includes(c))
      if (added.length) cols = JSON.stringify([...known, ...added])
      const events = newEvents.length ? JSON.stringify([...(JSON.parse(run.events) as RunEvent[]), ...newEvents]) : run.events
      this
        .sql('UPDATE runs SET points = ?, progress = ?, columns = ?, events = ? WHERE id = ?')
        .run(start + count, progress, cols, events, id)
    })()
  }

  finishRun(
    id: string,
    f: { status: RunStatus; endedAt: number; durationMs: number | null; error: string | null; errorStep: number | null; summary: Record<string, number>; claims: ClaimResult[] },
  ): void {
    this.db.transaction(() => {
      this
        .sql(
          `UPDATE runs SET status = ?, ended_at = ?, duration_ms = ?, error = ?, error_step = ?, summary = ?, claims = ?,
             progress = CASE WHEN ? = 'done' THEN 1 ELSE progress END WHERE id = ?`,
        )
        .run(f.status, f.endedAt, f.durationMs, f.error, f.errorStep, JSON.stringify(f.summary), JSON.stringify(f.claims), f.status, id)
      this.compact(id)
    })()
  }

  /** Merge a run's chunks into one chunk per column (reads then touch one row per column). */
  compact(id: string): void {
    const names = (this.sql('SELECT DISTINCT name FROM chunks WHERE run_id = ?').all(id) as { name: string }[]).map((r) => r.name)
    const points = (this.sql('SELECT points FROM runs WHERE id = ?').get(id) as { points: number } | undefined)?.points ?? 0
    for (const name of names) {
      const parts = this.sql('SELECT count(*) AS n FROM chunks WHERE run_id = ? AND name = ?').get(id, name) as { n: number }
      if (parts.n <= 1) continue
      const values = this.readColumn(id, name, points)
      this.sql('DELETE FROM chunks WHERE run_id = ? AND name = ?').run(id, name)
      this.sql('INSERT INTO chunks (run_id, name, start, count, data) VALUES (?, ?, 0, ?, ?)').run(id, name, points, toBlob(values))
    }
  }

  private readColumn(id: string, name: string, length: number): Float64Array {
    const out = new Float64Array(length).fill(NaN)
    const rows = this
      .sql('SELECT start, count, data FROM chunks WHERE run_id = ? AND name = ? ORDER BY start')
      .all(id, name) as { start: number; count: number; data: Buffer }[]
    for (const r of rows) {
      if (r.start + r.count > length || r.data.length !== r.count * 8) continue // torn tail: ignore
      fromBlob(r.data, out, r.start)
    }
    return out
  }

  /** A run's stored series; `names` limits the columns read. */
  readSeries(id: string, names?: string[]): SeriesData {
    const run = this.sql('SELECT columns, points FROM runs WHERE id = ?').get(id) as { columns: string; points: number } | undefined
    if (!run) throw new StoreError(`no run ${id}`)
    const all = JSON.parse(run.columns) as string[]
    const wanted = names ? names.filter((n) => all.includes(n)) : all
    const columns: Record<string, Float64Array> = {}
    for (const name of wanted) columns[name] = this.readColumn(id, name, run.points)
    return { runId: id, length: run.points, columns }
  }

  updateRunMeta(id: string, m: { tags?: string[]; notes?: string }): void {
    if (m.tags) this.sql('UPDATE runs SET tags = ? WHERE id = ?').run(JSON.stringify([...new Set(m.tags)]), id)
    if (m.notes !== undefined) this.sql('UPDATE runs SET notes = ? WHERE id = ?').run(m.notes, id)
  }

  /**
   * Delete runs, undoably: they are hidden at once (deleted_at = now) and removed for good by
   * purgeDeleted once the undo window has passed. A crash inside the window loses nothing: the
   * rows stay hidden and the next start purges them only if the window is over.
   */
  deleteRuns(ids: string[], at = Date.now()): number {
    const del = this.sql('UPDATE runs SET deleted_at = ? WHERE id = ? AND deleted_at IS NULL')
    return this.db.transaction(() => ids.reduce((n, id) => n + del.run(at, id).changes, 0))()
  }

  /** Undo a deletion that has not been purged yet; returns how many runs came back. */
  restoreRuns(ids: string[]): number {
    const undo = this.sql('UPDATE runs SET deleted_at = NULL WHERE id = ? AND deleted_at IS NOT NULL')
    return this.db.transaction(() => ids.reduce((n, id) => n + undo.run(id).changes, 0))()
  }

  /** Remove (with their series) runs deleted at or before `before` (epoch ms). */
  purgeDeleted(before: number): number {
    return this.sql('DELETE FROM runs WHERE deleted_at IS NOT NULL AND deleted_at <= ?').run(before).changes
  }

  /** Move runs to another project; returns how many moved. */
  moveRuns(ids: string[], projectId: string): number {
    if (!this.getProject(projectId)) throw new StoreError(`no project with id "${projectId}"`)
    const mv = this.sql('UPDATE runs SET project_id = ? WHERE id = ? AND deleted_at IS NULL')
    return this.db.transaction(() => ids.reduce((n, id) => n + mv.run(projectId, id).changes, 0))()
  }

  /**
   * At start-up: runs left `running` or `queued` by a process that stopped beating (a crash, a
   * kill) become `interrupted`, keeping the metrics that reached disk. Runs owned by another
   * live process sharing the file are left alone. Returns how many were marked.
   */
  markInterrupted(staleMs = 5000): number {
    const cutoff = Date.now() - staleMs
    // An owner on this machine whose process is gone is dead at once (a restart right after a
    // kill must not wait for its heartbeat to age); elsewhere only the heartbeat tells.
    const here = hostname()
    const dead = (this.sql('SELECT id, host, pid, heartbeat_at FROM owners').all() as { id: string; host: string; pid: number; heartbeat_at: number }[])
      .filter((o) => o.heartbeat_at < cutoff || (o.host === here && !processAlive(o.pid)))
      .map((o) => o.id)
    const del = this.sql('DELETE FROM owners WHERE id = ?')
    for (const id of dead) del.run(id)
    const ids = (
      this
        .sql(
          `SELECT r.id FROM runs r LEFT JOIN owners o ON o.id = r.owner
           WHERE r.status IN ('running', 'queued') AND o.id IS NULL`,
        )
        .all() as { id: string }[]
    ).map((r) => r.id)
    const now = Date.now()
    this.db.transaction(() => {
      for (const id of ids) {
        this
          .sql(
            "UPDATE runs SET status = 'interrupted', ended_at = ?, error = coalesce(error, 'the app stopped while this run was in progress') WHERE id = ?",
          )
          .run(now, id)
        this.compact(id)
      }
    })()
    return ids.length
  }
}

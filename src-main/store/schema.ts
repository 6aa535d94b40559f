/**
 * Versioned migrations of the run history. `PRAGMA user_version` holds the schema version;
 * each migration runs once, in a transaction. A database from a newer Descent (a higher
 * version than we know) is refused rather than guessed at.
 */
export const MIGRATIONS: readonly string[] = [
  // 1: projects, sweeps, runs, metric chunks
  `
  CREATE TABLE projects (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
  CREATE TABLE sweeps (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    study TEXT NOT NULL,
    figure TEXT,
    created_at INTEGER NOT NULL,
    spec TEXT NOT NULL DEFAULT '{}',
    claims TEXT NOT NULL DEFAULT '[]',
    status TEXT NOT NULL DEFAULT 'running'
  );
  CREATE TABLE runs (
    id TEXT PRIMARY KEY,
    project_id TEXT NOT NULL REFERENCES projects(id) ON DELETE CASCADE,
    sweep_id TEXT REFERENCES sweeps(id) ON DELETE SET NULL,
    study TEXT NOT NULL,
    figure TEXT,
    label TEXT,
    params TEXT NOT NULL,
    seed INTEGER NOT NULL,
    params_hash TEXT NOT NULL,
    code_hash TEXT NOT NULL,
    app_version TEXT NOT NULL,
    platform TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    started_at INTEGER,
    ended_at INTEGER,
    duration_ms REAL,
    progress REAL NOT NULL DEFAULT 0,
    error TEXT,
    error_step REAL,
    summary TEXT NOT NULL DEFAULT '{}',
    claims TEXT NOT NULL DEFAULT '[]',
    events TEXT NOT NULL DEFAULT '[]',
    tags TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    columns TEXT NOT NULL DEFAULT '[]',
    points INTEGER NOT NULL DEFAULT 0,
    owner TEXT
  );
  -- Processes (desktop app, web host, CLI) that share this file and own running runs. Each
  -- beats every second while it lives; a run whose owner stopped beating was interrupted.
  CREATE TABLE owners (
    id TEXT PRIMARY KEY,
    host TEXT NOT NULL,
    pid INTEGER NOT NULL,
    heartbeat_at INTEGER NOT NULL
  );
  CREATE INDEX runs_project_created ON runs(project_id, created_at);
  CREATE INDEX runs_study ON runs(study);
  CREATE INDEX runs_status ON runs(status);
  CREATE INDEX runs_sweep ON runs(sweep_id);
  -- Metric series, column-major: one row holds a contiguous slice of one column as raw
  -- little-endian float64 bytes. Live runs append a chunk per batch (~10 a second); a finished
  -- run's chunks are compacted into one chunk per column, so reading a series is one row per column.
  CREATE TABLE chunks (
    run_id TEXT NOT NULL REFERENCES runs(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    start INTEGER NOT NULL,
    count INTEGER NOT NULL,
    data BLOB NOT NULL,
    PRIMARY KEY (run_id, name, start)
  ) WITHOUT ROWID;
  `,
  // 2: delete with undo (a deleted run is hidden until purged), and an index for the runs
  // table's count and default order
  `
  ALTER TABLE runs ADD COLUMN deleted_at INTEGER;
  -- every listing filters on deleted_at IS NULL: this index counts them alone and serves the
  -- default order (newest first, ties by id) without a sort step; purge ranges over it too
  CREATE INDEX runs_live_created ON runs(deleted_at, created_at, id);
  `,
]

export const SCHEMA_VERSION = MIGRATIONS.length

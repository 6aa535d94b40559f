/**
 * Test helpers for fault tests: a seeded random source (every test prints its seed), byte-level
 * snapshots of a run database read through a separate read-only connection, and the probe
 * study's wall-clock column (when each stored row was recorded).
 */
import { createHash } from 'node:crypto'
import { existsSync } from 'node:fs'
import Database from 'better-sqlite3'

/** mulberry32: small, seeded, reproducible; enough to pick kill moments. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0
  return () => {
    a = (a + 0x6d2b79f5) >>> 0
    let t = a
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

/** The seed of a fault test: DESCENT_FAULT_SEED when given (to replay a failure), else fixed. */
export function faultSeed(fallback: number): number {
  const s = process.env.DESCENT_FAULT_SEED
  return s && /^\d+$/.test(s) ? Number(s) : fallback
}

export interface RunRecord {
  id: string
  status: string
  sweepId: string | null
  startedAt: number | null
  points: number
  /** sha256 over the run row (every column) and its chunks (name, start, count, bytes) */
  digest: string
}

const TERMINAL = new Set(['done', 'failed', 'diverged', 'cancelled', 'interrupted'])

export function openReadOnly(path: string): Database.Database {
  const db = new Database(path, { readonly: true, fileMustExist: true })
  db.pragma('busy_timeout = 5000')
  return db
}

/** Every run in the file, each with a digest of its row and series bytes. */
export function snapshot(path: string): Map<string, RunRecord> {
  if (!existsSync(path)) return new Map()
  const db = openReadOnly(path)
  try {
    const out = new Map<string, RunRecord>()
    const chunks = db.prepare('SELECT name, start, count, data FROM chunks WHERE run_id = ? ORDER BY name, start')
    for (const r of db.prepare('SELECT * FROM runs ORDER BY id').all() as Record<string, unknown>[]) {
      const h = createHash('sha256').update(JSON.stringify(r))
      for (const c of chunks.all(r.id) as { name: string; start: number; count: number; data: Buffer }[]) {
        h.update(`${c.name}\0${c.start}\0${c.count}\0`).update(c.data)
      }
      out.set(r.id as string, {
        id: r.id as string,
        status: r.status as string,
        sweepId: (r.sweep_id as string | null) ?? null,
        startedAt: (r.started_at as number | null) ?? null,
        points: r.points as number,
        digest: h.digest('hex'),
      })
    }
    return out
  } finally {
    db.close()
  }
}

export function isTerminalStatus(status: string): boolean {
  return TERMINAL.has(status)
}

/** The newest stored value of the probe's `clock` column (ms since 1970), or null without rows. */
export function lastClock(path: string, runId: string): number | null {
  const db = openReadOnly(path)
  try {
    const rows = db.prepare("SELECT start, count, data FROM chunks WHERE run_id = ? AND name = 'clock' ORDER BY start").all(runId) as {
      start: number
      count: number
      data: Buffer
    }[]
    let last: number | null = null
    for (const r of rows) {
      if (r.data.length !== r.count * 8 || r.count === 0) continue
      const v = Buffer.from(r.data).readDoubleLE((r.count - 1) * 8)
      last = last === null ? v : Math.max(last, v)
    }
    return last
  } finally {
    db.close()
  }
}

export function integrity(path: string): string {
  const db = openReadOnly(path)
  try {
    return String(db.pragma('integrity_check', { simple: true }))
  } finally {
    db.close()
  }
}

/** Peak resident set size of a live process (VmHWM, Linux), in MiB; null where /proc is absent. */
export async function peakRssMiB(pid: number): Promise<number | null> {
  const { readFile } = await import('node:fs/promises')
  try {
    const status = await readFile(`/proc/${pid}/status`, 'utf8')
    const m = /VmHWM:\s+(\d+) kB/.exec(status)
    return m ? Number(m[1]) / 1024 : null
  } catch {
    return null
  }
}

import { writeFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { tempDb } from '../testing/host'
import { SCHEMA_VERSION } from './schema'
import { RunStore, StoreError } from './store'

const newRun = (store: RunStore, owner?: string) =>
  store.createRun({
    projectId: 'default', sweepId: null, study: 's', figure: null, label: null, params: { a: 1 }, seed: 2,
    paramsHash: 'p', codeHash: 'c', appVersion: '0.0.0', platform: 'test', owner,
  })

describe('RunStore', () => {
  it('creates the schema at the current version with WAL and a Default project', () => {
    const path = tempDb()
    const store = new RunStore(path)
    expect(store.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION)
    expect(store.db.pragma('journal_mode', { simple: true })).toBe('wal')
    expect(store.listProjects().map((p) => p.name)).toEqual(['Default'])
    store.close()
    // reopening migrates nothing and keeps the data
    const again = new RunStore(path)
    expect(again.listProjects()).toHaveLength(1)
    again.close()
  })

  it('refuses a database written by a newer Descent, naming both versions, and leaves it untouched', () => {
    const path = tempDb()
    const raw = new Database(path)
    raw.pragma(`user_version = ${SCHEMA_VERSION + 5}`)
    raw.close()
    expect(() => new RunStore(path)).toThrow(`schema ${SCHEMA_VERSION + 5}; this version reads up to ${SCHEMA_VERSION}`)
    const check = new Database(path)
    expect(check.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 5)
    check.close()
  })

  it('refuses a file that is not a database with a clear error', () => {
    const path = tempDb()
    writeFileSync(path, Buffer.alloc(4096, 7))
    expect(() => new RunStore(path)).toThrow(StoreError)
    expect(() => new RunStore(path)).toThrow(/cannot open the run database .*: file is not a database/)
  })

  it('stores batches column-wise, compacts them at the end, and reads them back exactly', () => {
    const store = new RunStore(tempDb())
    const run = newRun(store)
    const a = Float64Array.from({ length: 7 }, (_, i) => Math.PI * i)
    store.appendBatch(run.id, 0, 4, { iteration: Float64Array.of(0, 1, 2, 3), f: a.subarray(0, 4) }, 0.4, [])
    store.appendBatch(run.id, 4, 3, { iteration: Float64Array.of(4, 5, 6), f: a.subarray(4), g: Float64Array.of(1, 2, 3) }, 0.9, [{ name: 'fix', iteration: 5 }])
    const live = store.readSeries(run.id)
    expect(Array.from(live.columns.f)).toEqual(Array.from(a))
    // a column that started late is NaN before its first batch
    expect(Array.from(live.columns.g).slice(0, 4).every(Number.isNaN)).toBe(true)
    store.finishRun(run.id, { status: 'done', endedAt: 1, durationMs: 2, error: null, errorStep: null, summary: { f: 1 }, claims: [] })
    const chunks = store.db.prepare('SELECT count(*) AS n FROM chunks WHERE run_id = ?').get(run.id) as { n: number }
    expect(chunks.n).toBe(3)
    const done = store.getRun(run.id)!
    expect(done.points).toBe(7)
    expect(done.progress).toBe(1)
    expect(done.events).toEqual([{ name: 'fix', iteration: 5 }])
    expect(done.columns).toEqual(['iteration', 'f', 'g'])
    expect(Buffer.from(store.readSeries(run.id, ['f']).columns.f.buffer).equals(Buffer.from(a.buffer))).toBe(true)
    store.close()
  })

  it('marks runs of a dead process interrupted, and leaves those of a live one alone', () => {
    const path = tempDb()
    const store = new RunStore(path)
    store.heartbeat('alive')
    const mine = newRun(store, 'alive')
    const orphan = newRun(store, 'gone')
    store.db.prepare('INSERT INTO owners (id, host, pid, heartbeat_at) VALUES (?, ?, ?, ?)').run('gone', 'elsewhere', 1, Date.now() - 60_000)
    store.markStarted(mine.id, Date.now())
    store.markStarted(orphan.id, Date.now())
    store.appendBatch(orphan.id, 0, 2, { iteration: Float64Array.of(0, 1) }, 0.1, [])
    expect(store.markInterrupted()).toBe(1)
    expect(store.getRun(orphan.id)!.status).toBe('interrupted')
    expect(store.getRun(orphan.id)!.points).toBe(2)
    expect(store.getRun(mine.id)!.status).toBe('running')
    store.close()
  })

  it('filters, searches, sorts and paginates runs in SQL', () => {
    const store = new RunStore(tempDb())
    const ids = Array.from({ length: 25 }, () => newRun(store).id)
    store.updateRunMeta(ids[3], { tags: ['needle'] })
    const page = store.listRuns({ sort: 'createdAt', desc: false, limit: 10, offset: 20 })
    expect(page.total).toBe(25)
    expect(page.runs.map((r) => r.id)).toEqual(ids.slice(20))
    expect(store.listRuns({ search: 'needle', sort: 'createdAt', desc: true, limit: 10, offset: 0 }).runs.map((r) => r.id)).toEqual([ids[3]])
    expect(store.listRuns({ search: '%', sort: 'createdAt', desc: true, limit: 10, offset: 0 }).total).toBe(0)
    store.close()
  })
})

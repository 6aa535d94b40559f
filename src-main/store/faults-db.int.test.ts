/**
 * The run database locked by another process, read-only, and on a full disk, through the CLI
 * and through the web host's api (what the UI calls):
 * - each gives a clear error naming the file and the cause (CLI: exit 1; api: ApiError 'storage');
 * - nothing is written partially (a run keeps exactly its committed batches; integrity ok;
 *   finished runs byte-identical);
 * - the next write succeeds once the cause is gone, without a restart.
 *
 * How each is made without special privileges:
 * - locked: a second better-sqlite3 connection holds `BEGIN EXCLUSIVE` (the app waits its 5 s
 *   busy timeout, then reports);
 * - read-only: the file is chmod 444. As root (CI) permissions do not stop writes, so the CLI is
 *   then run as user `nobody` (uid 65534), for whom they do;
 * - full: the process's file-size limit (RLIMIT_FSIZE, set with util-linux `prlimit`, lowered on
 *   the running web host and raised again) makes writes past 64 KiB fail as they would on a full
 *   disk (SQLite reports a write I/O error; on a real full disk it reports SQLITE_FULL; both get
 *   the same message).
 */
import { execFileSync, spawnSync } from 'node:child_process'
import { chmodSync, existsSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import type { Run } from '../../src-shared/model'
import { integrity, snapshot } from '../testing/faults'
import { BIN, runCli, startServe, tempDb, WsClient } from '../testing/host'

const isRoot = process.getuid?.() === 0

/** The run's stored rows agree with its row count: no torn or partial batch. */
function consistent(db: string, id: string): { points: number; stored: number } {
  const c = new Database(db, { readonly: true })
  const points = (c.prepare('SELECT points FROM runs WHERE id = ?').get(id) as { points: number }).points
  const per = c.prepare('SELECT name, sum(count) AS n FROM chunks WHERE run_id = ? GROUP BY name').all(id) as { name: string; n: number }[]
  c.close()
  for (const p of per) expect(p.n, `column ${p.name}`).toBe(points)
  return { points, stored: per[0]?.n ?? 0 }
}

function holdLock(db: string): () => void {
  const holder = new Database(db)
  holder.pragma('busy_timeout = 5000')
  holder.exec('BEGIN EXCLUSIVE')
  return () => {
    holder.exec('COMMIT')
    holder.close()
  }
}

describe('the run database locked, read-only or full: via the CLI', () => {
  it('locked by another process: exit 1 naming the file and the lock; works once released', { timeout: 120_000 }, async () => {
    const db = tempDb()
    expect((await runCli(['run', 'probe', '--set', 'T=10', '--db', db])).code).toBe(0)
    const before = snapshot(db)
    const release = holdLock(db)
    const t0 = performance.now()
    const r = await runCli(['run', 'probe', '--set', 'T=10', '--db', db])
    const waited = performance.now() - t0
    release()
    expect(r.code).toBe(1)
    expect(r.stderr).toContain(db)
    expect(r.stderr).toMatch(/database is locked/)
    expect(snapshot(db)).toEqual(before)
    const ok = await runCli(['run', 'probe', '--set', 'T=10', '--db', db])
    expect(ok.code, ok.stderr).toBe(0)
    expect(integrity(db)).toBe('ok')
    console.log(`locked (CLI): "${r.stderr.trim()}" after ${(waited / 1000).toFixed(1)} s`)
  })

  it('read-only: exit 1 naming the file and "readonly"; nothing changed; works once writable', { timeout: 120_000 }, async () => {
    const db = tempDb()
    expect((await runCli(['run', 'probe', '--set', 'T=10', '--db', db])).code).toBe(0)
    const before = snapshot(db)
    // this test's own read-only checks (as root) leave -wal/-shm beside the file: make them the user's too
    const companions = () => [`${db}-wal`, `${db}-shm`].filter((f) => existsSync(f)).forEach((f) => chmodSync(f, 0o666))
    companions()
    const asUser = isRoot ? ['--reuid=65534', '--regid=65534', '--clear-groups'] : null
    const cli = (args: string[]) => {
      const env = { ...process.env, DESCENT_PROBE_STUDY: '1' }
      return asUser
        ? spawnSync('setpriv', [...asUser, process.execPath, BIN, ...args], { env, encoding: 'utf8' })
        : spawnSync(process.execPath, [BIN, ...args], { env, encoding: 'utf8' })
    }
    chmodSync(dirname(db), 0o777)
    chmodSync(db, 0o444)
    const r = cli(['run', 'probe', '--set', 'T=10', '--db', db])
    expect(r.status).toBe(1)
    expect(r.stderr).toContain(db)
    expect(r.stderr).toMatch(/readonly database/)
    expect(snapshot(db)).toEqual(before)
    chmodSync(db, 0o666)
    companions()
    const ok = cli(['run', 'probe', '--set', 'T=10', '--db', db])
    expect(ok.status, ok.stderr).toBe(0)
    expect(integrity(db)).toBe('ok')
    console.log(`read-only (CLI${isRoot ? ', as nobody' : ''}): "${r.stderr.trim()}"`)
  })

  it('full (file-size limit): the run fails naming the file and the cause, keeps its committed batches; the next run works', { timeout: 120_000 }, async () => {
    const db = tempDb()
    expect((await runCli(['run', 'probe', '--set', 'T=10', '--db', db])).code).toBe(0)
    const before = snapshot(db)
    new Database(db).close()
    const r = spawnSync('prlimit', ['--fsize=65536', process.execPath, BIN, 'run', 'probe', '--set', 'T=1000000', '--set', 'busyUs=20', '--json', '--db', db], {
      env: { ...process.env, DESCENT_PROBE_STUDY: '1' },
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(r.status, r.stderr).toBe(1)
    expect(r.stdout, r.stderr).not.toBe('')
    const doc = JSON.parse(r.stdout) as { id: string; status: string; error: string }
    expect(doc.status).toBe('failed')
    expect(doc.error).toContain(`could not store metrics: the run database ${db} could not be written: the disk is full or the file reached its size limit`)
    const { points } = consistent(db, doc.id)
    for (const [id, rec] of before) expect(snapshot(db).get(id)).toEqual(rec)
    expect(integrity(db)).toBe('ok')
    const ok = await runCli(['run', 'probe', '--set', 'T=10', '--db', db])
    expect(ok.code, ok.stderr).toBe(0)
    console.log(`full (CLI): run ${doc.status}, "${doc.error}"; ${points} rows kept, every column complete`)
  })
})

describe('the run database locked or full: via the web host api (what the UI shows)', () => {
  it('locked: ApiError "storage" naming the file; full: the live run fails, calls refused; both recover without a restart', { timeout: 180_000 }, async () => {
    const db = tempDb()
    const host = await startServe(db)
    const client = await WsClient.connect(host.port, host.token)
    const until = (id: string, pred: (r: Run) => boolean) => client.waitFor<Run>('runs:status', (r) => r.id === id && pred(r), 60_000)
    try {
      const first = await client.call<Run>('runs:start', { study: 'probe', params: { T: 10 } })
      await until(first.id, (r) => r.status === 'done')
      const before = snapshot(db)

      // locked
      const release = holdLock(db)
      const err = await client.call('runs:start', { study: 'probe', params: { T: 10 } }).catch((e: Error & { code?: string }) => e)
      release()
      expect((err as { code?: string }).code).toBe('storage')
      expect((err as Error).message).toBe(`the run database ${db} is locked by another process (database is locked); close the other program or try again`)
      expect(snapshot(db)).toEqual(before)
      const again = await client.call<Run>('runs:start', { study: 'probe', params: { T: 10 } })
      expect((await until(again.id, (r) => r.status === 'done')).points).toBe(10)

      // full: lower the running host's file-size limit under a live run, then raise it again
      const live = await client.call<Run>('runs:start', { study: 'probe', params: { T: 1_000_000, busyUs: 20 } })
      await until(live.id, (r) => r.points > 0)
      execFileSync('prlimit', ['--pid', String(host.proc.pid), '--fsize=65536:unlimited'])
      let failed: Run
      let refused: unknown
      try {
        failed = await until(live.id, (r) => r.status === 'failed')
        refused = await client.call('projects:create', { name: 'written while full' }).catch((e: unknown) => e)
      } finally {
        execFileSync('prlimit', ['--pid', String(host.proc.pid), '--fsize=unlimited:unlimited'])
      }
      expect(failed.error).toContain(`could not store metrics: the run database ${db} could not be written: the disk is full or the file reached its size limit`)
      const { points } = consistent(db, live.id)
      if (refused instanceof Error) expect((refused as { code?: string }).code).toBe('storage')
      expect(integrity(db)).toBe('ok')
      for (const [id, rec] of before) expect(snapshot(db).get(id)).toEqual(rec)
      // recovered: the next run is stored in full, without a restart
      const after = await client.call<Run>('runs:start', { study: 'probe', params: { T: 10 } })
      expect((await until(after.id, (r) => r.status === 'done')).points).toBe(10)
      console.log(
        `api: locked -> "${(err as Error).message}"; full -> run failed "${failed.error}", ${points} rows kept; ${refused instanceof Error ? `a write call refused: "${refused.message}"` : 'a small write call still fit'}`,
      )
    } finally {
      client.close()
      await host.stop()
    }
  })
})

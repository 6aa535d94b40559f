/**
 * Untrusted `.sqlite` files given to `descent merge` (the same importRuns the app's import uses):
 * - a huge file (25,000 runs of 512 float64 values, ~110 MB) is imported with a report, the CLI's peak RSS measured
 *   and bounded; the same file from a newer schema is refused without touching the target;
 * - a file with triggers on its tables and views over them: nothing from it is executed or
 *   copied into the user's database (no trigger fires, no schema object arrives).
 */
import { spawn } from 'node:child_process'
import { copyFileSync, statSync } from 'node:fs'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { RunStore } from './store'
import { snapshot } from '../testing/faults'
import { BIN, runCli, tempDb } from '../testing/host'

const RUNS = 25_000

/** `n` finished probe runs with one series of `points` values each, written in two statements. */
function fillRuns(path: string, n: number, prefix: string, points = 100): void {
  const store = new RunStore(path)
  store.db.exec(`
    WITH RECURSIVE k(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM k WHERE i < ${n - 1})
    INSERT INTO runs (id, project_id, study, params, seed, params_hash, code_hash, app_version, platform, status, created_at,
                      progress, summary, columns, points)
    SELECT printf('${prefix}%07d', i), 'default', 'probe', '{"T":100}', i, 'h' || i, 'code', '0.1.0', 'linux', 'done',
           1700000000000 + i, 1, '{"x":0.5}', '["x"]', ${points} FROM k;
    INSERT INTO chunks (run_id, name, start, count, data) SELECT id, 'x', 0, ${points}, randomblob(${points * 8}) FROM runs WHERE id LIKE '${prefix}%';
  `)
  store.close()
}

/** The user's database as bytes that matter: every run's digest and every schema object. */
function userState(path: string) {
  const db = new Database(path, { readonly: true })
  const schema = db.prepare('SELECT type, name, sql FROM sqlite_master ORDER BY name').all()
  const counts = ['projects', 'sweeps', 'runs', 'chunks'].map((t) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n)
  db.close()
  return { schema, counts, runs: [...snapshot(path).values()] }
}

/** Run the CLI, sampling its peak RSS (VmHWM) until it exits. */
async function cliWithPeak(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string; peakMiB: number }> {
  const proc = spawn(process.execPath, [BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  let peakMiB = 0
  proc.stdout.on('data', (d) => (stdout += d))
  proc.stderr.on('data', (d) => (stderr += d))
  const { readFileSync } = await import('node:fs')
  const timer = setInterval(() => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${proc.pid}/status`, 'utf8'))
      if (m) peakMiB = Math.max(peakMiB, Number(m[1]) / 1024)
    } catch {
      /* exited */
    }
  }, 20)
  const code = await new Promise<number | null>((r) => proc.on('exit', r))
  clearInterval(timer)
  return { code, stdout, stderr, peakMiB }
}

describe('importing untrusted run databases', () => {
  it('imports a 25,000-run, 100 MB file with a report and bounded memory; refuses a newer-schema copy without touching the target', { timeout: 300_000 }, async () => {
    const big = tempDb('big.sqlite')
    const t0 = performance.now()
    fillRuns(big, RUNS, 'rbig', 512)
    const mb = statSync(big).size / 2 ** 20
    const user = tempDb('user.sqlite')
    fillRuns(user, 3, 'rmine')

    const newer = tempDb('newer.sqlite')
    copyFileSync(big, newer)
    const n = new Database(newer)
    n.pragma('user_version = 99')
    n.close()
    const before = userState(user)
    const refused = await cliWithPeak(['merge', user, newer])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toContain(`${newer} was written by a newer Descent (schema 99`)
    expect(userState(user)).toEqual(before)

    const merged = await cliWithPeak(['merge', user, big, '--json'])
    expect(merged.code, merged.stderr).toBe(0)
    const report = JSON.parse(merged.stdout) as { inputs: { runs: number; skippedExisting: number; rejected: unknown[] }[] }
    expect(report.inputs[0]).toMatchObject({ runs: RUNS, skippedExisting: 0, rejected: [] })
    const after = userState(user)
    expect(after.counts[2]).toBe(RUNS + 3)
    expect(after.counts[3]).toBe(RUNS + 3)
    // the user's own runs are untouched
    for (const r of before.runs) expect(after.runs.find((x) => x.id === r.id)).toEqual(r)
    const check = new Database(user, { readonly: true })
    expect(check.pragma('integrity_check', { simple: true })).toBe('ok')
    check.close()
    console.log(
      `huge import: ${mb.toFixed(0)} MB file of ${RUNS} runs made in ${((performance.now() - t0) / 1000).toFixed(1)} s; merge peak RSS ${merged.peakMiB.toFixed(0)} MiB; refusal (newer schema) peak RSS ${refused.peakMiB.toFixed(0)} MiB`,
    )
    // bounded: rows are streamed, not held (the file alone is ~100 MB)
    expect(merged.peakMiB).toBeLessThan(300)
  })

  it('never runs or copies triggers and views of the imported file', async () => {
    const evil = tempDb('evil.sqlite')
    fillRuns(evil, 5, 'revil')
    const e = new Database(evil)
    e.exec(`
      CREATE TABLE pwned (what TEXT);
      CREATE TRIGGER evil_runs_insert AFTER INSERT ON runs BEGIN INSERT INTO pwned VALUES ('runs insert'); END;
      CREATE TRIGGER evil_runs_update AFTER UPDATE ON runs BEGIN INSERT INTO pwned VALUES ('runs update'); END;
      CREATE TRIGGER evil_chunks_insert AFTER INSERT ON chunks BEGIN INSERT INTO pwned VALUES ('chunks insert'); END;
      CREATE TRIGGER evil_projects_delete BEFORE DELETE ON projects BEGIN SELECT RAISE(ABORT, 'pwned'); END;
      CREATE VIEW evil_view AS SELECT load_extension('/tmp/evil.so') AS x FROM runs;
    `)
    e.close()
    const user = tempDb('user.sqlite')
    fillRuns(user, 2, 'rmine')
    const before = userState(user)
    const r = await runCli(['merge', user, evil, '--json'])
    expect(r.code, r.stderr).toBe(0)
    expect(JSON.parse(r.stdout).inputs[0]).toMatchObject({ runs: 5, rejected: [] })
    const after = userState(user)
    // no schema object of the file arrived, and the user's own schema is as it was
    expect(after.schema).toEqual(before.schema)
    expect(after.counts[2]).toBe(7)
    const u = new Database(user, { readonly: true })
    expect(u.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type IN ('trigger', 'view') OR name = 'pwned'").get()).toEqual({ n: 0 })
    u.close()
    // and the file itself was only read: its trap table is still empty
    const e2 = new Database(evil, { readonly: true })
    expect(e2.prepare('SELECT count(*) AS n FROM pwned').get()).toEqual({ n: 0 })
    e2.close()
  })
})

/**
 * Sweeps from the CLI: a grid times seeds, resume runs only what is missing, and `--shard I/N`
 * slices merged with `descent merge` equal the sweep run on one machine. Untrusted databases
 * given to merge are refused without touching the target.
 */
import { writeFileSync } from 'node:fs'
import Database from 'better-sqlite3'
import { describe, expect, it } from 'vitest'
import { SCHEMA_VERSION } from '../store/schema'
import { runCli, tempDb } from '../testing/host'

type RunDoc = { id: string; params: Record<string, unknown>; seed: number; summary: Record<string, number>; status: string }
const sweepArgs = ['sweep', 'probe', '--grid', 'rho=0.5,0.9', '--grid', 'T=20,40', '--seeds', '0..2', '--json']

async function sweep(db: string, extra: string[] = []) {
  const r = await runCli([...sweepArgs, ...extra, '--db', db])
  expect(r.stderr).toBe('')
  expect(r.code).toBe(0)
  return JSON.parse(r.stdout) as { sweep: string; planned: number; skipped: number; runs: RunDoc[] }
}

const key = (r: RunDoc) => `${r.params.rho}|${r.params.T}|${r.seed}`

describe('descent sweep', () => {
  it('runs a grid times seeds and, re-issued, runs only what is missing', async () => {
    const db = tempDb()
    const first = await sweep(db)
    expect(first.planned).toBe(12)
    expect(first.skipped).toBe(0)
    expect(new Set(first.runs.map(key)).size).toBe(12)
    const again = await sweep(db)
    expect(again.sweep).toBe(first.sweep)
    expect(again.skipped).toBe(12)
    expect(again.runs.map((r) => r.id).sort()).toEqual(first.runs.map((r) => r.id).sort())
  })

  it('splits into disjoint shards whose merge equals the whole sweep', async () => {
    const whole = await sweep(tempDb())
    const a = tempDb()
    const b = tempDb()
    const s1 = await sweep(a, ['--shard', '1/2'])
    const s2 = await sweep(b, ['--shard', '2/2'])
    expect(s1.runs.length + s2.runs.length).toBe(12)
    expect(new Set([...s1.runs, ...s2.runs].map(key)).size).toBe(12)
    const out = tempDb()
    const merged = await runCli(['merge', out, a, b, '--json'])
    expect(merged.code).toBe(0)
    expect(JSON.parse(merged.stdout).inputs.map((i: { runs: number }) => i.runs)).toEqual([s1.runs.length, s2.runs.length])
    const list = JSON.parse((await runCli(['runs', '--json', '--limit', '100', '--db', out])).stdout) as { total: number; runs: RunDoc[] }
    expect(list.total).toBe(12)
    const byKey = new Map(whole.runs.map((r) => [key(r), r]))
    for (const r of list.runs) expect(r.summary.x).toBe(byKey.get(key(r))!.summary.x)
    // merging again is idempotent
    const twice = JSON.parse((await runCli(['merge', out, a, '--json'])).stdout)
    expect(twice.inputs[0]).toMatchObject({ runs: 0, skippedExisting: s1.runs.length })
  })

  it.each([
    [['--grid', 'rho=0.5,7'], /--grid rho: param "rho": 7 is above the maximum/],
    [['--grid', 'nope=1'], /--grid nope: unknown param; allowed: T, rho/],
    [['--random', 'rho=1:0'], /--random rho: expected finite lo < hi/],
    [['--random', 'fault=0:1'], /only number and integer params can be sampled/],
    [['--grid', 'rho=0.5', '--seeds', '3..x'], /--seeds "3..x": expected A..B or a comma list/],
    [['--grid', 'rho=0.5', '--shard', '3/2'], /--shard "3\/2": expected I\/N with 1 ≤ I ≤ N/],
    [[], /give at least one --grid/],
  ])('%j is refused with a message naming the problem', async (args, message) => {
    const r = await runCli(['sweep', 'probe', ...(args as string[]), '--db', tempDb()])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message as RegExp)
  })
})

describe('descent merge with untrusted files', () => {
  const target = tempDb()
  const setup = runCli(['run', 'probe', '--set', 'T=5', '--json', '--db', target])

  function bad(kind: string): string {
    const path = tempDb(`${kind}.sqlite`)
    if (kind === 'random') writeFileSync(path, Buffer.from(Array.from({ length: 8192 }, (_, i) => (i * 7919) % 251)))
    else if (kind === 'truncated') writeFileSync(path, Buffer.from('SQLite format 3\0' + 'x'.repeat(50)))
    else {
      const db = new Database(path)
      if (kind === 'newer') db.pragma('user_version = 99')
      if (kind === 'other-schema') db.exec('CREATE TABLE people (name TEXT); PRAGMA user_version = 1')
      if (kind === 'view') {
        db.exec(`CREATE TABLE projects (id, name, created_at); CREATE TABLE sweeps (id, project_id, study, figure, created_at, spec, claims, status);
          CREATE TABLE chunks (run_id, name, start, count, data); CREATE VIEW runs AS SELECT 1 AS id; PRAGMA user_version = 1`)
      }
      db.close()
    }
    return path
  }

  it.each([
    ['random', /is not a Descent run database|file is not a database/],
    ['truncated', /is not a Descent run database|damaged|malformed/],
    ['newer', new RegExp(`written by a newer Descent \\(schema 99; this version reads up to ${SCHEMA_VERSION}\\)`)],
    ['other-schema', /is not a Descent run database \(no projects table\)/],
    ['view', /"runs" is a view, not a table; refused/],
  ])('refuses a %s file and leaves the target unchanged', async (kind, message) => {
    await setup
    const before = JSON.parse((await runCli(['runs', '--json', '--db', target])).stdout).total
    const r = await runCli(['merge', target, bad(kind)])
    expect(r.code).toBe(1)
    expect(r.stderr).toMatch(message)
    expect(JSON.parse((await runCli(['runs', '--json', '--db', target])).stdout).total).toBe(before)
  })
})

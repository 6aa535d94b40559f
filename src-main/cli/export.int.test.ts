/**
 * `descent export --runs | --project | --sweep` on the built CLI: long-format CSV and JSON with
 * params and provenance, a .sqlite that merges back with the same runs, and clear errors
 * (exit 2) naming the flag for bad selections and formats.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { RunStore } from '../store/store'
import { runCli, tempDb } from '../testing/host'
import { insertSyntheticRuns } from '../testing/runs'

const db = tempDb()
const seeded = new RunStore(db)
const project = seeded.createProject('paper A')
const ids = insertSyntheticRuns(seeded, 4, { projectId: project.id, points: 3 })
const sweepId = seeded.createSweep({ projectId: 'default', study: 'probe', figure: null, spec: {} })
const sweepRuns = insertSyntheticRuns(seeded, 2, { sweepId, points: 2 })
seeded.close()
const cli = (...args: string[]) => runCli([...args, '--db', db])

describe('descent export (selections)', () => {
  it('writes checked runs as long-format CSV: run, metric, x, value, params, provenance', async () => {
    const out = `${db}.csv`
    const r = await cli('export', '--runs', `${ids[0]},${ids[1]}`, '--format', 'csv', '--out', out)
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    expect(r.stdout).toContain(`wrote 2 runs to ${out}`)
    const lines = readFileSync(out, 'utf8').trim().split('\n')
    expect(lines[0]).toBe('run,metric,x,value,param:lr,param:width,seed,study,status,project,sweep,label,params_hash,code_hash,app_version,platform,created_at')
    // 2 runs × 1 metric (loss) × 3 iterations
    expect(lines).toHaveLength(1 + 6)
    const first = lines[1].split(',')
    expect(first.slice(0, 4)).toEqual([ids[0], 'loss', '0', '1'])
    expect(first.slice(4, 8)).toEqual(['1', '0', '0', 'probe'])
    expect(first[9]).toBe(project.id)
    // full float64 round trip: run 1 has loss (1+1)·0.5^2
    expect(lines[6].split(',').slice(0, 4)).toEqual([ids[1], 'loss', '2', '0.5'])
  })

  it('writes a project by name as long-format JSON', async () => {
    const r = await cli('export', '--project', 'paper A', '--format', 'json')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.format).toBe('descent-runs-long/1')
    expect(doc.runs.map((x: { id: string }) => x.id)).toEqual(ids)
    expect(doc.runs[2]).toMatchObject({ params: { lr: 0.01, width: 2 }, seed: 2, code_hash: 'c0', summary: { finalLoss: 0.003 } })
    expect(doc.columns).toEqual(['run', 'metric', 'x', 'value'])
    expect(doc.rows).toHaveLength(12)
    expect(doc.rows[3]).toEqual([ids[1], 'loss', 0, 2])
  })

  it('writes a self-contained .sqlite that merges into an empty database with the same runs', async () => {
    const out = `${db}.export.sqlite`
    const r = await cli('export', '--project', project.id, '--format', 'sqlite', '--out', out, '--json')
    expect(r.code).toBe(0)
    expect(JSON.parse(r.stdout)).toMatchObject({ out, format: 'sqlite', runs: 4 })
    const fresh = tempDb()
    const merged = await runCli(['merge', fresh, out, '--json'])
    expect(merged.code).toBe(0)
    expect(JSON.parse(merged.stdout).inputs[0]).toMatchObject({ runs: 4, skippedExisting: 0 })
    const again = await runCli(['merge', fresh, out, '--json'])
    expect(JSON.parse(again.stdout).inputs[0]).toMatchObject({ runs: 0, skippedExisting: 4 })
    const a = new RunStore(db, { readonly: true })
    const b = new RunStore(fresh, { readonly: true })
    for (const id of ids) {
      expect(b.getRun(id)).toEqual(a.getRun(id))
      expect(b.readSeries(id)).toEqual(a.readSeries(id))
    }
    a.close()
    b.close()
    // the file is not overwritten by a second export
    const twice = await cli('export', '--runs', ids[0], '--format', 'sqlite', '--out', out)
    expect(twice.code).toBe(2)
    expect(twice.stderr).toContain('the file exists')
  })

  it('writes a sweep', async () => {
    const r = await cli('export', '--sweep', sweepId, '--format', 'json')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc.runs.map((x: { id: string; sweep: string }) => [x.id, x.sweep])).toEqual(sweepRuns.map((id) => [id, sweepId]))
    expect(doc.rows).toHaveLength(2 * 2)
  })

  it('refuses bad selections and formats with exit 2, naming the flag', async () => {
    const cases: [string[], string][] = [
      [['export', '--format', 'csv'], 'expected one or more RUN ids, or --runs ID,..., --project NAME or --sweep ID, got nothing'],
      [['export', '--runs', ids[0], '--sweep', 'sx'], '(got --runs and --sweep)'],
      [['export', '--runs', 'a b', '--format', 'csv'], '--runs: "a b" is not a run id'],
      [['export', '--runs', 'rnope', '--format', 'csv'], 'export: no run rnope'],
      [['export', '--project', 'nope'], '--project "nope": no such project; projects: Default (default), paper A'],
      [['export', '--sweep', 'snope'], 'no sweep with id "snope"'],
      [['export', '--runs', ids[0], '--format', 'xlsx'], '--format "xlsx": expected csv, json or sqlite'],
      [['export', '--runs', ids[0], '--format', 'sqlite'], 'export --format sqlite needs --out FILE'],
      [['export', ids[0], '--runs', ids[0]], 'expected no RUN arguments with --runs, --project or --sweep'],
    ]
    for (const [args, message] of cases) {
      const r = await cli(...args)
      expect(r.code, args.join(' ')).toBe(2)
      expect(r.stderr, args.join(' ')).toContain(message)
    }
  })
})

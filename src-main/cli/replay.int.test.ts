/**
 * The built `descent replay`: a stored run re-run with its params and seed gives bit-identical
 * curves (max |Δ| exactly 0), the wall clock is reported as not compared, and a bad id is a
 * clear error.
 */
import { describe, expect, it } from 'vitest'
import { runCli, tempDb } from '../testing/host'

const db = tempDb()

describe('descent replay', () => {
  it('re-runs a run and reports max |Δ| = 0 over every deterministic column', async () => {
    const first = await runCli(['run', 'probe', '--set', 'T=300', '--set', 'rho=0.7', '--seed', '3', '--json', '--db', db])
    expect(first.code).toBe(0)
    const id = JSON.parse(first.stdout).id as string
    const r = await runCli(['replay', id, '--json', '--db', db])
    expect(r.stderr).toBe('')
    expect(r.code).toBe(0)
    const doc = JSON.parse(r.stdout)
    expect(doc).toMatchObject({ runId: id, status: 'done', maxAbsDiff: 0, rows: 300, rowsOld: 300, rowsNew: 300, codeHashMatches: true, platformMatches: true })
    expect(doc.newRunId).not.toBe(id)
    expect(doc.perMetric).toEqual({ iteration: 0, 'oracle:grad': 0, x: 0, pair: 0 })
    expect([...doc.excluded].sort()).toEqual(['clock', 'wallMs'])
    const shown = await runCli(['show', doc.newRunId, '--json', '--db', db])
    expect(JSON.parse(shown.stdout)).toMatchObject({ seed: 3, params: { T: 300, rho: 0.7 } })
  }, 120_000)

  it('names the run it cannot find', async () => {
    const r = await runCli(['replay', 'nosuchrun', '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(/no run with id "nosuchrun"/)
  }, 60_000)
})

/**
 * The built `descent` command: the --json shapes scripts rely on, and clear errors (exit 2)
 * for unknown studies, flags, params and out-of-range values.
 */
import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { runCli, tempDb } from '../testing/host'

const db = tempDb()

describe('descent CLI', () => {
  it('studies --json lists every study in the documented shape', async () => {
    const r = await runCli(['studies', '--json'])
    expect(r.code).toBe(0)
    const list = JSON.parse(r.stdout) as Record<string, unknown>[]
    const probe = list.find((s) => s.id === 'probe')!
    expect(probe).toEqual({
      id: 'probe',
      title: expect.any(String),
      paper: { title: 'none', authors: 'Descent tests', year: 2026, arxiv: '0000.00000' },
      params: {
        T: { type: 'integer', default: 100, min: 1, max: 10_000_000 },
        rho: { type: 'number', default: 0.9, min: 0, max: 2 },
        busyUs: { type: 'number', default: 0, min: 0, max: 1e6 },
        fault: { type: 'choice', default: 'none', choices: ['none', 'throw', 'nan', 'oom', 'hang'] },
        faultAt: { type: 'integer', default: 10, min: 0, max: 10_000_000 },
      },
      metrics: ['x', 'pair', 'clock'],
      figures: [{ id: 'two-rates', title: 'Two contraction factors' }],
      claims: [
        { id: 'contracts', text: 'x_T < 1 for ρ < 1', scope: 'run' },
        { id: 'fast-beats-slow', text: 'ρ = 0.5 ends below ρ = 0.9', scope: 'figure' },
      ],
    })
  })

  it('run --json prints one run document and stores it', async () => {
    const r = await runCli(['run', 'probe', '--set', 'T=50', '--set', 'rho=0.5', '--seed', '4', '--json', '--db', db])
    expect(r.code).toBe(0)
    const run = JSON.parse(r.stdout)
    expect(run).toEqual({
      id: expect.any(String),
      study: 'probe',
      status: 'done',
      seed: 4,
      params: { T: 50, rho: 0.5, busyUs: 0, fault: 'none', faultAt: 10 },
      summary: expect.objectContaining({ x: expect.any(Number), iterations: 49 }),
      claims: [{ id: 'contracts', text: 'x_T < 1 for ρ < 1', passed: true, measured: expect.any(String) }],
      durationMs: expect.any(Number),
    })
    const shown = await runCli(['show', run.id, '--json', '--db', db])
    expect(JSON.parse(shown.stdout).provenance.codeHash).toMatch(/^[0-9a-f]{16}$/)
    const listed = await runCli(['runs', '--json', '--db', db])
    expect(JSON.parse(listed.stdout).runs.map((x: { id: string }) => x.id)).toContain(run.id)
  })

  it('reproduce --json prints the figure, its runs and its claims', async () => {
    const one = await runCli(['reproduce', 'probe', '--figure', 'two-rates', '--seed', '1', '--json', '--db', db])
    expect(one.code).toBe(0)
    const doc = JSON.parse(one.stdout)
    expect(doc.study).toBe('probe')
    expect(doc.figure).toBe('two-rates')
    expect(doc.runs.map((r: { label: string }) => r.label)).toEqual(['fast', 'slow'])
    expect(doc.claims).toEqual([expect.objectContaining({ id: 'fast-beats-slow', passed: true })])
    const every = await runCli(['reproduce', 'probe', '--json', '--db', db])
    expect(Array.isArray(JSON.parse(every.stdout))).toBe(true)
  })

  it('exports series as CSV and JSON', async () => {
    const r = JSON.parse((await runCli(['run', 'probe', '--set', 'T=5', '--json', '--db', db])).stdout)
    const csv = await runCli(['export', r.id, '--format', 'csv', '--db', db])
    const lines = csv.stdout.trim().split('\n')
    expect(lines[0]).toBe('run,iteration,wallMs,oracle:grad,x,pair[0],pair[1],clock')
    expect(lines).toHaveLength(6)
    const out = `${db}.json`
    await runCli(['export', r.id, '--format', 'json', '--out', out, '--db', db])
    const doc = JSON.parse(readFileSync(out, 'utf8'))
    expect(doc.series.columns.iteration).toEqual([0, 1, 2, 3, 4])
  })

  it.each([
    [['run', 'nope'], /unknown study "nope"; available: .*probe/],
    [['run', 'probe', '--bogus'], /Unknown option '--bogus'; allowed flags: .*--set/],
    [['run', 'probe', '--set', 'gamma=1'], /--set gamma: unknown param of probe; allowed: T, rho, busyUs, fault, faultAt/],
    [['run', 'probe', '--set', 'rho=7'], /param "rho": 7 is above the maximum; allowed: a number in \[0, 2\]/],
    [['run', 'probe', '--set', 'T=ten'], /--set T=ten: not a valid integer/],
    [['run', 'probe', '--set', 'fault=meteor'], /param "fault": "meteor" is not a choice; allowed: one of "none", "throw"/],
    [['run', 'probe', '--seed=-3'], /--seed "-3": expected an integer in \[0, 2147483647\]/],
    [['run', 'probe', '--seed', '1.5'], /--seed "1.5": expected an integer/],
    [['reproduce', 'probe', '--figure', 'fig9'], /unknown figure of probe; available: two-rates/],
    [['frobnicate'], /unknown command "frobnicate"/],
    [['show'], /show: expected one RUN id/],
  ])('%j exits 2 with a message naming the problem', async (args, message) => {
    const r = await runCli([...(args as string[]), '--db', db])
    expect(r.code).toBe(2)
    expect(r.stderr).toMatch(message as RegExp)
    expect(r.stdout).toBe('')
  })

  it('reports a failed run with exit 1 and its step', async () => {
    const r = await runCli(['run', 'probe', '--set', 'fault=throw', '--set', 'faultAt=7', '--json', '--db', db])
    expect(r.code).toBe(1)
    const run = JSON.parse(r.stdout)
    expect(run.status).toBe('failed')
    expect(run.errorStep).toBe(6)
    expect(run.error).toContain('probe fault at iteration 7 (after iteration 6)')
  })
})

import { describe, expect, it } from 'vitest'
import { defineStudy, param } from './define'
import { runLocal } from './harness'
import { Recorder } from './recorder'

const toy = defineStudy({
  id: 'toy',
  title: 'toy',
  paper: { title: 't', authors: 'a', year: 2000, arxiv: '0000.00000' },
  summary: 's',
  params: { T: param.integer({ label: 'T', help: 'iterations', default: 50, min: 1, max: 1000 }) },
  metrics: { x: { label: 'x', scale: 'log' }, sv: { label: 'sv', scale: 'log', vector: true } },
  oracles: { grad: 'gradient evaluations' },
  charts: [{ kind: 'series', id: 'x', title: 'x', y: ['x'], logY: true }],
  claims: [
    {
      id: 'small',
      text: 'x ≤ 1e-3 at the end',
      scope: 'run',
      check: (run) => ({ passed: run.last('x') <= 1e-3, measured: `x = ${run.last('x')}` }),
    },
  ],
  solve(p, ctx) {
    let x = 1
    for (let t = 0; t < p.T; t++) {
      ctx.count('grad')
      ctx.record(t, { x, sv: [x, 2 * x] })
      x *= 0.5 + 0.01 * ctx.rng.uniform()
    }
  },
})

describe('Recorder', () => {
  // rows at t = 0, 30, …, 270 ms; a flush fires on the first record ≥ 100 ms after the last one
  it('batches rows column-wise with iteration, wall time and oracle counters', () => {
    let now = 0
    const batches: { start: number; count: number; columns: Record<string, Float64Array> }[] = []
    const rec = new Recorder({
      seed: 1,
      oracles: ['grad'],
      isCancelled: () => false,
      onBatch: (b) => batches.push(b),
      flushIntervalMs: 100,
      now: () => now,
    })
    for (let t = 0; t < 10; t++) {
      rec.count('grad', 2)
      rec.record(t, { f: t * t })
      now += 30
    }
    rec.flush()
    expect(batches.map((b) => b.count)).toEqual([5, 4, 1])
    expect(batches[1].start).toBe(5)
    expect(Array.from(batches[0].columns['oracle:grad'])).toEqual([2, 4, 6, 8, 10])
    expect(Array.from(batches[2].columns.f)).toEqual([81])
  })

  it('ends the run as diverged, naming the metric and the iteration, on a non-finite value', async () => {
    const bad = { ...toy, solve: (_: unknown, ctx: { record: (t: number, v: Record<string, number>) => void }) => {
      ctx.record(0, { x: 1 })
      ctx.record(1, { x: Infinity })
    } }
    const r = await runLocal(bad as never, {}, 0)
    expect(r.status).toBe('diverged')
    expect(r.error).toBe('x became Infinity at iteration 1')
  })

  it('reports a solver that throws before its first record as failed, with an empty summary', async () => {
    const early = { ...toy, solve: () => { throw new Error('bad setup') } }
    const r = await runLocal(early as never, {}, 0)
    expect(r.status).toBe('failed')
    expect(r.error).toBe('bad setup (before the first recorded iteration)')
    expect(r.summary).toEqual({})
    expect(r.claims[0]).toMatchObject({ passed: false, measured: expect.stringContaining('not evaluable') })
  })

  it('gives bit-identical metrics for the same seed and different ones for another seed', async () => {
    const a = await runLocal(toy, { T: 40 }, 7)
    const b = await runLocal(toy, { T: 40 }, 7)
    const c = await runLocal(toy, { T: 40 }, 8)
    expect(Buffer.from(a.columns.x.buffer).equals(Buffer.from(b.columns.x.buffer))).toBe(true)
    expect(Buffer.from(a.columns.x.buffer).equals(Buffer.from(c.columns.x.buffer))).toBe(false)
    expect(a.columns['sv[1]'][3]).toBe(2 * a.columns['sv[0]'][3])
    expect(a.claims).toEqual([{ id: 'small', text: 'x ≤ 1e-3 at the end', passed: true, measured: expect.stringMatching(/^x = /) }])
    expect(a.summary.iterations).toBe(39)
    expect(a.summary['oracle:grad']).toBe(40)
  })
})

import { describe, expect, it } from 'vitest'
import type { ClaimResult, Run } from '../../../src-shared/model'
import {
  aggregateValues,
  commonGrid,
  groupByParams,
  interpolateAt,
  latestPerConfig,
  measuredNumber,
  median,
  medianBand,
  parseValueKeyId,
  phaseGrid,
  quantileSorted,
  runValue,
  valueKeyId,
  valueKeysOf,
  type SweepRun,
} from './aggregate'

let nextId = 0
function run(params: Record<string, number | string>, seed: number, status: Run['status'] = 'done', summary: Record<string, number> = {}, claims: ClaimResult[] = []): SweepRun {
  return { id: `r${nextId++}`, params, seed, paramsHash: JSON.stringify(params), status, summary, claims, createdAt: nextId }
}

describe('quantiles', () => {
  it('interpolates linearly between order statistics (numpy default)', () => {
    const v = [1, 2, 3, 4]
    expect(quantileSorted(v, 0.5)).toBe(2.5)
    expect(quantileSorted(v, 0.25)).toBe(1.75)
    expect(quantileSorted(v, 0.75)).toBe(3.25)
    expect(quantileSorted([7], 0.25)).toBe(7)
    expect(quantileSorted([], 0.5)).toBeNaN()
    expect(median([5, NaN, 1, 3])).toBe(3)
  })
})

describe('grouping', () => {
  it('groups runs by param point, all seeds together', () => {
    const runs = [run({ a: 1 }, 0), run({ a: 2 }, 0), run({ a: 1 }, 1)]
    const g = groupByParams(runs)
    expect(g.map((x) => x.runs.map((r) => r.seed))).toEqual([[0, 1], [0]])
    expect(g[0].params).toEqual({ a: 1 })
  })

  it('keeps one run per (params, seed): the finished one, then the newest', () => {
    const cancelled = run({ a: 1 }, 0, 'cancelled')
    const redo = run({ a: 1 }, 0, 'done')
    const other = run({ a: 1 }, 1, 'interrupted')
    const later = run({ a: 1 }, 1, 'queued')
    expect(latestPerConfig([cancelled, redo, other, later]).map((r) => r.id)).toEqual([redo.id, later.id])
  })
})

describe('median band over seeds', () => {
  it('uses the shared x values when every curve has them, and takes quantiles per x', () => {
    const x = [0, 1, 2]
    const curves = [
      { x, y: [1, 2, 3] },
      { x, y: [3, 4, 5] },
      { x, y: [2, 9, 4] },
    ]
    const b = medianBand(curves, { logX: false, logY: false })
    expect([...b.x]).toEqual(x)
    expect([...b.median]).toEqual([2, 4, 4])
    expect([...b.q1]).toEqual([1.5, 3, 3.5])
    expect([...b.q3]).toEqual([2.5, 6.5, 4.5])
    expect([...b.n]).toEqual([3, 3, 3])
  })

  it('interpolates onto a common grid without extrapolating past a curve', () => {
    const b = medianBand(
      [
        { x: [0, 10], y: [0, 10] },
        { x: [0, 5], y: [2, 7] },
      ],
      { logX: false, logY: false, points: 3 },
    )
    expect([...b.x]).toEqual([0, 5, 10])
    expect([...b.n]).toEqual([2, 2, 1])
    expect([...b.median]).toEqual([1, 6, 10])
  })

  it('on log axes interpolates and takes quantiles in log space', () => {
    // y = 10^-x sampled at x = 0 and 2: log interpolation gives exactly 0.1 at x = 1
    expect(interpolateAt({ x: [0, 2], y: [1, 0.01] }, 1, false, true)).toBeCloseTo(0.1, 15)
    expect(interpolateAt({ x: [0, 2], y: [1, 0.01] }, 1, false, false)).toBeCloseTo(0.505, 15)
    // log x: halfway between 1 and 100 in log is 10
    expect(interpolateAt({ x: [1, 100], y: [0, 2] }, 10, true, false)).toBeCloseTo(1, 15)
    const g = commonGrid([{ x: [1, 1000], y: [1, 1] }, { x: [1, 10, 100], y: [1, 1, 1] }], 4, true)
    expect([...g].map((v) => Math.round(v * 1e9) / 1e9)).toEqual([1, 10, 100, 1000])
    // quartiles of 1e-1, 1e-3 in log space: geometric interpolation
    const b = medianBand(
      [
        { x: [0], y: [1e-1] },
        { x: [0], y: [1e-3] },
      ],
      { logX: false, logY: true },
    )
    expect(b.median[0]).toBeCloseTo(1e-2, 15)
    expect(b.q1[0]).toBeCloseTo(10 ** -2.5, 15)
  })

  it('gives NaN where no curve covers a grid point', () => {
    expect(interpolateAt({ x: [1, 2], y: [1, 2] }, 3, false, false)).toBeNaN()
    const b = medianBand([], { logX: false, logY: false })
    expect(b.x.length).toBe(0)
  })
})

describe('run values', () => {
  const claims: ClaimResult[] = [{ id: 'c', text: 'x small', passed: true, measured: 'x_T = 3.1e-11 < 1e-8' }]
  it('reads a summary value, a claim outcome and the number a claim measured', () => {
    const r = run({ a: 1 }, 0, 'done', { loss: 0.5 }, claims)
    expect(runValue(r, { kind: 'summary', key: 'loss' })).toBe(0.5)
    expect(runValue(r, { kind: 'summary', key: 'nope' })).toBeNaN()
    expect(runValue(r, { kind: 'claim', id: 'c', part: 'passed' })).toBe(1)
    expect(runValue(r, { kind: 'claim', id: 'c', part: 'measured' })).toBe(3.1e-11)
    expect(measuredNumber('no numbers')).toBeNaN()
    expect(valueKeysOf([r]).map(valueKeyId)).toEqual(['summary:loss', 'claim:c:passed', 'claim:c:measured'])
    expect(parseValueKeyId('claim:c:passed')).toEqual({ kind: 'claim', id: 'c', part: 'passed' })
    expect(parseValueKeyId('summary:a:b')).toEqual({ kind: 'summary', key: 'a:b' })
  })

  it('aggregates a claim outcome as the pass fraction and anything else by the median', () => {
    expect(aggregateValues([1, 0, 1, 1], { kind: 'claim', id: 'c', part: 'passed' })).toBe(0.75)
    expect(aggregateValues([1, 0, 1, 1], { kind: 'summary', key: 'k' })).toBe(1)
    expect(aggregateValues([NaN], { kind: 'summary', key: 'k' })).toBeNaN()
  })
})

describe('phase grid', () => {
  it('has one cell per param pair with the median over seeds, and counts failed and diverged runs', () => {
    const runs = [
      // eta × width, 2 seeds; (0.1, 8) has one diverged seed; (1, 16) both failed
      run({ eta: 0.1, width: 8 }, 0, 'done', { loss: 1 }),
      run({ eta: 0.1, width: 8 }, 1, 'diverged', { loss: NaN }),
      run({ eta: 0.01, width: 8 }, 0, 'done', { loss: 3 }),
      run({ eta: 0.01, width: 8 }, 1, 'done', { loss: 5 }),
      run({ eta: 0.01, width: 16 }, 0, 'done', { loss: 2 }),
      run({ eta: 0.01, width: 16 }, 1, 'running'),
      run({ eta: 1, width: 16 }, 0, 'failed'),
      run({ eta: 1, width: 16 }, 1, 'failed'),
    ]
    const g = phaseGrid(runs, 'eta', 'width', { kind: 'summary', key: 'loss' })
    expect(g.xValues).toEqual([0.01, 0.1, 1])
    expect(g.yValues).toEqual([8, 16])
    expect(g.cells.map((c) => [c.xi, c.yi, c.value, c.n, c.nValues, c.failed, c.diverged, c.pending])).toEqual([
      [0, 0, 4, 2, 2, 0, 0, 0],
      [1, 0, 1, 2, 1, 0, 1, 0],
      [0, 1, 2, 2, 1, 0, 0, 1],
      [2, 1, NaN, 2, 0, 2, 0, 0],
    ])
  })

  it('bins a param with many distinct values (a random sweep), in log space for a log param', () => {
    const runs = Array.from({ length: 20 }, (_, i) => run({ lr: 10 ** (-4 + (3 * i) / 19), width: i % 2 ? 8 : 16 }, 0, 'done', { loss: i }))
    const g = phaseGrid(runs, 'lr', 'width', { kind: 'summary', key: 'loss' }, { logParams: ['lr'], bins: 3, maxCategories: 12 })
    expect(g.xBinned).toBe(true)
    expect(g.yBinned).toBe(false)
    expect(g.xValues).toEqual(['0.0001–0.001', '0.001–0.01', '0.01–0.1'])
    // every run lands in one bin; 20 runs, 3 x-bins × 2 widths
    expect(g.cells.reduce((a, c) => a + c.n, 0)).toBe(20)
    expect(g.cells.length).toBe(6)
    // the first log bin holds lr in [1e-4, 1e-3): i = 0..6 (10^(-4 + 3i/19) < 1e-3 for i < 6.33)
    const first = g.cells.filter((c) => c.xi === 0)
    expect(first.reduce((a, c) => a + c.n, 0)).toBe(7)
    expect(phaseGrid(runs.slice(0, 5), 'lr', 'width', { kind: 'summary', key: 'loss' }).xBinned).toBe(false)
  })

  it('sorts string params and aggregates over params not on the axes', () => {
    const runs = [run({ opt: 'sgd', lr: 1, mom: 0 }, 0, 'done', { l: 1 }), run({ opt: 'adam', lr: 1, mom: 0 }, 0, 'done', { l: 4 }), run({ opt: 'adam', lr: 1, mom: 0.9 }, 0, 'done', { l: 6 })]
    const g = phaseGrid(runs, 'opt', 'lr', { kind: 'summary', key: 'l' })
    expect(g.xValues).toEqual(['adam', 'sgd'])
    expect(g.cells.map((c) => [c.xi, c.value, c.n])).toEqual([
      [0, 5, 2],
      [1, 1, 1],
    ])
  })
})

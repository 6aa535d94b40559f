import { describe, expect, it } from 'vitest'
import type { MetricSpec } from '../../../src-shared/model'
import {
  expandColumns,
  legendRows,
  logFloor,
  logAxisRange,
  seriesChartOptions,
  summaryChartOptions,
  type ChartRunData,
  type SeriesChartSpecLike,
} from './options'

const f64 = (a: number[]): Float64Array => Float64Array.from(a)
const metrics: Record<string, MetricSpec> = {
  err: { label: 'error', scale: 'log' },
  loss: { label: 'loss', scale: 'log', unit: 'nats' },
  sv: { label: 'singular values', scale: 'log', vector: true },
}
const spec = (over: Partial<SeriesChartSpecLike> = {}): SeriesChartSpecLike => ({
  id: 'c',
  title: 'c',
  y: ['err'],
  x: 'iteration',
  logX: false,
  logY: true,
  overlays: [],
  ...over,
})
const run = (over: Partial<ChartRunData> = {}): ChartRunData => ({
  id: 'r1',
  label: 'run 1',
  x: f64([0, 1, 2, 3, 4]),
  columns: { err: f64([1, 0.1, 0.01, 0.001, 1e-4]) },
  ...over,
})
type AnySeries = { type: string; name: string; data: unknown[]; lineStyle?: { type?: string }; markLine?: { data: { xAxis: number }[] } }
const seriesOf = (o: unknown): AnySeries[] => (o as { series: AnySeries[] }).series
const dataOf = (s: AnySeries): [number, number][] => s.data as [number, number][]

describe('expandColumns', () => {
  it('expands a vector metric into its components in index order', () => {
    const cols = expandColumns(['err', 'sv'], ['iteration', 'sv[10]', 'sv[2]', 'err', 'sv[0]', 'svx'])
    expect(cols.map((c) => c.column)).toEqual(['err', 'sv[0]', 'sv[2]', 'sv[10]'])
    expect(cols.map((c) => c.component)).toEqual([null, 0, 2, 10])
  })
})

describe('seriesChartOptions', () => {
  it('uses true log axes where the spec asks for them', () => {
    const b = seriesChartOptions({ spec: spec({ logX: true, logY: true }), metrics, xLabel: 'iteration', runs: [run({ x: f64([1, 2, 3, 4, 5]) })], multiRun: false, dark: false })
    const o = b.option as { xAxis: { type: string }; yAxis: { type: string } }
    expect(o.xAxis.type).toBe('log')
    expect(o.yAxis.type).toBe('log')
    const lin = seriesChartOptions({ spec: spec({ logY: false }), metrics, xLabel: 'iteration', runs: [run()], multiRun: false, dark: false })
    expect((lin.option as { yAxis: { type: string } }).yAxis.type).toBe('value')
  })

  it('floors values ≤ 0 on a log y axis one decade below the smallest positive value, and marks them', () => {
    const r = run({ columns: { err: f64([1, 0.1, 0, 0.002, -1]) } })
    const b = seriesChartOptions({ spec: spec(), metrics, xLabel: 'iteration', runs: [r], multiRun: false, dark: false })
    expect(b.floored).toBe(2)
    expect(b.floorY).toBeCloseTo(1e-4, 18)
    expect(b.points).toBe(5) // nothing dropped
    const line = seriesOf(b.option).find((s) => s.type === 'line' && s.name === 'error')!
    expect(dataOf(line).map((p) => p[1])).toEqual([1, 0.1, 1e-4, 0.002, 1e-4])
    const marker = seriesOf(b.option).find((s) => s.type === 'scatter')!
    expect(marker.name).toBe('≤ 0 drawn at floor (2)')
    expect(dataOf(marker)).toEqual([
      [2, 1e-4],
      [4, 1e-4],
    ])
    expect((b.option as { legend: { data: string[] } }).legend.data).toContain('≤ 0 drawn at floor (2)')
  })

  it('floors iteration 0 on a log x axis instead of dropping it', () => {
    const b = seriesChartOptions({ spec: spec({ logX: true }), metrics, xLabel: 'iteration', runs: [run()], multiRun: false, dark: false })
    expect(b.floored).toBe(1)
    expect(b.floorX).toBeCloseTo(0.1, 15)
    expect(b.floorY).toBeNull() // only x was floored
    expect(b.points).toBe(5)
  })

  it('keeps reference lines inside the data range so they do not stretch the axes', () => {
    const x = f64([1, 10, 100, 1000])
    const err = f64([1, 0.5, 0.1, 1e-3])
    const b = seriesChartOptions({
      spec: spec({ logX: true, overlays: [{ kind: 'powerLaw', slope: -3, anchorX: 100, label: 'steep' }] }),
      metrics,
      xLabel: 'iteration',
      runs: [run({ x, columns: { err } })],
      multiRun: false,
      dark: false,
    })
    const o = seriesOf(b.option).find((s) => s.name === 'steep')!
    expect(dataOf(o).length).toBeGreaterThan(5)
    for (const [, yv] of dataOf(o)) expect(yv >= 1e-3 && yv <= 1).toBe(true)
  })

  it('leaves out an events overlay when no run has that event', () => {
    const b = seriesChartOptions({ spec: spec({ overlays: [{ kind: 'events', event: 'fix', label: 'fix' }] }), metrics, xLabel: 'iteration', runs: [run()], multiRun: false, dark: false })
    expect(seriesOf(b.option).some((s) => s.name === 'fix')).toBe(false)
  })

  it('does not floor anything on linear axes', () => {
    const r = run({ columns: { err: f64([1, 0, -1, 2, 3]) } })
    const b = seriesChartOptions({ spec: spec({ logY: false }), metrics, xLabel: 'iteration', runs: [r], multiRun: false, dark: false })
    expect(b.floored).toBe(0)
    expect(seriesOf(b.option).some((s) => s.type === 'scatter')).toBe(false)
  })

  it('skips rows where the metric was not recorded (NaN) without counting them as points', () => {
    const r = run({ columns: { err: f64([1, NaN, 0.01, NaN, 1e-4]) } })
    const b = seriesChartOptions({ spec: spec(), metrics, xLabel: 'iteration', runs: [r], multiRun: false, dark: false })
    expect(b.points).toBe(3)
  })

  it('names legend entries by metric for one run and by run label for a figure', () => {
    const one = seriesChartOptions({ spec: spec({ y: ['err', 'loss'] }), metrics, xLabel: 'iteration', runs: [run({ columns: { err: f64([1, 2, 3, 4, 5]), loss: f64([1, 2, 3, 4, 5]) } })], multiRun: false, dark: false })
    expect((one.option as { legend: { data: string[] } }).legend.data).toEqual(['error', 'loss'])
    const fig = seriesChartOptions({
      spec: spec(),
      metrics,
      xLabel: 'iteration',
      runs: [run({ label: 'k=5' }), run({ id: 'r2', label: 'k=20', color: '#123456' })],
      multiRun: true,
      dark: false,
    })
    const lines = seriesOf(fig.option).filter((s) => s.type === 'line')
    expect(lines.map((s) => s.name)).toEqual(['k=5', 'k=20'])
    expect((lines[1] as unknown as { color: string }).color).toBe('#123456')
    expect(fig.points).toBe(10)
  })

  it('draws every component of a vector metric under one legend name', () => {
    const r = run({ columns: { 'sv[0]': f64([3, 3, 3, 3, 3]), 'sv[1]': f64([2, 2, 2, 2, 2]), 'sv[2]': f64([1, 1, 1, 1, 1]) } })
    const b = seriesChartOptions({ spec: spec({ y: ['sv'] }), metrics, xLabel: 'iteration', runs: [r], multiRun: false, dark: false })
    const lines = seriesOf(b.option).filter((s) => s.type === 'line')
    expect(lines).toHaveLength(3)
    expect(new Set(lines.map((s) => s.name))).toEqual(new Set(['singular values']))
    expect((b.option as { legend: { data: string[] } }).legend.data).toEqual(['singular values'])
    expect(b.points).toBe(15)
  })

  it('draws an hline overlay as a dashed line across the data range', () => {
    const b = seriesChartOptions({ spec: spec({ overlays: [{ kind: 'hline', value: 1e-3, label: 'floor η_T' }] }), metrics, xLabel: 'iteration', runs: [run()], multiRun: false, dark: false })
    const o = seriesOf(b.option).find((s) => s.name === 'floor η_T')!
    expect(o.lineStyle?.type).toBe('dashed')
    expect(dataOf(o)).toEqual([
      [0, 1e-3],
      [4, 1e-3],
    ])
    expect(b.points).toBe(5) // overlays are not data
  })

  it('anchors a power-law reference through the first run at anchorX', () => {
    const x = f64([1, 2, 4, 8, 16])
    const err = Float64Array.from(x, (v) => 5 / v)
    const b = seriesChartOptions({
      spec: spec({ logX: true, overlays: [{ kind: 'powerLaw', slope: -2, anchorX: 4, label: 'O(1/t²)' }] }),
      metrics,
      xLabel: 'iteration',
      runs: [run({ x, columns: { err } })],
      multiRun: false,
      dark: false,
    })
    const o = seriesOf(b.option).find((s) => s.name === 'O(1/t²)')!
    expect(o.lineStyle?.type).toBe('dashed')
    for (const [xv, yv] of dataOf(o)) expect(yv).toBeCloseTo(1.25 * Math.pow(xv / 4, -2), 10)
    // it passes through the data at the anchor
    const at4 = dataOf(o).find(([xv]) => Math.abs(xv - 4) < 1e-9)
    if (at4) expect(at4[1]).toBeCloseTo(1.25, 10)
  })

  it('anchors a geometric reference y = y(a)·rate^(x−a)', () => {
    const b = seriesChartOptions({
      spec: spec({ overlays: [{ kind: 'geometric', rate: 0.5, anchorX: 1, label: 'rate 1/2' }] }),
      metrics,
      xLabel: 'iteration',
      runs: [run()],
      multiRun: false,
      dark: false,
    })
    const o = seriesOf(b.option).find((s) => s.name === 'rate 1/2')!
    expect(dataOf(o).length).toBeGreaterThan(10)
    for (const [xv, yv] of dataOf(o)) expect(yv).toBeCloseTo(0.1 * Math.pow(0.5, xv - 1), 10)
  })

  it('draws events as vertical mark lines at the iterations of that event only', () => {
    const r = run({
      events: [
        { name: 'fix', iteration: 1 },
        { name: 'other', iteration: 2 },
        { name: 'fix', iteration: 3 },
      ],
    })
    const b = seriesChartOptions({ spec: spec({ overlays: [{ kind: 'events', event: 'fix', label: 'balancing step' }] }), metrics, xLabel: 'iteration', runs: [r], multiRun: false, dark: false })
    const o = seriesOf(b.option).find((s) => s.name === 'balancing step')!
    expect(o.markLine!.data.map((d) => d.xAxis)).toEqual([1, 3])
  })

  it('places events on a non-iteration x through the run’s iteration column', () => {
    const r = run({
      x: f64([0, 10, 20, 30, 40]),
      iteration: f64([0, 1, 2, 3, 4]),
      events: [{ name: 'fix', iteration: 2 }],
    })
    const b = seriesChartOptions({ spec: spec({ x: 'oracle:grad', overlays: [{ kind: 'events', event: 'fix', label: 'fix' }] }), metrics, xLabel: 'grad', runs: [r], multiRun: false, dark: false })
    const o = seriesOf(b.option).find((s) => s.name === 'fix' && s.markLine)!
    expect(o.markLine!.data.map((d) => d.xAxis)).toEqual([20])
  })

  it('smooths in log space on a log axis and keeps the raw curve faint', () => {
    const r = run({ columns: { err: f64([1, 100, 1, 100, 1]) } })
    const b = seriesChartOptions({ spec: spec(), metrics, xLabel: 'iteration', runs: [r], multiRun: false, dark: false, smoothing: 0.6 })
    const lines = seriesOf(b.option).filter((s) => s.type === 'line' && s.name === 'error')
    expect(lines).toHaveLength(2)
    const smoothed = dataOf(lines[1]).map((p) => p[1])
    expect(smoothed[0]).toBeCloseTo(1, 12)
    // geometric-mean-like: between the extremes, never beyond them
    for (const v of smoothed) expect(v >= 1 && v <= 100).toBe(true)
  })
})

describe('summaryChartOptions', () => {
  const runs = [
    { label: 'a', params: { n: 10, k: 'sym' }, summary: { err: 1e-2 } },
    { label: 'b', params: { n: 100, k: 'sym' }, summary: { err: 1e-4 } },
    { label: 'c', params: { n: 10, k: 'asym' }, summary: { err: 1e-1 } },
    { label: 'd', params: { n: 100, k: 'asym' }, summary: { err: 0 } },
  ]
  it('plots summary[y] against params[x], one line per group, with log axes', () => {
    const b = summaryChartOptions({
      spec: { id: 's', title: 's', y: 'err', x: 'n', groupBy: 'k', logX: true, logY: true, overlays: [] },
      runs,
      xLabel: 'n',
      yLabel: 'error',
      dark: false,
    })
    const o = b.option as { xAxis: { type: string }; yAxis: { type: string }; legend: { data: string[] } }
    expect(o.xAxis.type).toBe('log')
    expect(o.yAxis.type).toBe('log')
    const lines = seriesOf(b.option).filter((s) => s.type === 'line')
    expect(lines.map((s) => s.name)).toEqual(['k = sym', 'k = asym'])
    expect(dataOf(lines[0])).toEqual([
      [10, 1e-2],
      [100, 1e-4],
    ])
    expect(b.floored).toBe(1)
    expect(dataOf(lines[1])[1][1]).toBeCloseTo(1e-5, 20)
    expect(o.legend.data).toContain('≤ 0 drawn at floor (1)')
    expect(b.points).toBe(4)
  })

  it('draws the median through repeated seeds and every seed as a dot', () => {
    const b = summaryChartOptions({
      spec: { id: 's', title: 's', y: 'err', x: 'n', logX: false, logY: false, overlays: [] },
      runs: [1, 2, 6].map((v, i) => ({ label: String(i), params: { n: 1 }, summary: { err: v } })),
      xLabel: 'n',
      yLabel: 'error',
      dark: false,
    })
    const line = seriesOf(b.option).find((s) => s.type === 'line')!
    expect(dataOf(line)).toEqual([[1, 2]])
    expect(seriesOf(b.option).find((s) => s.type === 'scatter')!.data).toHaveLength(3)
  })
})

describe('logAxisRange', () => {
  it('spans whole decades of the data and thins ticks on long ranges', () => {
    expect(logAxisRange(2e-3, 0.5, 7)).toEqual({ lo: -3, hi: 0, step: 1 })
    expect(logAxisRange(3e-16, 1, 7)).toEqual({ lo: -18, hi: 0, step: 3 })
    expect(logAxisRange(1, 1e155, 7)).toEqual({ lo: 0, hi: 175, step: 25 })
    expect(logAxisRange(1, 1, 7)).toEqual({ lo: 0, hi: 1, step: 1 })
    expect(logAxisRange(0, 1, 7)).toBeNull()
  })

  it('fixes a log axis to the data decades instead of ECharts’ 10-decade widening', () => {
    const r = run({ columns: { err: f64([1, 1e-3, 1e-8, 1e-12, 3e-16]) } })
    const b = seriesChartOptions({ spec: spec(), metrics, xLabel: 'iteration', runs: [r], multiRun: false, dark: false })
    const y = (b.option as { yAxis: { min: number; max: number; interval: number } }).yAxis
    expect(y.min).toBe(1e-18)
    expect(y.max).toBe(1)
    expect(y.interval).toBe(3)
  })

  it('widens the y range to show an hline bound outside the data', () => {
    const b = seriesChartOptions({ spec: spec({ overlays: [{ kind: 'hline', value: 1e-9, label: 'floor' }] }), metrics, xLabel: 'iteration', runs: [run()], multiRun: false, dark: false })
    expect((b.option as { yAxis: { min: number } }).yAxis.min).toBeLessThanOrEqual(1e-9)
  })
})

describe('legendRows', () => {
  it('wraps a long legend onto more rows', () => {
    expect(legendRows(['error'])).toBe(1)
    expect(legendRows(Array.from({ length: 9 }, (_, i) => `asym+fix α=0.0${i}`), 340)).toBeGreaterThanOrEqual(3)
  })
})

describe('logFloor', () => {
  it('is a power of ten one decade below the smallest positive value', () => {
    expect(logFloor(3e-12)).toBeCloseTo(1e-13, 25)
    expect(logFloor(1)).toBeCloseTo(0.1, 15)
    expect(logFloor(Infinity)).toBe(1e-16)
  })
})

describe('drawn lines (export and rate fits)', () => {
  it('keeps the raw y of each run, not the smoothed or floored one, with the run label and colour', () => {
    const b = seriesChartOptions({
      spec: spec(),
      metrics,
      xLabel: 'iteration',
      runs: [run({ color: '#123456', columns: { err: f64([1, 0.1, 0, NaN, 1e-4]) } })],
      multiRun: true,
      dark: false,
      smoothing: 0.6,
    })
    expect(b.lines).toEqual([{ name: 'run 1', color: '#123456', x: [0, 1, 2, 4], y: [1, 0.1, 0, 1e-4] }])
  })
  it('gives summary charts their median lines', () => {
    const b = summaryChartOptions({
      spec: { id: 's', title: 's', y: 'final', x: 'rho', logX: false, logY: false, overlays: [] },
      runs: [
        { label: 'a', params: { rho: 0.5 }, summary: { final: 1 } },
        { label: 'b', params: { rho: 0.5 }, summary: { final: 3 } },
        { label: 'c', params: { rho: 0.9 }, summary: { final: 5 } },
      ],
      xLabel: 'rho',
      yLabel: 'final',
      dark: false,
    })
    expect(b.lines).toEqual([{ name: 'final', color: expect.any(String), x: [0.5, 0.9], y: [2, 5] }])
  })
})

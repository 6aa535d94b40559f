import { describe, expect, it } from 'vitest'
import type { MetricSpec } from '../../../src-shared/model'
import { seriesChartOptions, type SeriesChartSpecLike } from './options'
import { symlog, symlogAxisRange, symlogInverse, symlogTickLabel } from './symlog'

describe('symlog transform', () => {
  it('is linear within ±linthresh and log10 outside, continuous at ±linthresh', () => {
    expect(symlog(0, 1e-3)).toBe(0)
    expect(symlog(5e-4, 1e-3)).toBeCloseTo(0.5, 15)
    expect(symlog(-1e-3, 1e-3)).toBe(-1)
    expect(symlog(1e-2, 1e-3)).toBeCloseTo(2, 14)
    expect(symlog(-1, 1e-3)).toBeCloseTo(-4, 14)
    // continuity just inside and outside the threshold
    expect(Math.abs(symlog(1e-3 * (1 + 1e-12), 1e-3) - symlog(1e-3, 1e-3))).toBeLessThan(1e-11)
  })
  it('inverts to within rounding over 20 decades and both signs', () => {
    for (const v of [-1e8, -3.7, -2e-3, -1e-9, 0, 4e-6, 1e-3, 0.25, 6.5e4]) {
      const back = symlogInverse(symlog(v, 1e-3), 1e-3)
      expect(Math.abs(back - v)).toBeLessThanOrEqual(1e-12 * Math.max(1e-3, Math.abs(v)))
    }
  })
  it('ticks at 0, ±c·10^k with the original values as labels', () => {
    const r = symlogAxisRange(symlog(-0.5, 1e-3), symlog(120, 1e-3))
    expect(r.min).toBeLessThanOrEqual(symlog(-0.5, 1e-3))
    expect(r.max).toBeGreaterThanOrEqual(symlog(120, 1e-3))
    expect(Number.isInteger(r.min) && Number.isInteger(r.max) && Number.isInteger(r.step)).toBe(true)
    expect(symlogTickLabel(0, 1e-3)).toBe('0')
    expect(symlogTickLabel(1, 1e-3)).toBe('1e-3')
    expect(symlogTickLabel(-3, 1e-3)).toBe('−0.1')
    expect(symlogTickLabel(7, 1e-3)).toBe('1000')
    expect(symlogTickLabel(10, 1e-3)).toBe('1e6')
  })
})

describe('series chart on a symlog y-axis', () => {
  const metrics: Record<string, MetricSpec> = { eig: { label: 'eigenvalue', scale: 'linear', vector: true } }
  const spec: SeriesChartSpecLike = { id: 's', title: 's', y: ['eig'], x: 'iteration', logX: false, logY: false, symlogY: 1e-2, overlays: [{ kind: 'hline', value: -1, label: 'minus one' }] }
  const run = {
    id: 'r',
    label: 'r',
    x: Float64Array.from([0, 1, 2, 3]),
    columns: { 'eig[0]': Float64Array.from([-5, -1e-3, 0, 300]) },
  }
  const built = seriesChartOptions({ spec, metrics, xLabel: 'index', runs: [run], multiRun: false, dark: false })
  const o = built.option as { yAxis: { type: string; min: number; max: number; interval: number; name: string; axisLabel: { formatter: (t: number) => string } }; series: { name: string; data: [number, number][] }[] }
  it('draws transformed values on a linear axis, keeping negatives and zero (nothing floored)', () => {
    expect(o.yAxis.type).toBe('value')
    expect(built.floored).toBe(0)
    const line = o.series.find((s) => s.name === 'eigenvalue')!
    expect(line.data.map((p) => p[1])).toEqual([-5, -1e-3, 0, 300].map((v) => symlog(v, 1e-2)))
    expect(o.yAxis.min).toBeLessThanOrEqual(symlog(-5, 1e-2))
    expect(o.yAxis.max).toBeGreaterThanOrEqual(symlog(300, 1e-2))
    expect(o.yAxis.name).toContain('symlog')
    expect(o.yAxis.axisLabel.formatter(-3)).toBe('−1')
  })
  it('transforms the hline overlay and exports the original values', () => {
    const ref = o.series.find((s) => s.name === 'minus one')!
    expect(ref.data[0][1]).toBe(symlog(-1, 1e-2))
    const y = built.lines![0].y
    ;[-5, -1e-3, 0, 300].forEach((v, i) => expect(Math.abs(y[i] - v)).toBeLessThanOrEqual(1e-12 * Math.max(1, Math.abs(v))))
  })
  it('gives way to a true log axis when logY is switched on', () => {
    const b = seriesChartOptions({ spec: { ...spec, logY: true }, metrics, xLabel: 'index', runs: [run], multiRun: false, dark: false })
    expect((b.option as { yAxis: { type: string } }).yAxis.type).toBe('log')
  })
})

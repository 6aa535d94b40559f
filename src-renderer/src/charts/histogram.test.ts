import { describe, expect, it } from 'vitest'
import { binValues, histogramChartOptions, type HistogramChartSpecLike } from './histogram'

const spec = (over: Partial<HistogramChartSpecLike> = {}): HistogramChartSpecLike => ({
  id: 'h',
  title: 'h',
  source: { from: 'vector', metric: 'eig' },
  bins: 4,
  logY: false,
  normalize: false,
  ...over,
})

describe('binValues', () => {
  it('bins over the data span with the last bin closed, shared across series', () => {
    const b = binValues([[0, 1, 2, 3, 4], [4, 4, NaN]], 4)
    expect(b.edges).toEqual([0, 1, 2, 3, 4])
    expect(b.counts).toEqual([[1, 1, 1, 2], [0, 0, 0, 2]])
    expect(b.outside).toEqual([0, 0])
  })
  it('counts values outside a given range instead of dropping them silently', () => {
    const b = binValues([[-10, 0.5, 1.5, 99]], 2, [0, 2])
    expect(b.counts).toEqual([[1, 1]])
    expect(b.outside).toEqual([2])
  })
  it('widens a zero-width span so a constant vector still has a bin', () => {
    const b = binValues([[3, 3, 3]], 1)
    expect(b.edges).toEqual([2.5, 3.5])
    expect(b.counts).toEqual([[3]])
  })
})

describe('histogram chart', () => {
  type Opt = { series: { name: string; data: [number, number][] }[]; yAxis: { type: string; min: number } }
  it('draws each series as a step outline over the bin edges, names the out-of-range count', () => {
    const b = histogramChartOptions({ spec: spec({ range: [0, 4] }), series: [{ name: 'k=4', values: [0.5, 1.5, 1.7, 9] }], xLabel: 'λ', dark: false })
    const o = b.option as unknown as Opt
    expect(o.series[0].name).toBe('k=4 (1 outside range)')
    expect(o.series[0].data).toEqual([[0, 0], [0, 1], [1, 1], [1, 2], [2, 2], [2, 0], [3, 0], [3, 0], [4, 0], [4, 0]])
    expect(b.lines![0]).toMatchObject({ x: [0.5, 1.5, 2.5, 3.5], y: [1, 2, 0, 0] })
    expect(b.points).toBe(4)
  })
  it('normalises to fractions of each series total (outside values included)', () => {
    const b = histogramChartOptions({ spec: spec({ range: [0, 4], normalize: true }), series: [{ name: 'a', values: [0.5, 1.5, 1.7, 9] }], xLabel: 'λ', dark: false })
    expect(b.lines![0].y).toEqual([0.25, 0.5, 0, 0])
  })
  it('puts empty bins at the floor of a log count axis', () => {
    const b = histogramChartOptions({ spec: spec({ logY: true, range: [0, 4] }), series: [{ name: 'a', values: [0.5, 1.5, 1.5] }], xLabel: 'λ', dark: false })
    const o = b.option as unknown as Opt
    expect(o.yAxis.type).toBe('log')
    const ys = o.series[0].data.map((p) => p[1])
    expect(Math.min(...ys)).toBe(0.1)
    expect(ys.every((y) => y > 0)).toBe(true)
  })
})

import { describe, expect, it } from 'vitest'
import { heatmapChartOptions, matrixGrid, rowsGrid, runRowsGrid, summaryGrid, type HeatmapChartSpecLike } from './heatmap'

type Opt = {
  xAxis: { type: string; data?: string[]; min?: number; max?: number }[]
  yAxis: { type: string; data?: string[]; min?: number; max?: number }[]
  visualMap: { min: number; max: number; inRange: { color: string[] } }
  series: { type: string; name: string; data: number[][]; xAxisIndex?: number }[]
}
const spec = (over: Partial<HeatmapChartSpecLike> = {}): HeatmapChartSpecLike => ({
  id: 'h',
  title: 'h',
  source: { from: 'matrix', metric: 'out', rows: 2, cols: 3, xRange: [-1, 1], yRange: [0, 1] },
  logColor: false,
  diverging: false,
  ...over,
})

describe('matrix heatmap', () => {
  it('reads NAME[i·cols + j] row-major, row 0 at y = yRange[0], columns along xRange', () => {
    const g = matrixGrid([1, 2, 3, 4, 5, 6], 2, 3, [-1, 1], [0, 1])
    expect(g.xs).toEqual([-1, 0, 1])
    expect(g.ys).toEqual([0, 1])
    const b = heatmapChartOptions({ spec: spec(), grid: g, xLabel: 'x₁', yLabel: 'x₂', zLabel: 'f', dark: false })
    const o = b.option as unknown as Opt
    const cells = o.series[0].data
    expect(cells).toContainEqual([2, 1, 6, 6]) // row 1, column 2 = component 1·3 + 2
    expect(cells).toContainEqual([0, 0, 1, 1])
    expect(o.xAxis[0].data).toEqual(['-1', '0', '1'])
    expect(o.visualMap.min).toBe(1)
    expect(o.visualMap.max).toBe(6)
    expect(b.points).toBe(6)
    expect(b.lines!.map((l) => l.y)).toEqual([[1, 2, 3], [4, 5, 6]])
  })
  it('names the mismatch when the vector does not have rows × cols components', () => {
    expect(() => matrixGrid([1, 2, 3], 2, 3)).toThrow(/3 components, but rows × cols = 2 × 3 = 6/)
  })
  it('draws points on value axes spanning the cells (half a cell beyond the first and last centre)', () => {
    const g = matrixGrid([1, -2, 3, -4, 5, -6], 2, 3, [-1, 1], [0, 1])
    const b = heatmapChartOptions({
      spec: spec({ diverging: true }),
      grid: g,
      points: { x: [0.5, -0.5], y: [0.2, 0.8], label: [1, -1] },
      xLabel: 'x₁',
      yLabel: 'x₂',
      zLabel: 'f',
      dark: false,
    })
    const o = b.option as unknown as Opt
    expect(o.xAxis[1]).toMatchObject({ type: 'value', min: -1.5, max: 1.5 })
    expect(o.yAxis[1]).toMatchObject({ type: 'value', min: -0.5, max: 1.5 })
    const pos = o.series.find((s) => s.name === 'points, label > 0')!
    const neg = o.series.find((s) => s.name === 'points, label < 0')!
    expect(pos.data).toEqual([[0.5, 0.2]])
    expect(neg.data).toEqual([[-0.5, 0.8]])
    expect(pos.xAxisIndex).toBe(1)
    // diverging: symmetric about zero
    expect(o.visualMap.min).toBe(-6)
    expect(o.visualMap.max).toBe(6)
  })
  it('colours log10 values and counts values ≤ 0 as floored, below the colour range', () => {
    const g = matrixGrid([1e-6, 1e-2, 0, 1], 2, 2)
    const b = heatmapChartOptions({ spec: spec({ logColor: true }), grid: g, xLabel: 'j', yLabel: 'i', zLabel: 'gap', dark: true })
    const o = b.option as unknown as Opt
    expect(b.floored).toBe(1)
    expect(o.visualMap.min).toBeCloseTo(-6, 12)
    expect(o.visualMap.max).toBe(0)
    const zero = o.series[0].data.find((d) => d[3] === 0)!
    expect(zero[2]).toBe(-7)
    expect(zero[2]).toBeLessThan(o.visualMap.min)
  })
})

describe('summary heatmap', () => {
  it('takes the median over seeds per (x, y) cell and sorts numeric params', () => {
    const run = (lW: number, lH: number, v: number) => ({ label: '', params: { lW, lH }, summary: { nc1: v } })
    const g = summaryGrid([run(1, 0.1, 5), run(0.1, 0.1, 1), run(0.1, 0.1, 3), run(0.1, 0.1, 2), run(1, 1, 7)], 'nc1', 'lW', 'lH')
    expect(g.xs).toEqual([0.1, 1])
    expect(g.ys).toEqual([0.1, 1])
    expect(Array.from(g.values)).toEqual([2, 5, NaN, 7])
    const b = heatmapChartOptions({ spec: spec({ source: { from: 'summary', value: 'nc1', x: 'lW', y: 'lH' } }), grid: g, xLabel: 'lW', yLabel: 'lH', zLabel: 'NC1', dark: false })
    expect(b.points).toBe(3) // the empty cell is not drawn
  })
})

describe('rows heatmap', () => {
  it('takes one row per recorded row with a finite y, sorted by y, one column per component', () => {
    const nan = NaN
    const columns = {
      c: Float64Array.from([nan, 0.7, 0.2, nan]),
      'cost[0]': Float64Array.from([nan, 5, 3, nan]),
      'cost[1]': Float64Array.from([nan, 6, 4, nan]),
      other: Float64Array.from([1, 2, 3, 4]),
    }
    const g = rowsGrid(columns, 'cost', 'c', [1.1, 1.5])
    expect(g.xs).toEqual([1.1, 1.5])
    expect(g.ys).toEqual([0.2, 0.7])
    expect(Array.from(g.values)).toEqual([3, 4, 5, 6])
    expect(rowsGrid(columns, 'cost', 'c').xs).toEqual([0, 1])
  })
})

describe('runRows heatmap', () => {
  it('puts one row per run at its y, cells at the union of x values, the median for shared cells', () => {
    const g = runRowsGrid([
      { y: 2, x: [0, 1, NaN], value: [5, 6, 7] },
      { y: -1, x: [1, 0.5], value: [1, 2] },
      { y: 2, x: [0], value: [9] },
    ])
    expect(g.xs).toEqual([0, 0.5, 1])
    expect(g.ys).toEqual([-1, 2])
    expect(Array.from(g.values)).toEqual([NaN, 2, 1, 7, NaN, 6])
  })
})

/**
 * Histogram charts as pure ECharts options: the components of a vector metric per run, or a
 * summary value over a figure's runs, binned into `bins` equal bins over `range` (the data's
 * span when omitted). All series share the bin edges. Each series is an outlined step line with a
 * light fill, so overlaid runs stay readable. Values outside the range are counted (in the
 * legend name), never dropped silently; on a log count axis empty bins sit at the floor.
 */
import type { EChartsOption, LineSeriesOption } from 'echarts'
import type { HistogramChartSpec } from '../../../src-shared/model'
import { formatNumber } from '../format'
import { axisOption, colorAt, commonOption, legendLayout, logFloor, minPositive, type BuiltChart, type DrawnLine } from './options'

export type HistogramChartSpecLike = Pick<HistogramChartSpec, 'id' | 'title' | 'source' | 'bins' | 'logY' | 'normalize'> &
  Partial<Pick<HistogramChartSpec, 'range' | 'xLabel'>>

export interface HistogramSeries {
  name: string
  color?: string
  values: ArrayLike<number>
}

export interface Binned {
  edges: number[]
  counts: number[][]
  /** per series: finite values outside the range */
  outside: number[]
}

/** Equal-width bins over range (the finite values' span when omitted); the last bin is closed. */
export function binValues(series: readonly ArrayLike<number>[], bins: number, range?: [number, number]): Binned {
  let lo = range?.[0] ?? Infinity
  let hi = range?.[1] ?? -Infinity
  if (!range) {
    for (const vs of series)
      for (let k = 0; k < vs.length; k++) {
        const v = vs[k]
        if (!Number.isFinite(v)) continue
        if (v < lo) lo = v
        if (v > hi) hi = v
      }
  }
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) {
    lo = 0
    hi = 1
  }
  if (!(hi > lo)) {
    lo -= 0.5
    hi += 0.5
  }
  const width = (hi - lo) / bins
  const edges = Array.from({ length: bins + 1 }, (_, k) => (k === bins ? hi : lo + k * width))
  const counts: number[][] = []
  const outside: number[] = []
  for (const vs of series) {
    const c = new Array<number>(bins).fill(0)
    let out = 0
    for (let k = 0; k < vs.length; k++) {
      const v = vs[k]
      if (!Number.isFinite(v)) continue
      if (v < lo || v > hi) {
        out++
        continue
      }
      c[Math.min(bins - 1, Math.floor((v - lo) / width))]++
    }
    counts.push(c)
    outside.push(out)
  }
  return { edges, counts, outside }
}

export interface HistogramInput {
  spec: HistogramChartSpecLike
  series: HistogramSeries[]
  xLabel: string
  dark: boolean
}

export function histogramChartOptions(input: HistogramInput): BuiltChart {
  const { spec, dark } = input
  const binned = binValues(
    input.series.map((s) => s.values),
    spec.bins,
    spec.range,
  )
  const { edges } = binned
  const heights = binned.counts.map((c, s) => {
    const total = c.reduce((a, b) => a + b, 0) + binned.outside[s]
    return spec.normalize && total > 0 ? c.map((v) => v / total) : c
  })
  const floor = spec.logY ? logFloor(minPositive(heights.flat())) : null
  const series: LineSeriesOption[] = []
  const legendNames: string[] = []
  const lines: DrawnLine[] = []
  let points = 0
  let yMax = 0
  input.series.forEach((s, k) => {
    const color = s.color ?? colorAt(k)
    const h = heights[k]
    const out = binned.outside[k]
    const name = out ? `${s.name} (${out} outside range)` : s.name
    const at = (v: number): number => (floor !== null && v <= 0 ? floor : v)
    const base = floor ?? 0
    // a step outline: (e0, base) → (e0, h0) → (e1, h0) → (e1, h1) … → (eB, base)
    const data: [number, number][] = [[edges[0], base]]
    for (let b = 0; b < h.length; b++) {
      data.push([edges[b], at(h[b])], [edges[b + 1], at(h[b])])
      if (h[b] > yMax) yMax = h[b]
    }
    data.push([edges[h.length], base])
    points += h.length
    legendNames.push(name)
    lines.push({ name: s.name, color, x: edges.slice(0, -1).map((e, b) => (e + edges[b + 1]) / 2), y: h })
    series.push({
      type: 'line',
      name,
      data,
      color,
      showSymbol: false,
      lineStyle: { width: 1.4, color },
      areaStyle: { opacity: input.series.length > 1 ? 0.15 : 0.3, color, origin: 'start' },
      emphasis: { focus: 'series' },
      z: 3,
    })
  })
  const common = commonOption(dark, false)
  const lay = legendLayout(legendNames)
  const yName = spec.normalize ? 'fraction' : 'count'
  const option: EChartsOption = {
    ...common,
    tooltip: { show: false },
    dataZoom: [],
    toolbox: {
      ...(common.toolbox as object),
      feature: { saveAsImage: { title: 'save PNG', pixelRatio: 2, backgroundColor: dark ? '#18181c' : '#ffffff' } },
    },
    grid: { ...(common.grid as object), top: lay.gridTop },
    legend: { ...(common.legend as object), ...lay.legend },
    xAxis: { ...axisOption('x', false, input.xLabel), min: edges[0], max: edges[edges.length - 1], scale: false },
    yAxis: spec.logY
      ? axisOption('y', true, yName, undefined, { min: floor ?? 1, max: Math.max(yMax, floor ?? 1) })
      : { ...axisOption('y', false, yName), min: 0, scale: false, axisLabel: { formatter: (v: number) => formatNumber(v, 3) } },
    series,
  } as EChartsOption
  return { option, points, floored: 0, floorY: null, floorX: null, legendRows: lay.rows, lines }
}

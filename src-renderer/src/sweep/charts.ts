/**
 * ECharts options for the sweep views, as pure functions: the median line with its Q1–Q3 band
 * per param point (seed curves optionally behind), the phase diagram (a heatmap over two swept
 * params) and parallel coordinates over params and summary values.
 */
import type { EChartsOption } from 'echarts'
import type { ParamValue } from '../../../src-shared/model'
import { axisOption, commonOption, FLOOR_COLOR, logFloor, minPositive } from '../charts/options'
import { formatNumber } from '../format'
import type { Band, Curve, PhaseCell, PhaseGrid } from './aggregate'

// ---------------------------------------------------------------- median and IQR band

export interface BandGroup {
  name: string
  color: string
  band: Band
  /** the seed curves the band summarises (drawn faintly when asked) */
  seeds: Curve[]
}

export interface BandChartInput {
  xLabel: string
  yLabel: string
  logX: boolean
  logY: boolean
  groups: BandGroup[]
  showSeeds: boolean
  dark: boolean
}

export interface BuiltBandChart {
  option: EChartsOption
  /** median points drawn */
  points: number
  /** values ≤ 0 drawn at the floor of a log y axis */
  floored: number
  floorY: number | null
}

/**
 * One median line per group and its Q1–Q3 band as a filled polygon (a custom series: a
 * stacked area cannot be trusted on a log axis). Bands and seed curves share the group's name,
 * so its legend entry toggles all of them. On a log y axis, values ≤ 0 are drawn at a floor one
 * decade below the smallest positive value and counted.
 */
export function bandChartOptions(input: BandChartInput): BuiltBandChart {
  const { logX, logY } = input
  const all: number[] = []
  for (const g of input.groups) for (const a of [g.band.median, g.band.q1, g.band.q3]) for (const v of a) all.push(v)
  if (input.showSeeds) for (const g of input.groups) for (const c of g.seeds) for (let i = 0; i < c.y.length; i++) all.push(c.y[i])
  const floorY = logY ? logFloor(minPositive(all)) : null
  let floored = 0
  const fy = (v: number, count: boolean): number => {
    if (floorY === null || Number.isNaN(v) || v > 0) return v
    if (count) floored++
    return floorY
  }
  const keepX = (x: number): boolean => !logX || x > 0
  const series: NonNullable<EChartsOption['series']> = []
  let points = 0
  let yMin = Infinity
  let yMax = -Infinity
  let xMin = Infinity
  let xMax = -Infinity
  const extend = (x: number, y: number): void => {
    if (!Number.isFinite(y) || !Number.isFinite(x)) return
    yMin = Math.min(yMin, y)
    yMax = Math.max(yMax, y)
    xMin = Math.min(xMin, x)
    xMax = Math.max(xMax, x)
  }
  for (const g of input.groups) {
    const { x, median, q1, q3 } = g.band
    const lo = Float64Array.from(q1, (v) => fy(v, false))
    const hi = Float64Array.from(q3, (v) => fy(v, false))
    const quads: number[][] = []
    for (let i = 0; i + 1 < x.length; i++) {
      if (keepX(x[i]) && keepX(x[i + 1]) && ![lo[i], hi[i], lo[i + 1], hi[i + 1]].some(Number.isNaN)) quads.push([x[i], lo[i], hi[i], i])
    }
    for (let i = 0; i < x.length; i++) {
      extend(x[i], lo[i])
      extend(x[i], hi[i])
    }
    series.push({
      type: 'custom',
      name: g.name,
      silent: true,
      clip: true,
      z: 1,
      tooltip: { show: false },
      // the legend takes its swatch from the first series of a name
      itemStyle: { color: g.color },
      encode: { x: 0, y: [1, 2] },
      data: quads,
      renderItem: (_params, api) => {
        const i = api.value(3) as number
        const pts = [api.coord([x[i], lo[i]]), api.coord([x[i + 1], lo[i + 1]]), api.coord([x[i + 1], hi[i + 1]]), api.coord([x[i], hi[i]])]
        // the band's quads share edges; a hair of stroke in the fill colour hides the seams
        return { type: 'polygon', shape: { points: pts }, style: { fill: g.color, opacity: 0.2, stroke: g.color, lineWidth: 0.3 } }
      },
    })
    if (input.showSeeds) {
      for (const c of g.seeds) {
        const data: [number, number][] = []
        for (let i = 0; i < c.x.length; i++) if (keepX(c.x[i]) && !Number.isNaN(c.y[i])) data.push([c.x[i], fy(c.y[i], false)])
        series.push({
          type: 'line',
          name: g.name,
          data,
          showSymbol: false,
          silent: true,
          z: 2,
          tooltip: { show: false },
          lineStyle: { width: 0.8, opacity: 0.3, color: g.color },
          itemStyle: { color: g.color },
          emphasis: { disabled: true },
        })
      }
    }
    const data: [number, number | null][] = []
    for (let i = 0; i < x.length; i++) {
      if (!keepX(x[i])) continue
      const v = median[i]
      data.push([x[i], Number.isNaN(v) ? null : fy(v, true)])
      if (!Number.isNaN(v)) points++
      extend(x[i], fy(v, false))
    }
    series.push({
      type: 'line',
      name: g.name,
      data,
      showSymbol: false,
      connectNulls: false,
      z: 3,
      lineStyle: { width: 1.8, color: g.color },
      itemStyle: { color: g.color },
      emphasis: { focus: 'series' },
    })
  }
  if (floored) {
    series.push({ type: 'scatter', name: `${floored} values ≤ 0 (drawn at ${formatNumber(floorY)})`, data: [], itemStyle: { color: FLOOR_COLOR } })
  }
  const base = commonOption(input.dark, true)
  const names = [...new Set(input.groups.map((g) => g.name))]
  const extent = (lo: number, hi: number) => (lo <= hi ? { min: lo, max: hi } : undefined)
  const option: EChartsOption = {
    ...base,
    legend: { ...(base.legend as object), data: names, type: 'scroll' },
    grid: { ...(base.grid as object), top: 40 },
    xAxis: axisOption('x', logX, input.xLabel, undefined, extent(xMin, xMax)),
    yAxis: axisOption('y', logY, input.yLabel, undefined, extent(yMin, yMax)),
    series,
  }
  return { option, points, floored, floorY }
}

// ---------------------------------------------------------------- phase diagram

export const FAILED_COLOR = '#3a3a44'
export const EMPTY_COLOR = '#c8c8cc'
export const COLOR_RAMP = ['#313695', '#4575b4', '#74add1', '#abd9e9', '#e0f3f8', '#fee090', '#fdae61', '#f46d43', '#d73027', '#a50026']

export interface PhaseChartInput {
  grid: PhaseGrid
  xLabel: string
  yLabel: string
  valueLabel: string
  /** the colour scale in log10 of the value (values ≤ 0 then have no colour and are counted) */
  logColor: boolean
  /** the axis params are log-scale: their categories are log-spaced values, said in the axis name */
  logX?: boolean
  logY?: boolean
  dark: boolean
  formatParam: (v: ParamValue) => string
}

export interface BuiltPhaseChart {
  option: EChartsOption
  /** cells drawn with a colour, cells marked failed, cells with no value (pending or ≤ 0 on a log scale) */
  valued: number
  failedCells: number
  emptyCells: number
  /** cells whose value is ≤ 0 on a log colour scale */
  nonPositive: number
}

/** Why a cell has the look it has, in the tooltip's words. */
export function cellNote(c: PhaseCell): string {
  const parts: string[] = []
  if (c.diverged) parts.push(`${c.diverged} diverged`)
  if (c.failed) parts.push(`${c.failed} failed`)
  if (c.pending) parts.push(`${c.pending} not finished`)
  return parts.join(', ')
}

/**
 * A heatmap on category axes (one column per value of the x param, one row per value of the
 * y param, in ascending order; grid sweeps of a log param are log-spaced, so the columns sit
 * evenly in log; a random sweep's param is binned, in log for a log param). Cells where every run failed or diverged are drawn in a distinct dark colour
 * and cells with some failed runs carry a ✕; a second, piecewise visual map is their legend.
 */
export function phaseChartOptions(input: PhaseChartInput): BuiltPhaseChart {
  const { grid, logColor } = input
  const colorOf = (v: number): number => (logColor ? (v > 0 ? Math.log10(v) : NaN) : v)
  const valued: (number | string)[][] = []
  const status: number[][] = []
  const marks: number[][] = []
  let nonPositive = 0
  let lo = Infinity
  let hi = -Infinity
  for (const [k, c] of grid.cells.entries()) {
    const bad = c.failed + c.diverged
    const v = colorOf(c.value)
    if (!Number.isNaN(c.value) && Number.isNaN(v)) nonPositive++
    if (!Number.isNaN(v) && Number.isFinite(v)) {
      valued.push([c.xi, c.yi, v, k])
      lo = Math.min(lo, v)
      hi = Math.max(hi, v)
      if (bad) marks.push([c.xi, c.yi, k])
    } else {
      status.push([c.xi, c.yi, bad ? 1 : 0, k])
    }
  }
  if (!(lo <= hi)) {
    lo = 0
    hi = 1
  }
  if (lo === hi) {
    lo -= 0.5
    hi += 0.5
  }
  const cellAt = (k: number): PhaseCell => grid.cells[k]
  const tooltip = (p: { data?: unknown }): string => {
    const d = p.data as number[] | undefined
    if (!d) return ''
    const c = cellAt(d[d.length - 1])
    const note = cellNote(c)
    return [
      `${input.xLabel} = ${input.formatParam(grid.xValues[c.xi])}`,
      `${input.yLabel} = ${input.formatParam(grid.yValues[c.yi])}`,
      `${input.valueLabel}: <b>${formatNumber(c.value)}</b>`,
      `n = ${c.n} runs (${c.nValues} with a value)`,
      note,
    ]
      .filter(Boolean)
      .join('<br>')
  }
  const cats = (vs: ParamValue[]): string[] => vs.map(input.formatParam)
  const axis = (name: string, log: boolean | undefined, binned: boolean, data: string[], kind: 'x' | 'y') => ({
    type: 'category' as const,
    data,
    // one column per value, in order (a log-spaced grid sits evenly in log); binned: equal bins, in log for a log param
    name: binned ? `${name} (${log ? 'log-spaced ' : ''}bins)` : name,
    nameLocation: 'middle' as const,
    nameGap: kind === 'x' ? 28 : 52,
    splitArea: { show: false },
    axisLabel: { fontSize: 11 },
  })
  const small = grid.cells.length <= 120
  const option: EChartsOption = {
    backgroundColor: 'transparent',
    animation: false,
    tooltip: { trigger: 'item', confine: true, formatter: tooltip as never },
    grid: { left: 80, right: 120, top: 16, bottom: 76 },
    xAxis: axis(input.xLabel, input.logX, grid.xBinned, cats(grid.xValues), 'x'),
    yAxis: axis(input.yLabel, input.logY, grid.yBinned, cats(grid.yValues), 'y'),
    visualMap: [
      {
        type: 'continuous',
        seriesIndex: 0,
        // the data rows are [x index, y index, value, cell index]: colour by the value
        dimension: 2,
        min: lo,
        max: hi,
        calculable: true,
        right: 0,
        top: 10,
        itemHeight: 140,
        text: [logColor ? `log10 ${input.valueLabel}` : input.valueLabel, ''],
        textStyle: { fontSize: 11 },
        formatter: ((v: number) => (logColor ? formatNumber(10 ** v, 3) : formatNumber(v, 3))) as never,
        inRange: { color: COLOR_RAMP },
      },
      {
        type: 'piecewise',
        seriesIndex: 1,
        dimension: 2,
        left: 'center',
        bottom: 0,
        orient: 'horizontal',
        itemWidth: 14,
        itemHeight: 10,
        textStyle: { fontSize: 11 },
        pieces: [
          { value: 1, label: 'failed / diverged', color: FAILED_COLOR },
          { value: 0, label: logColor ? 'no value (or ≤ 0)' : 'no value yet', color: EMPTY_COLOR },
        ],
      },
    ],
    series: [
      {
        type: 'heatmap',
        name: input.valueLabel,
        data: valued,
        label: { show: small, fontSize: 10, formatter: ((p: { data: number[] }) => formatNumber(logColor ? 10 ** p.data[2] : p.data[2], 3)) as never },
        itemStyle: { borderColor: input.dark ? '#18181c' : '#ffffff', borderWidth: 1 },
        emphasis: { itemStyle: { borderColor: '#000', borderWidth: 1.5 } },
      },
      {
        type: 'heatmap',
        name: 'failed or without a value',
        data: status,
        label: { show: small, fontSize: 11, color: '#fff', formatter: ((p: { data: number[] }) => (p.data[2] === 1 ? '✕' : '')) as never },
        itemStyle: { borderColor: input.dark ? '#18181c' : '#ffffff', borderWidth: 1 },
      },
      {
        type: 'scatter',
        name: 'some runs failed or diverged',
        data: marks,
        symbol: 'path://M0,0 L10,10 M10,0 L0,10',
        symbolSize: 9,
        itemStyle: { color: 'transparent', borderColor: FAILED_COLOR, borderWidth: 2 },
        z: 5,
      },
    ],
  }
  return { option, valued: valued.length, failedCells: status.filter((s) => s[2] === 1).length + marks.length, emptyCells: status.filter((s) => s[2] === 0).length, nonPositive }
}

// ---------------------------------------------------------------- parallel coordinates

export interface ParallelDim {
  /** `p:NAME` for a param, `s:KEY` for a summary value */
  id: string
  label: string
  log: boolean
  /** string or boolean params: their values in order */
  categories?: string[]
}

export interface ParallelRow {
  runId: string
  values: (number | string | null)[]
}

export interface ParallelInput {
  dims: ParallelDim[]
  rows: ParallelRow[]
  /** the dimension the lines are coloured by */
  colorBy: number
  dark: boolean
}

/** A value for a parallel axis: categories as text; NaN, and values ≤ 0 on a log axis, as missing. */
export function parallelValue(v: unknown, dim: Pick<ParallelDim, 'log' | 'categories'>): number | string | null {
  if (dim.categories) return v === undefined || v === null ? null : String(v)
  if (typeof v !== 'number' || !Number.isFinite(v)) return null
  if (dim.log && v <= 0) return null
  return v
}

export function parallelOptions(input: ParallelInput): EChartsOption {
  const { dims, rows, colorBy } = input
  // a log axis is coloured by log10 of its value: an extra data column that no axis shows
  const logColor = !!dims[colorBy]?.log
  const colorDim = logColor ? dims.length : colorBy
  const data = rows.map((r) => {
    if (!logColor) return r.values
    const v = r.values[colorBy]
    return [...r.values, typeof v === 'number' && v > 0 ? Math.log10(v) : null]
  })
  const colorVals = data.map((r) => r[colorDim]).filter((v): v is number => typeof v === 'number')
  const lo = colorVals.length ? Math.min(...colorVals) : 0
  const hi = colorVals.length ? Math.max(...colorVals) : 1
  const categorical = !!dims[colorBy]?.categories
  return {
    backgroundColor: 'transparent',
    animation: false,
    tooltip: { show: false },
    parallel: { left: 60, right: 110, top: 40, bottom: 30, parallelAxisDefault: { nameLocation: 'end', nameGap: 12, nameTextStyle: { fontSize: 11 }, axisLabel: { fontSize: 10 } } },
    parallelAxis: dims.map((d, i) =>
      d.categories
        ? { dim: i, name: d.label, type: 'category' as const, data: d.categories }
        : { dim: i, name: d.log ? `${d.label} (log)` : d.label, type: d.log ? ('log' as const) : ('value' as const), scale: true, axisLabel: { formatter: (v: number) => formatNumber(v, 3) } },
    ),
    visualMap: categorical
      ? {
          type: 'piecewise',
          dimension: colorBy,
          categories: dims[colorBy].categories,
          right: 0,
          top: 'middle',
          inRange: { color: COLOR_RAMP },
        }
      : {
          type: 'continuous',
          dimension: colorDim,
          min: lo,
          max: hi === lo ? lo + 1 : hi,
          right: 0,
          top: 'middle',
          itemHeight: 140,
          calculable: true,
          text: [dims[colorBy]?.label ?? '', ''],
          textStyle: { fontSize: 11 },
          formatter: ((v: number) => formatNumber(logColor ? 10 ** v : v, 3)) as never,
          inRange: { color: COLOR_RAMP },
        },
    series: [
      {
        type: 'parallel',
        lineStyle: { width: 1.2, opacity: 0.6 },
        inactiveOpacity: 0.05,
        activeOpacity: 1,
        data,
      },
    ],
  }
}

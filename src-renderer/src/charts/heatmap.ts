/**
 * Heatmap charts as pure ECharts options: a matrix metric of one run (cell (i, j) = NAME[i·cols + j])
 * or a summary value over two params of a figure's runs (median over seeds per cell).
 *
 * ECharts draws a cartesian heatmap only on two category axes, so cells sit on category axes
 * whose labels are the cell coordinates; points drawn on top (training data) use a hidden pair
 * of value axes spanning the same pixels (the grid's first cell centre to the last, padded by half
 * a cell), so a point lands where its coordinates are. With `logColor` the colour is log10 of the
 * value and values ≤ 0 are drawn in the floor colour and counted, never dropped.
 */
import type { EChartsOption } from 'echarts'
import type { HeatmapChartSpec } from '../../../src-shared/model'
import { formatNumber } from '../format'
import { expandColumns, FLOOR_COLOR, median, type BuiltChart, type DrawnLine, type SummaryRun } from './options'

export type HeatmapChartSpecLike = Pick<HeatmapChartSpec, 'id' | 'title' | 'source' | 'logColor' | 'diverging' | 'points'> &
  Partial<Pick<HeatmapChartSpec, 'xLabel' | 'yLabel'>>

/** viridis (sequential) and RdBu reversed (diverging, blue < 0 < red) */
export const SEQUENTIAL = ['#440154', '#3b528b', '#21918c', '#5ec962', '#fde725']
export const DIVERGING = ['#2166ac', '#67a9cf', '#f7f7f7', '#ef8a62', '#b2182b']

export interface HeatmapGrid {
  /** the coordinates of the columns (x) and rows (y), in drawing order (row 0 at the bottom) */
  xs: (number | string)[]
  ys: (number | string)[]
  /** cell values, row-major: values[i·xs.length + j]; NaN = no data */
  values: Float64Array
}

/** The coordinate of index k of n evenly spaced over range (the index itself without one). */
function coord(k: number, n: number, range?: [number, number]): number {
  if (!range) return k
  return n > 1 ? range[0] + (k * (range[1] - range[0])) / (n - 1) : range[0]
}

/** A matrix heatmap's grid from a run's vector metric values (component i·cols + j). */
export function matrixGrid(values: ArrayLike<number>, rows: number, cols: number, xRange?: [number, number], yRange?: [number, number]): HeatmapGrid {
  if (values.length !== rows * cols) {
    throw new Error(`heatmap: the matrix metric has ${values.length} components, but rows × cols = ${rows} × ${cols} = ${rows * cols}`)
  }
  return {
    xs: Array.from({ length: cols }, (_, j) => coord(j, cols, xRange)),
    ys: Array.from({ length: rows }, (_, i) => coord(i, rows, yRange)),
    values: Float64Array.from(values),
  }
}

/** A summary heatmap's grid: distinct x and y param values (sorted), the median over runs per cell. */
export function summaryGrid(runs: readonly SummaryRun[], value: string, x: string, y: string): HeatmapGrid {
  const get = (r: SummaryRun, k: string): number | string | undefined => {
    const p = r.params[k]
    if (typeof p === 'number' || typeof p === 'string') return p
    if (typeof p === 'boolean') return String(p)
    return r.summary[k]
  }
  const distinct = (k: string): (number | string)[] => {
    const vs: (number | string)[] = []
    for (const r of runs) {
      const v = get(r, k)
      if (v !== undefined && !vs.includes(v)) vs.push(v)
    }
    return vs.every((v) => typeof v === 'number') ? (vs as number[]).sort((a, b) => a - b) : vs
  }
  const xs = distinct(x)
  const ys = distinct(y)
  const cells = new Map<number, number[]>()
  for (const r of runs) {
    const vx = get(r, x)
    const vy = get(r, y)
    const v = r.summary[value]
    if (vx === undefined || vy === undefined || v === undefined || !Number.isFinite(v)) continue
    const k = ys.indexOf(vy) * xs.length + xs.indexOf(vx)
    if (!cells.has(k)) cells.set(k, [])
    cells.get(k)!.push(v)
  }
  const values = new Float64Array(xs.length * ys.length).fill(NaN)
  for (const [k, vs] of cells) values[k] = median(vs)
  return { xs, ys, values }
}

/**
 * A 'rows' heatmap's grid: one row per recorded row whose y column is finite (sorted by y), one
 * column per component NAME[j] of the vector metric (coordinates xCoords[j], else j).
 */
export function rowsGrid(columns: Record<string, Float64Array>, metric: string, y: string, xCoords?: ArrayLike<number>): HeatmapGrid {
  const comps = expandColumns([metric], Object.keys(columns)).map((c) => columns[c.column])
  const ycol = columns[y] ?? new Float64Array(0)
  const rows: number[] = []
  for (let r = 0; r < ycol.length; r++) if (Number.isFinite(ycol[r]) && comps.some((c) => Number.isFinite(c[r]))) rows.push(r)
  rows.sort((a, b) => ycol[a] - ycol[b])
  const nx = comps.length
  const values = new Float64Array(rows.length * nx).fill(NaN)
  rows.forEach((r, i) => comps.forEach((c, j) => (values[i * nx + j] = c[r])))
  return {
    xs: Array.from({ length: nx }, (_, j) => (xCoords && Number.isFinite(xCoords[j]) ? xCoords[j] : j)),
    ys: rows.map((r) => ycol[r]),
    values,
  }
}

/** A 'runRows' heatmap's grid: one row per distinct y (sorted), columns at the sorted union of the runs' x values. */
export function runRowsGrid(runs: readonly { y: number | string; x: ArrayLike<number>; value: ArrayLike<number> }[]): HeatmapGrid {
  const xsSet = new Set<number>()
  for (const r of runs) for (let k = 0; k < r.x.length; k++) if (Number.isFinite(r.x[k]) && Number.isFinite(r.value[k])) xsSet.add(r.x[k])
  const xs = [...xsSet].sort((a, b) => a - b)
  const ysRaw: (number | string)[] = []
  for (const r of runs) if (!ysRaw.includes(r.y)) ysRaw.push(r.y)
  const ys = ysRaw.every((v) => typeof v === 'number') ? (ysRaw as number[]).sort((a, b) => a - b) : ysRaw
  const cells = new Map<number, number[]>()
  for (const r of runs) {
    const i = ys.indexOf(r.y)
    for (let k = 0; k < r.x.length; k++) {
      if (!Number.isFinite(r.x[k]) || !Number.isFinite(r.value[k])) continue
      const key = i * xs.length + xs.indexOf(r.x[k])
      if (!cells.has(key)) cells.set(key, [])
      cells.get(key)!.push(r.value[k])
    }
  }
  const values = new Float64Array(xs.length * ys.length).fill(NaN)
  for (const [key, vs] of cells) values[key] = median(vs)
  return { xs, ys, values }
}

export interface HeatmapInput {
  spec: HeatmapChartSpecLike
  grid: HeatmapGrid
  /** points over a matrix heatmap, in the grid's coordinates; label's sign picks the marker */
  points?: { x: ArrayLike<number>; y: ArrayLike<number>; label?: ArrayLike<number> }
  xLabel: string
  yLabel: string
  /** the coloured value in words */
  zLabel: string
  dark: boolean
}

const tick = (v: number | string): string => (typeof v === 'number' ? formatNumber(v, 3) : v)

export function heatmapChartOptions(input: HeatmapInput): BuiltChart {
  const { spec, grid, dark } = input
  const nx = grid.xs.length
  const ny = grid.ys.length
  const log = spec.logColor
  let minPos = Infinity
  for (const v of grid.values) if (v > 0 && v < minPos) minPos = v
  // the floor: one decade below the smallest positive value (as on log axes)
  const floorLog = Number.isFinite(minPos) ? Math.floor(Math.log10(minPos)) - 1 : -16
  const data: [number, number, number, number][] = []
  let floored = 0
  let lo = Infinity
  let hi = -Infinity
  for (let i = 0; i < ny; i++) {
    for (let j = 0; j < nx; j++) {
      const v = grid.values[i * nx + j]
      if (!Number.isFinite(v)) continue
      let c = v
      if (log) {
        if (v > 0) c = Math.log10(v)
        else {
          c = floorLog
          floored++
        }
      }
      // floored cells stay below the colour range: drawn in the out-of-range (floor) colour
      if (!(log && v <= 0)) {
        if (c < lo) lo = c
        if (c > hi) hi = c
      }
      data.push([j, i, c, v])
    }
  }
  if (!Number.isFinite(lo)) {
    lo = 0
    hi = 1
  }
  if (spec.diverging && !log) {
    const m = Math.max(Math.abs(lo), Math.abs(hi)) || 1
    lo = -m
    hi = m
  }
  if (hi <= lo) hi = lo + 1
  const fg = dark ? '#d4d4d8' : '#333'
  const series: Record<string, unknown>[] = [
    {
      type: 'heatmap',
      name: input.zLabel,
      data,
      progressive: 0,
      emphasis: { itemStyle: { borderColor: fg, borderWidth: 1 } },
    },
  ]
  const hasPoints = !!input.points && input.points.x.length > 0
  let pointCount = 0
  if (hasPoints) {
    const p = input.points!
    const pos: [number, number][] = []
    const neg: [number, number][] = []
    for (let k = 0; k < p.x.length; k++) {
      const pt: [number, number] = [p.x[k], p.y[k]]
      if (!Number.isFinite(pt[0]) || !Number.isFinite(pt[1])) continue
      pointCount++
      if (p.label && p.label[k] < 0) neg.push(pt)
      else pos.push(pt)
    }
    const scatter = (name: string, pts: [number, number][], symbol: string, color: string): Record<string, unknown> => ({
      type: 'scatter',
      name,
      data: pts,
      xAxisIndex: 1,
      yAxisIndex: 1,
      symbol,
      symbolSize: 9,
      itemStyle: { color, borderColor: dark ? '#000' : '#fff', borderWidth: 1.2 },
      z: 4,
    })
    if (p.label) {
      series.push(scatter('points, label > 0', pos, 'circle', '#e15759'))
      series.push(scatter('points, label < 0', neg, 'triangle', '#4e79a7'))
    } else series.push(scatter('points', pos, 'circle', '#ffffff'))
  }
  // value axes over the same pixels as the category axes: first cell centre − half a cell …
  const span = (vs: (number | string)[]): { min: number; max: number } => {
    const a = vs[0] as number
    const b = vs[vs.length - 1] as number
    const half = vs.length > 1 ? (b - a) / (vs.length - 1) / 2 : 0.5
    return { min: a - half, max: b + half }
  }
  const numeric = (vs: (number | string)[]): boolean => vs.length > 0 && vs.every((v) => typeof v === 'number')
  const valueAxes = hasPoints && numeric(grid.xs) && numeric(grid.ys)
  const names = series.filter((s) => s.type === 'scatter').map((s) => String(s.name))
  const zFmt = (c: number): string => (log ? formatNumber(Math.pow(10, c), 3) : formatNumber(c, 3))
  const option: EChartsOption = {
    backgroundColor: 'transparent',
    animation: false,
    grid: { left: 64, right: 96, top: names.length ? 44 : 26, bottom: 44 },
    legend: names.length ? { top: 0, left: 0, data: names, itemWidth: 12, itemHeight: 8, textStyle: { fontSize: 11 } } : { show: false },
    tooltip: {
      trigger: 'item',
      confine: true,
      formatter: (p: unknown) => {
        const q = p as { seriesType: string; value: number[] }
        if (q.seriesType === 'heatmap') {
          const [j, i, , v] = q.value
          return `${input.xLabel} = ${tick(grid.xs[j])}<br/>${input.yLabel} = ${tick(grid.ys[i])}<br/>${input.zLabel} = ${formatNumber(v)}`
        }
        return `(${formatNumber(q.value[0])}, ${formatNumber(q.value[1])})`
      },
    },
    toolbox: {
      orient: 'vertical',
      right: 0,
      top: 0,
      itemSize: 13,
      feature: { saveAsImage: { title: 'save PNG', pixelRatio: 2, backgroundColor: dark ? '#18181c' : '#ffffff' } },
    },
    xAxis: [
      {
        type: 'category',
        data: grid.xs.map(tick),
        name: input.xLabel,
        nameLocation: 'middle',
        nameGap: 26,
        splitArea: { show: false },
        axisTick: { alignWithLabel: true },
      },
      ...(valueAxes ? [{ type: 'value', ...span(grid.xs), show: false }] : []),
    ],
    yAxis: [
      { type: 'category', data: grid.ys.map(tick), name: input.yLabel, nameLocation: 'end', nameGap: 10, nameTextStyle: { align: 'left' }, axisTick: { alignWithLabel: true } },
      ...(valueAxes ? [{ type: 'value', ...span(grid.ys), show: false }] : []),
    ],
    visualMap: {
      type: 'continuous',
      min: lo,
      max: hi,
      dimension: 2,
      seriesIndex: 0,
      calculable: true,
      orient: 'vertical',
      right: 4,
      top: 'middle',
      itemHeight: 140,
      itemWidth: 12,
      text: [log ? `${input.zLabel} (log)` : input.zLabel, ''],
      textStyle: { fontSize: 10, color: fg },
      formatter: (v: unknown) => zFmt(Number(v)),
      inRange: { color: spec.diverging ? DIVERGING : SEQUENTIAL },
      outOfRange: { color: FLOOR_COLOR },
    },
    series: (valueAxes ? series : series.filter((s) => s.type === 'heatmap')) as EChartsOption['series'],
  } as EChartsOption
  // export: one line per row (x = column coordinate, y = value)
  const lines: DrawnLine[] = []
  if (numeric(grid.xs)) {
    for (let i = 0; i < ny; i++) {
      lines.push({
        name: `${input.yLabel} = ${tick(grid.ys[i])}`,
        color: '#888888',
        x: grid.xs as number[],
        y: Array.from(grid.values.subarray(i * nx, (i + 1) * nx)),
      })
    }
  }
  return {
    option,
    points: data.length + (valueAxes ? pointCount : 0),
    floored,
    floorY: null,
    floorX: null,
    legendRows: names.length ? 1 : 0,
    lines,
  }
}

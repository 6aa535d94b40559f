/**
 * ECharts options from chart specs and data, as pure functions (no DOM, testable in Node).
 *
 * Log axes are true log axes (`type: 'log'`). A log axis cannot show values ≤ 0; instead of
 * dropping them (which hides a solver hitting exactly zero, or iteration 0), they are drawn at
 * a floor one decade below the smallest positive value and marked with a red ▼ series whose
 * legend entry counts them. Theory overlays (hline, powerLaw, geometric, events) are grey and
 * dashed so they read as bounds, not data.
 */
import type { EChartsOption, LineSeriesOption, ScatterSeriesOption } from 'echarts'
import type { MetricSpec, OverlaySpec, RunEvent } from '../../../src-shared/model'
import { emaSmooth } from '../../../src-shared/series'
import { formatLogTick, formatNumber } from '../format'
import { symlog, symlogAxisRange, symlogInverse, symlogTickLabel } from './symlog'

/** Tableau 10: distinguishable, colour-blind tolerable, and readable on light and dark. */
export const PALETTE = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
]
export const colorAt = (i: number): string => PALETTE[((i % PALETTE.length) + PALETTE.length) % PALETTE.length]

export const FLOOR_COLOR = '#d03050'
const overlayColor = (dark: boolean): string => (dark ? '#a0a4ab' : '#6b7280')

export interface SeriesChartSpecLike {
  id: string
  title: string
  y: string[]
  x: string
  logX: boolean
  logY: boolean
  /** symlog y-axis linthresh (see ./symlog.ts); ignored when logY is on */
  symlogY?: number
  overlays: OverlaySpec[]
}

export interface SummaryChartSpecLike {
  id: string
  title: string
  y: string
  x: string
  groupBy?: string
  logX: boolean
  logY: boolean
  overlays: OverlaySpec[]
}

/** One run's data for a series chart: the x column and whatever y columns it has. */
export interface ChartRunData {
  id: string
  /** legend name in multi-run charts (the figure label, or a short id) */
  label: string
  color?: string
  x: Float64Array
  columns: Record<string, Float64Array>
  events?: readonly RunEvent[]
  /** the run's iteration column, to place events when x is not the iteration */
  iteration?: Float64Array
}

export interface BuiltChart {
  option: EChartsOption
  /** data points drawn (overlays excluded), for the chart's `data-points` attribute */
  points: number
  /** values ≤ 0 drawn at the floor of a log axis */
  floored: number
  floorY: number | null
  floorX: number | null
  /** rows the wrapping legend takes (the card grows with them) */
  legendRows: number
  /** the drawn data lines (raw y, before smoothing and floors), for export and rate fits */
  lines?: DrawnLine[]
}

export interface DrawnLine {
  name: string
  color: string
  x: number[]
  y: number[]
}

// ---------------------------------------------------------------- columns

export interface ExpandedColumn {
  metric: string
  column: string
  /** vector component index, or null for a scalar metric */
  component: number | null
}

/**
 * The stored columns a chart's y list draws: a scalar metric is its own column; a vector
 * metric NAME is every NAME[i] column, in component order.
 */
export function expandColumns(y: readonly string[], available: readonly string[]): ExpandedColumn[] {
  const out: ExpandedColumn[] = []
  for (const metric of y) {
    if (available.includes(metric)) {
      out.push({ metric, column: metric, component: null })
      continue
    }
    const prefix = `${metric}[`
    const comps: ExpandedColumn[] = []
    for (const c of available) {
      if (c.startsWith(prefix) && c.endsWith(']')) {
        const i = Number(c.slice(prefix.length, -1))
        if (Number.isInteger(i)) comps.push({ metric, column: c, component: i })
      }
    }
    comps.sort((a, b) => a.component! - b.component!)
    out.push(...comps)
  }
  return out
}

// ---------------------------------------------------------------- log floors

/** One decade below the smallest positive value, rounded to a power of ten. */
export function logFloor(minPositive: number): number {
  if (!(minPositive > 0) || !Number.isFinite(minPositive)) return 1e-16
  // Number('1e-4') is exact where Math.pow(10, -4) is not
  return Number(`1e${Math.floor(Math.log10(minPositive)) - 1}`)
}

export function minPositive(values: Iterable<number>): number {
  let m = Infinity
  for (const v of values) if (v > 0 && v < m && Number.isFinite(v)) m = v
  return m
}

// ---------------------------------------------------------------- axes

/**
 * Log-axis ticks. ECharts ticks a log axis 1 or 10 decades apart and widens the axis to whole
 * multiples of that (a 16-decade range becomes 1e-20..1e10 with four labels). Instead the axis
 * is fixed to the data's whole decades and ticked every `step` decades, about `labels` labels.
 */
const NICE_DECADE_STEPS = [1, 2, 3, 5, 10, 20, 25, 50, 100]

export function logAxisRange(min: number, max: number, labels: number): { lo: number; hi: number; step: number } | null {
  if (!(min > 0) || !(max > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return null
  const lo = Math.floor(Math.log10(min))
  let hi = Math.ceil(Math.log10(max))
  if (hi <= lo) hi = lo + 1
  const raw = (hi - lo) / labels
  const step = NICE_DECADE_STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 100) * 100
  // ticks at multiples of the step (1e-15, 1e-12, … 1), ending on ticks at both ends
  return { lo: Math.floor(lo / step) * step + 0, hi: Math.ceil(hi / step) * step + 0, step } // + 0: never -0
}

export function axisOption(
  kind: 'x' | 'y',
  log: boolean,
  name: string,
  category?: string[],
  extent?: { min: number; max: number },
): Record<string, unknown> {
  const base: Record<string, unknown> = {
    name,
    nameLocation: kind === 'x' ? 'middle' : 'end',
    nameGap: kind === 'x' ? 26 : 10,
    nameTextStyle: kind === 'y' ? { align: 'left' } : undefined,
    splitLine: { show: true, lineStyle: { opacity: 0.35 } },
    axisLine: { onZero: false },
  }
  if (category) return { ...base, type: 'category', data: category, boundaryGap: false }
  if (log) {
    const r = extent ? logAxisRange(extent.min, extent.max, kind === 'y' ? 7 : 6) : null
    return {
      ...base,
      type: 'log',
      logBase: 10,
      // Number('1e-16') is exact where Math.pow(10, -16) is not
      ...(r ? { min: Number(`1e${r.lo}`), max: Number(`1e${r.hi}`), interval: r.step } : {}),
      axisLabel: { formatter: (v: number) => formatLogTick(v) },
      minorTick: { show: !r || r.step === 1 },
    }
  }
  return {
    ...base,
    type: 'value',
    scale: true,
    axisLabel: { formatter: (v: number) => formatNumber(v, 3) },
  }
}

/** a conservative width of the legend row (chart cards are at least ~440 px wide inside) */
const LEGEND_WIDTH = 420
const LEGEND_LINE = 18

/**
 * How many rows a wrapping legend takes, estimated from its names (an 11 px font is about
 * 6.2 px a character; each item adds its icon and gap), so the plot can start below it.
 */
export function legendRows(names: readonly string[], width = LEGEND_WIDTH): number {
  let rows = 1
  let x = 0
  for (const n of names) {
    const w = 18 + 5 + n.length * 6.2 + 10
    if (x > 0 && x + w > width) {
      rows++
      x = 0
    }
    x += w
  }
  return rows
}

/** The legend's data and the grid top that leaves room for it and the y-axis name. */
export function legendLayout(names: string[]): { legend: Record<string, unknown>; gridTop: number; rows: number } {
  const rows = legendRows(names)
  return { legend: { data: names }, gridTop: 26 + rows * LEGEND_LINE, rows }
}

export function commonOption(dark: boolean, tooltipAxis: boolean): EChartsOption {
  return {
    backgroundColor: 'transparent',
    animation: false,
    grid: { left: 64, right: 36, top: 44, bottom: 44 },
    tooltip: {
      trigger: tooltipAxis ? 'axis' : 'item',
      confine: true,
      valueFormatter: (v) => (typeof v === 'number' ? formatNumber(v) : String(v)),
      axisPointer: { type: 'line', snap: false },
    },
    legend: { type: 'plain', top: 0, left: 0, right: 0, itemWidth: 18, itemHeight: 8, itemGap: 10, textStyle: { fontSize: 11 } },
    // a column right of the plot, so neither the legend nor the x-axis name runs into it
    toolbox: {
      orient: 'vertical',
      right: 0,
      top: 'middle',
      itemSize: 13,
      feature: {
        dataZoom: { yAxisIndex: 'none', title: { zoom: 'zoom x', back: 'undo zoom' } },
        restore: { title: 'reset' },
        saveAsImage: { title: 'save PNG', pixelRatio: 2, backgroundColor: dark ? '#18181c' : '#ffffff' },
      },
    },
    dataZoom: [{ type: 'inside', xAxisIndex: 0, filterMode: 'none' }],
  }
}

// ---------------------------------------------------------------- overlays

interface Extent {
  xMin: number
  xMax: number
  yMin: number
  yMax: number
}

/** Sample points uniformly on screen (log-spaced on a log axis). */
function sampleX(xMin: number, xMax: number, log: boolean, n = 96): number[] {
  const out: number[] = []
  if (!(xMax > xMin)) return [xMin]
  if (log) {
    const a = Math.log10(xMin)
    const b = Math.log10(xMax)
    for (let i = 0; i < n; i++) out.push(Math.pow(10, a + ((b - a) * i) / (n - 1)))
  } else for (let i = 0; i < n; i++) out.push(xMin + ((xMax - xMin) * i) / (n - 1))
  return out
}

/** The value of (x, y) data at the x nearest `at` (the anchor of a reference line). */
export function valueNear(x: ArrayLike<number>, y: ArrayLike<number>, at: number, positiveOnly: boolean): number {
  let best = NaN
  let bestD = Infinity
  for (let i = 0; i < x.length; i++) {
    const v = y[i]
    if (!Number.isFinite(v) || (positiveOnly && v <= 0)) continue
    const d = Math.abs(x[i] - at)
    if (d < bestD) {
      bestD = d
      best = v
    }
  }
  return best
}

/** Keep reference lines inside the data's y-range, so a bound never stretches the axes. */
function clipToExtent(points: [number, number][], e: Extent, logY: boolean): [number, number][] {
  const pad = logY ? 0 : 0.05 * (e.yMax - e.yMin)
  const lo = e.yMin - pad
  const hi = e.yMax + pad
  return points.filter(([, y]) => Number.isFinite(y) && y >= lo && y <= hi && (!logY || y > 0))
}

interface OverlayContext {
  extent: Extent
  logX: boolean
  logY: boolean
  dark: boolean
  /** data the power-law and geometric references are anchored through */
  anchor: { x: ArrayLike<number>; y: ArrayLike<number> } | null
  /** x positions of each event name, per run */
  eventPositions: (event: string) => number[]
}

function overlaySeries(overlays: readonly OverlaySpec[], ctx: OverlayContext): LineSeriesOption[] {
  const grey = overlayColor(ctx.dark)
  const base = (name: string): LineSeriesOption => ({
    type: 'line',
    name,
    showSymbol: false,
    symbol: 'none',
    silent: true,
    z: 1,
    color: grey,
    lineStyle: { type: 'dashed', width: 1.25, color: grey },
    emphasis: { disabled: true },
    tooltip: { show: false },
    data: [],
  })
  const { extent: e } = ctx
  const out: LineSeriesOption[] = []
  const xs = sampleX(ctx.logX ? Math.max(e.xMin, Number.MIN_VALUE) : e.xMin, e.xMax, ctx.logX)
  for (const o of overlays) {
    switch (o.kind) {
      case 'hline': {
        const value = ctx.logY && o.value <= 0 ? e.yMin : o.value
        out.push({ ...base(o.label), data: [[e.xMin, value], [e.xMax, value]] })
        break
      }
      case 'powerLaw':
      case 'geometric': {
        if (!ctx.anchor || !Number.isFinite(e.xMin)) break
        const yA = valueNear(ctx.anchor.x, ctx.anchor.y, o.anchorX, ctx.logY)
        if (!Number.isFinite(yA) || (o.kind === 'powerLaw' && !(o.anchorX > 0))) break
        const f =
          o.kind === 'powerLaw'
            ? (x: number) => yA * Math.pow(x / o.anchorX, o.slope)
            : (x: number) => yA * Math.pow(o.rate, x - o.anchorX)
        const pts = xs.filter((x) => o.kind === 'geometric' || x > 0).map((x) => [x, f(x)] as [number, number])
        out.push({ ...base(o.label), data: clipToExtent(pts, e, ctx.logY) })
        break
      }
      case 'events': {
        const positions = ctx.eventPositions(o.event).slice(0, 200)
        if (!positions.length) break // no such event in these runs: no legend entry for it
        out.push({
          ...base(o.label),
          markLine: {
            silent: true,
            symbol: 'none',
            label: { show: false },
            lineStyle: { type: 'dashed', color: grey, width: 1 },
            data: positions.map((x) => ({ xAxis: x })),
          },
        })
        break
      }
    }
  }
  return out
}

// ---------------------------------------------------------------- series charts

export interface SeriesChartInput {
  spec: SeriesChartSpecLike
  metrics: Record<string, MetricSpec>
  /** the x-axis in words, e.g. "iteration", "wall time (ms)", "oracle calls: grad" */
  xLabel: string
  runs: ChartRunData[]
  /** legend by run (figures) rather than by metric (one run) */
  multiRun: boolean
  dark: boolean
  /** debiased EMA weight in [0, 1); 0 = off. On a log y axis it smooths log10 y. */
  smoothing?: number
}

function metricLabel(metrics: Record<string, MetricSpec>, name: string): string {
  return metrics[name]?.label ?? name
}

function yAxisName(spec: SeriesChartSpecLike, metrics: Record<string, MetricSpec>): string {
  if (spec.y.length !== 1) {
    const units = new Set(spec.y.map((m) => metrics[m]?.unit ?? ''))
    return units.size === 1 ? [...units][0] : ''
  }
  const m = metrics[spec.y[0]]
  return m ? `${m.label}${m.unit ? ` (${m.unit})` : ''}` : spec.y[0]
}

function smooth(y: Float64Array, weight: number, logY: boolean): Float64Array {
  if (!logY) return emaSmooth(y, weight)
  const l = Float64Array.from(y, (v) => (v > 0 ? Math.log10(v) : NaN))
  const s = emaSmooth(l, weight)
  return Float64Array.from(s, (v, i) => (Number.isFinite(v) ? Math.pow(10, v) : y[i]))
}

/** Map an event's iteration onto a chart x: the x of the first row at or after it. */
function eventX(run: ChartRunData, iteration: number, xIsIteration: boolean): number | null {
  if (xIsIteration) return iteration
  const it = run.iteration
  if (!it) return null
  for (let i = 0; i < it.length; i++) if (it[i] >= iteration && Number.isFinite(run.x[i])) return run.x[i]
  return null
}

export function seriesChartOptions(input: SeriesChartInput): BuiltChart {
  if (input.spec.symlogY !== undefined && input.spec.symlogY > 0 && !input.spec.logY) return symlogSeriesChart(input, input.spec.symlogY)
  const { spec, metrics, runs, multiRun, dark } = input
  const weight = input.smoothing ?? 0
  const logX = spec.logX
  const logY = spec.logY

  // what to draw: one entry per (run, column), with finite points only (NaN = not recorded)
  interface Line {
    name: string
    color: string
    component: number | null
    xs: number[]
    ys: number[]
    raw: number[] | null
  }
  const lines: Line[] = []
  runs.forEach((run, r) => {
    const cols = expandColumns(spec.y, Object.keys(run.columns))
    cols.forEach((c) => {
      const metricIndex = spec.y.indexOf(c.metric)
      const name = multiRun
        ? spec.y.length > 1
          ? `${run.label} · ${metricLabel(metrics, c.metric)}`
          : run.label
        : metricLabel(metrics, c.metric)
      const color = multiRun ? (run.color ?? colorAt(r)) : colorAt(metricIndex)
      const yRaw = run.columns[c.column]
      const ySm = weight > 0 ? smooth(yRaw, weight, logY) : yRaw
      const xs: number[] = []
      const ys: number[] = []
      const raw: number[] | null = weight > 0 ? [] : null
      const n = Math.min(run.x.length, yRaw.length)
      for (let i = 0; i < n; i++) {
        const xv = run.x[i]
        const yv = ySm[i]
        if (!Number.isFinite(xv) || !Number.isFinite(yv)) continue
        xs.push(xv)
        ys.push(yv)
        raw?.push(yRaw[i])
      }
      lines.push({ name, color, component: c.component, xs, ys, raw })
    })
  })

  // floors: one decade below the smallest positive value on each log axis
  const allY = function* (): Generator<number> {
    for (const l of lines) {
      yield* l.ys
      if (l.raw) yield* l.raw
    }
  }
  const allX = function* (): Generator<number> {
    for (const l of lines) yield* l.xs
  }
  const floorY = logY ? logFloor(minPositive(allY())) : null
  const floorX = logX ? logFloor(minPositive(allX())) : null
  const fy = (v: number): number => (floorY !== null && v <= 0 ? floorY : v)
  const fx = (v: number): number => (floorX !== null && v <= 0 ? floorX : v)

  const series: (LineSeriesOption | ScatterSeriesOption)[] = []
  const flooredPoints: [number, number][] = []
  let floored = 0
  let flooredX = 0
  let flooredY = 0
  let points = 0
  let xMin = Infinity
  let xMax = -Infinity
  let yMin = Infinity
  let yMax = -Infinity
  const legendNames: string[] = []
  const multiComponent = lines.some((l) => l.component !== null && l.component > 0)

  for (const l of lines) {
    const data: [number, number][] = new Array(l.xs.length)
    for (let i = 0; i < l.xs.length; i++) {
      const x0 = l.xs[i]
      const y0 = l.ys[i]
      const x = fx(x0)
      const y = fy(y0)
      if (x !== x0 || y !== y0) {
        floored++
        if (x !== x0) flooredX++
        if (y !== y0) flooredY++
        if (flooredPoints.length < 1000) flooredPoints.push([x, y])
      }
      data[i] = [x, y]
      if (x < xMin) xMin = x
      if (x > xMax) xMax = x
      if (y < yMin) yMin = y
      if (y > yMax) yMax = y
    }
    points += data.length
    if (!legendNames.includes(l.name)) legendNames.push(l.name)
    const isComponent = l.component !== null
    if (l.raw) {
      // TensorBoard style: the raw curve faint behind the smoothed one
      series.push({
        type: 'line',
        name: l.name,
        data: l.xs.map((x, i) => [fx(x), fy(l.raw![i])]),
        showSymbol: false,
        color: l.color,
        lineStyle: { width: 1, opacity: 0.2 },
        emphasis: { disabled: true },
        tooltip: { show: false },
        silent: true,
      })
    }
    series.push({
      type: 'line',
      name: l.name,
      data,
      showSymbol: data.length === 1,
      symbolSize: 4,
      color: l.color,
      lineStyle: { width: isComponent && multiComponent ? 1 : 1.6, opacity: isComponent && multiComponent ? 0.75 : 1 },
      emphasis: { focus: 'series' },
      z: 3,
    })
  }

  if (floored > 0) {
    const name = `≤ 0 drawn at floor (${floored})`
    legendNames.push(name)
    series.push({
      type: 'scatter',
      name,
      data: flooredPoints,
      symbol: 'triangle',
      symbolRotate: 180,
      symbolSize: 7,
      color: FLOOR_COLOR,
      z: 4,
      tooltip: { show: false },
    })
  }

  if (!Number.isFinite(yMin)) {
    yMin = logY ? 1e-16 : 0
    yMax = logY ? 1 : 1
  }
  for (const o of spec.overlays) {
    if (o.kind !== 'hline' || (logY && o.value <= 0)) continue
    yMin = Math.min(yMin, o.value)
    yMax = Math.max(yMax, o.value)
  }
  const extent: Extent = { xMin, xMax, yMin, yMax }
  const firstRun = runs[0]
  const firstCol = firstRun ? expandColumns(spec.y, Object.keys(firstRun.columns))[0] : undefined
  const anchor = firstRun && firstCol ? { x: firstRun.x, y: firstRun.columns[firstCol.column] } : null
  const overlays = Number.isFinite(xMin)
    ? overlaySeries(spec.overlays, {
        extent,
        logX,
        logY,
        dark,
        anchor,
        eventPositions: (event) => {
          const out: number[] = []
          for (const run of runs) {
            for (const ev of run.events ?? []) {
              if (ev.name !== event) continue
              const x = eventX(run, ev.iteration, spec.x === 'iteration')
              if (x !== null) out.push(fx(x))
            }
          }
          return out
        },
      })
    : []
  for (const o of overlays) legendNames.push(o.name as string)
  series.push(...overlays)

  const common = commonOption(dark, lines.length <= 12)
  const lay = legendLayout(legendNames)
  const option: EChartsOption = {
    ...common,
    grid: { ...(common.grid as object), top: lay.gridTop },
    legend: { ...(common.legend as object), ...lay.legend },
    xAxis: axisOption('x', logX, input.xLabel, undefined, { min: xMin, max: xMax }),
    yAxis: axisOption('y', logY, multiRun || spec.y.length > 1 ? yAxisName(spec, metrics) : (metrics[spec.y[0]]?.unit ?? ''), undefined, {
      min: yMin,
      max: yMax,
    }),
    series,
  } as EChartsOption
  const drawn: DrawnLine[] = lines.map((l) => ({ name: l.name, color: l.color, x: l.xs, y: l.raw ?? l.ys }))
  return { option, points, floored, floorY: flooredY ? floorY : null, floorX: flooredX ? floorX : null, legendRows: lay.rows, lines: drawn }
}

/**
 * A series chart on a symlog y-axis: the data (and hline overlays) are drawn at symlog(y) on a
 * linear axis ticked at whole transformed units, labelled and tooltipped with the original
 * values. Power-law and geometric references are straight lines only on log axes: not drawn.
 */
function symlogSeriesChart(input: SeriesChartInput, c: number): BuiltChart {
  const runs = input.runs.map((r) => ({
    ...r,
    columns: Object.fromEntries(Object.entries(r.columns).map(([k, a]) => [k, Float64Array.from(a, (v) => symlog(v, c))])),
  }))
  const overlays = input.spec.overlays.flatMap((o): OverlaySpec[] =>
    o.kind === 'hline' ? [{ ...o, value: symlog(o.value, c) }] : o.kind === 'events' ? [o] : [],
  )
  const built = seriesChartOptions({ ...input, runs, spec: { ...input.spec, logY: false, symlogY: undefined, overlays } })
  let lo = Infinity
  let hi = -Infinity
  for (const r of runs)
    for (const col of expandColumns(input.spec.y, Object.keys(r.columns)))
      for (const v of r.columns[col.column])
        if (Number.isFinite(v)) {
          if (v < lo) lo = v
          if (v > hi) hi = v
        }
  for (const o of overlays) {
    if (o.kind !== 'hline') continue
    lo = Math.min(lo, o.value)
    hi = Math.max(hi, o.value)
  }
  const r = symlogAxisRange(lo, hi)
  const option = built.option as Record<string, unknown>
  const yAxis = option.yAxis as Record<string, unknown>
  option.yAxis = {
    ...yAxis,
    name: `${String(yAxis.name ?? '')}${yAxis.name ? ' ' : ''}[symlog, linear within ±${formatNumber(c)}]`,
    scale: false,
    min: r.min,
    max: r.max,
    interval: r.step,
    axisLabel: { formatter: (t: number) => symlogTickLabel(t, c) },
  }
  option.tooltip = {
    ...(option.tooltip as object),
    valueFormatter: (v: unknown) => (typeof v === 'number' ? formatNumber(symlogInverse(v, c)) : String(v)),
  }
  // exported data in the original units (the inverse is exact up to rounding)
  const lines = built.lines?.map((l) => ({ ...l, y: l.y.map((t) => symlogInverse(t, c)) }))
  return { ...built, lines }
}

// ---------------------------------------------------------------- summary charts

export interface SummaryRun {
  label: string
  params: Record<string, number | string | boolean>
  summary: Record<string, number>
}

export interface SummaryChartInput {
  spec: SummaryChartSpecLike
  runs: SummaryRun[]
  xLabel: string
  yLabel: string
  dark: boolean
}

export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b)
  const m = s.length >> 1
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2
}

/**
 * A summary value of each run against a param (or another summary value), one line per
 * value of `groupBy`. With several runs at one x (seeds), the line goes through their median
 * and every run is drawn as a dot.
 */
export function summaryChartOptions(input: SummaryChartInput): BuiltChart {
  const { spec, runs, dark } = input
  const xOf = (r: SummaryRun): number | string | undefined => {
    const p = r.params[spec.x]
    if (typeof p === 'number' || typeof p === 'string') return p
    if (typeof p === 'boolean') return String(p)
    return r.summary[spec.x]
  }
  const categorical = runs.some((r) => typeof xOf(r) === 'string')
  const categories: string[] = []
  if (categorical) for (const r of runs) {
    const v = String(xOf(r))
    if (!categories.includes(v)) categories.push(v)
  }
  const logX = spec.logX && !categorical
  const logY = spec.logY

  const groups = new Map<string, { x: number | string; y: number }[]>()
  for (const r of runs) {
    const x = xOf(r)
    const y = r.summary[spec.y]
    if (x === undefined || y === undefined || !Number.isFinite(y) || (typeof x === 'number' && !Number.isFinite(x))) continue
    const key = spec.groupBy ? `${spec.groupBy} = ${String(r.params[spec.groupBy] ?? r.summary[spec.groupBy])}` : input.yLabel
    if (!groups.has(key)) groups.set(key, [])
    groups.get(key)!.push({ x: categorical ? String(x) : x, y })
  }

  const ys = [...groups.values()].flat().map((p) => p.y)
  const xsNum = categorical ? [] : [...groups.values()].flat().map((p) => p.x as number)
  const floorY = logY ? logFloor(minPositive(ys)) : null
  const floorX = logX ? logFloor(minPositive(xsNum)) : null
  const fy = (v: number): number => (floorY !== null && v <= 0 ? floorY : v)
  const fx = (v: number | string): number | string => (typeof v === 'number' && floorX !== null && v <= 0 ? floorX : v)

  const series: (LineSeriesOption | ScatterSeriesOption)[] = []
  const legendNames: string[] = []
  const flooredPoints: [number | string, number][] = []
  let floored = 0
  let flooredX = 0
  let flooredY = 0
  let points = 0
  let g = 0
  let anchor: { x: number[]; y: number[] } | null = null
  let xMin = Infinity
  let xMax = -Infinity
  let yMin = Infinity
  let yMax = -Infinity
  const order = (a: number | string, b: number | string): number =>
    categorical ? categories.indexOf(String(a)) - categories.indexOf(String(b)) : (a as number) - (b as number)

  const drawn: DrawnLine[] = []
  for (const [name, pts] of groups) {
    const color = colorAt(g++)
    const byX = new Map<number | string, number[]>()
    for (const p of pts) {
      const x = fx(p.x)
      const y = fy(p.y)
      if (x !== p.x || y !== p.y) {
        floored++
        if (x !== p.x) flooredX++
        if (y !== p.y) flooredY++
        flooredPoints.push([x, y])
      }
      if (!byX.has(x)) byX.set(x, [])
      byX.get(x)!.push(y)
      if (typeof x === 'number') {
        xMin = Math.min(xMin, x)
        xMax = Math.max(xMax, x)
      }
      yMin = Math.min(yMin, y)
      yMax = Math.max(yMax, y)
    }
    points += pts.length
    const keys = [...byX.keys()].sort(order)
    const line = keys.map((k) => [k, median(byX.get(k)!)] as [number | string, number])
    if (!anchor && !categorical) anchor = { x: line.map((p) => p[0] as number), y: line.map((p) => p[1]) }
    legendNames.push(name)
    if (!categorical) drawn.push({ name, color, x: line.map((p) => p[0] as number), y: line.map((p) => p[1]) })
    series.push({ type: 'line', name, data: line, color, symbolSize: 6, showSymbol: true, z: 3, emphasis: { focus: 'series' } })
    if (pts.length > keys.length) {
      series.push({
        type: 'scatter',
        name,
        data: pts.map((p) => [fx(p.x), fy(p.y)]),
        color,
        symbolSize: 4,
        itemStyle: { opacity: 0.45 },
        z: 2,
      })
    }
  }

  if (floored > 0) {
    const name = `≤ 0 drawn at floor (${floored})`
    legendNames.push(name)
    series.push({
      type: 'scatter',
      name,
      data: flooredPoints,
      symbol: 'triangle',
      symbolRotate: 180,
      symbolSize: 8,
      color: FLOOR_COLOR,
      z: 4,
      tooltip: { show: false },
    })
  }

  if (!categorical && Number.isFinite(xMin) && Number.isFinite(yMin)) {
    const overlays = overlaySeries(
      spec.overlays.filter((o) => o.kind !== 'events'),
      { extent: { xMin, xMax, yMin, yMax }, logX, logY, dark, anchor, eventPositions: () => [] },
    )
    for (const o of overlays) legendNames.push(o.name as string)
    series.push(...overlays)
  }

  const common = commonOption(dark, false)
  const lay = legendLayout(legendNames)
  const option: EChartsOption = {
    ...common,
    grid: { ...(common.grid as object), top: lay.gridTop },
    legend: { ...(common.legend as object), ...lay.legend },
    xAxis: axisOption('x', logX, input.xLabel, categorical ? categories : undefined, { min: xMin, max: xMax }),
    yAxis: axisOption('y', logY, input.yLabel, undefined, { min: yMin, max: yMax }),
    series,
  } as EChartsOption
  return { option, points, floored, floorY: flooredY ? floorY : null, floorX: flooredX ? floorX : null, legendRows: lay.rows, lines: drawn }
}

/** The x-axis of a series chart in words. */
export function axisLabel(axis: string, oracles: Record<string, string>): string {
  if (axis === 'iteration') return 'iteration'
  if (axis === 'wallMs') return 'wall time (ms)'
  if (axis.startsWith('oracle:')) {
    const name = axis.slice('oracle:'.length)
    return `${oracles[name] ?? name} (oracle calls)`
  }
  return axis
}

/**
 * `descent plot`: stored runs drawn headless with the same chart options as the app's compare
 * view (the renderer's pure option builder, `seriesChartOptions`), rendered by ECharts'
 * server-side SVG renderer (text stays text) and, for PNG, rasterised by resvg.
 */
import { Resvg } from '@resvg/resvg-js'
import type { EChartsOption } from 'echarts'
import { TitleComponent } from 'echarts/components'
import { init, use } from 'echarts/core'
import type { Run, StudyManifest } from '../../src-shared/model'
import { axisLabel, colorAt, expandColumns, seriesChartOptions, type ChartRunData, type SeriesChartSpecLike } from '../../src-renderer/src/charts/options'
import '../../src-renderer/src/charts/echarts'
import { runLabels } from '../../src-renderer/src/compare/diff'

// the app's chart parts (charts/echarts.ts) plus a title, which a standalone figure needs
use([TitleComponent])

export class PlotError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'PlotError'
  }
}

/** `--x`: the app's x-axis names, or the CLI's short words for them. */
export function resolveXAxis(x: string, manifest: StudyManifest): string {
  if (x === 'iteration') return 'iteration'
  if (x === 'time' || x === 'wallMs') return 'wallMs'
  const oracles = Object.keys(manifest.oracles)
  if (x === 'oracle') {
    if (!oracles.length) throw new PlotError(`--x oracle: study ${manifest.id} counts no oracle calls; use iteration or time`)
    return `oracle:${oracles[0]}`
  }
  if (x.startsWith('oracle:') && oracles.includes(x.slice('oracle:'.length))) return x
  throw new PlotError(`--x ${x}: expected iteration, oracle, time${oracles.length ? ` or one of ${oracles.map((o) => `oracle:${o}`).join(', ')}` : ''}`)
}

export interface PlotRequest {
  metric?: string
  /** iteration | oracle | time | oracle:NAME; default: the chart's own x-axis */
  x?: string
  /** undefined: the chart's (or the metric's) own scale */
  logX?: boolean
  logY?: boolean
}

/**
 * The chart to draw: with `metric`, that metric alone (its preferred y scale); without, the
 * study's first series chart (its default dashboard). Flags override the axes; reference lines
 * anchored in the study's x units are kept only on that x-axis (as the app does).
 */
export function plotSpec(manifest: StudyManifest, req: PlotRequest): SeriesChartSpecLike {
  const first = manifest.charts.find((c) => c.kind === 'series') as (SeriesChartSpecLike & { kind: 'series' }) | undefined
  let base: SeriesChartSpecLike
  if (req.metric) {
    const m = manifest.metrics[req.metric]
    if (!m) throw new PlotError(`--metric ${req.metric}: not a metric of ${manifest.id}; allowed: ${Object.keys(manifest.metrics).join(', ')}`)
    const own = manifest.charts.find((c) => c.kind === 'series' && c.y.length === 1 && c.y[0] === req.metric) as SeriesChartSpecLike | undefined
    base = own
      ? { ...own }
      : { id: `plot-${req.metric}`, title: m.label, y: [req.metric], x: 'iteration', logX: false, logY: m.scale === 'log', overlays: [] }
  } else if (first) {
    base = { id: first.id, title: first.title, y: first.y, x: first.x, logX: first.logX, logY: first.logY, overlays: first.overlays }
  } else {
    throw new PlotError(`study ${manifest.id} declares no series chart; give --metric (one of ${Object.keys(manifest.metrics).join(', ')})`)
  }
  const x = req.x ? resolveXAxis(req.x, manifest) : base.x
  return {
    ...base,
    x,
    logX: req.logX ?? (x === base.x ? base.logX : false),
    logY: req.logY ?? base.logY,
    overlays: x === base.x ? base.overlays : base.overlays.filter((o) => o.kind === 'hline' || o.kind === 'events'),
  }
}

/** A run's decimated series, as `runs:series` returns it (x and y columns by name). */
export type SeriesFetch = (run: Run, x: string, y: string[], logX: boolean) => Promise<Record<string, Float64Array>>

export interface PlotResult {
  option: EChartsOption
  spec: SeriesChartSpecLike
  /** data points drawn (decimated) */
  points: number
  labels: string[]
}

/** Build the ECharts option for runs of one study, exactly as the compare view does. */
export async function buildPlot(runs: Run[], manifest: StudyManifest, req: PlotRequest, fetch: SeriesFetch): Promise<PlotResult> {
  if (!runs.length) throw new PlotError('plot: give one or more RUN ids')
  const other = runs.find((r) => r.study !== manifest.id)
  if (other) throw new PlotError(`plot: run ${other.id} is of study ${other.study}, not ${manifest.id}; plot runs of one study together`)
  const spec = plotSpec(manifest, req)
  const labels = runLabels(runs)
  const data: ChartRunData[] = []
  for (const [i, run] of runs.entries()) {
    if (!run.columns.includes(spec.x)) {
      throw new PlotError(`run ${run.id} did not record x-axis "${spec.x}"; recorded: ${run.columns.join(', ')}`)
    }
    const ys = expandColumns(spec.y, run.columns).map((c) => c.column)
    if (!ys.length) throw new PlotError(`run ${run.id} recorded none of ${spec.y.join(', ')}`)
    const columns = await fetch(run, spec.x, ys, spec.logX)
    const y: Record<string, Float64Array> = {}
    for (const c of ys) if (columns[c]) y[c] = columns[c]
    data.push({ id: run.id, label: runs.length > 1 ? labels[i] : (run.label ?? run.id), color: colorAt(i), x: columns[spec.x], columns: y, events: run.events })
  }
  const built = seriesChartOptions({
    spec,
    metrics: manifest.metrics,
    xLabel: axisLabel(spec.x, manifest.oracles),
    runs: data,
    multiRun: runs.length > 1,
    dark: false,
  })
  return { option: built.option, spec, points: built.points, labels }
}

/**
 * The option drawn by ECharts' SVG renderer with no DOM (as the app's SVG export): toolbox off,
 * no animation, white background, the chart's title above the plot.
 */
export function renderSvg(option: EChartsOption, opts: { width: number; height: number; title?: string }): string {
  const chart = init(null as unknown as Parameters<typeof init>[0], undefined, { renderer: 'svg', ssr: true, width: opts.width, height: opts.height })
  try {
    const titled = opts.title !== undefined
    const grid = option.grid as { top?: number } | undefined
    const legend = option.legend as Record<string, unknown> | undefined
    chart.setOption({
      ...option,
      animation: false,
      backgroundColor: '#ffffff',
      toolbox: { show: false },
      ...(titled
        ? {
            title: { text: opts.title, left: 'center', top: 4, textStyle: { fontSize: 13, fontWeight: 600 } },
            legend: { ...legend, top: 26 },
            grid: { ...grid, top: (grid?.top ?? 44) + 26, right: 24 },
          }
        : { grid: { ...grid, right: 24 } }),
    } as EChartsOption)
    return chart.renderToSVGString()
  } finally {
    chart.dispose()
  }
}

/** SVG to PNG at `scale` device pixels per SVG pixel (2 or 3 for print), with the system fonts. */
export function svgToPng(svg: string, scale: number): { png: Buffer; width: number; height: number } {
  const r = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: scale },
    background: '#ffffff',
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans', sansSerifFamily: 'DejaVu Sans' },
  })
  const img = r.render()
  return { png: img.asPng(), width: img.width, height: img.height }
}

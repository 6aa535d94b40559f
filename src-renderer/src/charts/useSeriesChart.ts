/**
 * The data side of a series chart: for each run, the stream buffer while it runs (decimated
 * for drawing at every redraw tick) or the stored, decimated series once it has finished.
 * Returns the built ECharts option; the chart component only draws it.
 */
import { computed, watchEffect, type Ref } from 'vue'
import type { StudyManifest, Run } from '../../../src-shared/model'
import { isTerminal } from '../../../src-shared/model'
import { decimateMinMax } from '../../../src-shared/series'
import { useLive } from '../stores/live'
import { MAX_POINTS, useSeries } from '../stores/series'
import { useSeriesDetail } from '../stores/seriesDetail'
import { mergeDetail } from '../compare/detail'
import { useSettings } from '../stores/settings'
import {
  axisLabel,
  expandColumns,
  seriesChartOptions,
  type BuiltChart,
  type ChartRunData,
  type SeriesChartSpecLike,
} from './options'

export interface ChartRun {
  run: Run
  label: string
  color?: string
}

export function useSeriesChart(
  spec: Ref<SeriesChartSpecLike>,
  manifest: Ref<StudyManifest>,
  runs: Ref<ChartRun[]>,
  multiRun: Ref<boolean>,
  /** a zoomed x-window: finished runs re-fetch it from main at full detail (null: the whole run) */
  detailWindow?: Ref<[number, number] | null>,
): { built: Ref<BuiltChart>; loading: Ref<boolean>; error: Ref<string | null> } {
  const live = useLive()
  const series = useSeries()
  const settings = useSettings()
  const detail = useSeriesDetail()

  // a running run opened mid-way needs its stored history in front of the stream
  watchEffect(() => {
    for (const r of runs.value) if (!isTerminal(r.run.status)) void live.ensureHistory(r.run)
  })

  const needsIteration = computed(() => spec.value.x !== 'iteration' && spec.value.overlays.some((o) => o.kind === 'events'))

  // Status events arrive as often as metric batches; rebuild only when something drawn changed
  // (the throttled tick, a stored series arriving, the runs' identity/state, the settings).
  let lastKey = ''
  let last: { built: BuiltChart; loading: boolean; error: string | null } | null = null
  const state = computed(() => {
    const key = [
      live.tick,
      series.version,
      detail.version,
      JSON.stringify(detailWindow?.value ?? null),
      settings.theme,
      settings.smoothing,
      multiRun.value,
      JSON.stringify(spec.value),
      ...runs.value.map((r) => `${r.run.id}:${(live.runs.get(r.run.id) ?? r.run).status}:${r.label}:${r.color ?? ''}`),
    ].join('|')
    if (last && key === lastKey) return last
    lastKey = key
    const t0 = performance.now()
    last = build()
    live.reportDrawCost(performance.now() - t0)
    return last
  })

  function build(): { built: BuiltChart; loading: boolean; error: string | null } {
    const s = spec.value
    const data: ChartRunData[] = []
    let loading = false
    let error: string | null = null
    for (const r of runs.value) {
      const run = live.runs.get(r.run.id) ?? r.run
      const buffer = live.buffers.get(run.id)
      const base = { id: run.id, label: r.label, color: r.color, events: run.events }
      if (isTerminal(run.status) && run.points > 0) {
        const ys = expandColumns(s.y, run.columns).map((c) => c.column)
        const wanted = needsIteration.value && !ys.includes('iteration') ? [...ys, 'iteration'] : ys
        const payload = ys.length ? series.get(run.id, s.x, wanted, s.logX) : undefined
        if (payload && 'error' in payload) {
          error = payload.error
        } else if (payload) {
          let cols = payload.columns
          const win = detailWindow?.value
          // zoomed into a decimated run: the window's own detail replaces the overview inside it
          if (win && payload.total > payload.length) {
            const d = detail.get(run.id, s.x, wanted, s.logX, win[0], win[1])
            if (d && !('error' in d)) cols = mergeDetail(payload.columns, d.columns, s.x, win[0], win[1])
          }
          const columns: Record<string, Float64Array> = {}
          for (const y of ys) if (cols[y]) columns[y] = cols[y]
          data.push({ ...base, x: cols[s.x] ?? new Float64Array(0), columns, iteration: cols.iteration })
          continue
        } else if (ys.length) loading = true
      }
      if (buffer && buffer.length > 0) {
        const x = buffer.column(s.x)
        if (!x) continue
        const cols = expandColumns(s.y, buffer.columnNames())
        const ysArr = cols.map((c) => buffer.column(c.column)!)
        const idx = decimateMinMax(x, ysArr, MAX_POINTS, s.logX)
        const pick = (a: Float64Array): Float64Array => Float64Array.from(idx, (i) => a[i])
        const columns: Record<string, Float64Array> = {}
        cols.forEach((c, j) => (columns[c.column] = pick(ysArr[j])))
        const it = buffer.column('iteration')
        data.push({ ...base, x: pick(x), columns, iteration: it ? pick(it) : undefined })
      }
    }
    const built = seriesChartOptions({
      spec: s,
      metrics: manifest.value.metrics,
      xLabel: axisLabel(s.x, manifest.value.oracles),
      runs: data,
      multiRun: multiRun.value,
      dark: settings.theme === 'dark',
      smoothing: settings.smoothing,
    })
    return { built, loading, error }
  }

  return {
    built: computed(() => state.value.built),
    loading: computed(() => state.value.loading),
    error: computed(() => state.value.error),
  }
}

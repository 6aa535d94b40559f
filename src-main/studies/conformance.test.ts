/**
 * The conformance suite every registered study passes (Benchopt's idea): the manifest is valid
 * and self-consistent, every figure preset's params resolve, and the solver is deterministic
 * and finite. Each solver runs twice from its defaults for a short wall-clock slice (cancelled
 * cooperatively), and the common prefix of the two recordings must be bit-identical.
 */
import { describe, expect, it } from 'vitest'
import { BUILTIN_AXES } from '../../src-shared/model'
import { resolveStudyParams, joinBatches } from '../kit/harness'
import { CancelledError, executeSolve, type MetricBatch } from '../kit/recorder'
import { evaluateRunClaims, makeRunView, summarize } from '../kit/runview'
import type { StudyDefinition } from '../kit/define'
import { studies } from './registry'

/**
 * Each slice is 1.5 s of this process's CPU time (a wall-clock slice records nothing on a loaded
 * machine), extended until the first batch of rows arrives: a study whose setup (dd-hparam's
 * 600-task utility table) outlasts the slice on a slow machine would otherwise record nothing.
 * SLICE_CAP_MS bounds the extension so that a solver that never records still ends the test.
 */
const SLICE_MS = 1500
const SLICE_CAP_MS = 60_000

function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

async function slice(study: StudyDefinition, seed: number) {
  const params = resolveStudyParams(study, {})
  const batches: MetricBatch[] = []
  // set before the call: a synchronous solver runs inside executeSolve's first step
  const start = cpuMs()
  const deadline = start + SLICE_MS
  const cap = start + SLICE_CAP_MS
  let completed = true
  try {
    await executeSolve(study, params, {
      seed,
      oracles: Object.keys(study.oracles ?? {}),
      isCancelled: () => {
        const now = cpuMs()
        return now > cap || (now > deadline && batches.some((b) => b.count > 0))
      },
      onBatch: (b) => batches.push(b),
    })
  } catch (err) {
    if (!(err instanceof CancelledError)) throw err
    completed = false
  }
  return { params, completed, ...joinBatches(batches), events: batches.flatMap((b) => b.events) }
}

const all = [...studies().values()]

describe('study registry', () => {
  it('finds the study folders', () => {
    expect(all.length).toBeGreaterThanOrEqual(2)
  })
})

describe.each(all.map((s) => [s.manifest.id, s] as const))('%s conforms', (_id, { definition, manifest }) => {
  it('has a self-consistent manifest', () => {
    const axes = new Set<string>([...BUILTIN_AXES, ...Object.keys(manifest.oracles).map((o) => `oracle:${o}`)])
    for (const chart of [...manifest.charts, ...manifest.figures.flatMap((f) => f.charts)]) {
      if (chart.kind === 'series') {
        for (const y of chart.y) expect(manifest.metrics, `chart ${chart.id} plots unknown metric ${y}`).toHaveProperty([y])
        expect(axes.has(chart.x) || chart.x in manifest.metrics, `chart ${chart.id}: unknown x-axis ${chart.x}`).toBe(true)
      }
      // matrix heatmaps and vector histograms read a vector metric; points are vector metrics too
      if (chart.kind === 'heatmap' && chart.source.from === 'matrix') {
        for (const m of [chart.source.metric, chart.points?.x, chart.points?.y, chart.points?.label].filter((v): v is string => !!v)) {
          expect(manifest.metrics[m]?.vector, `chart ${chart.id}: ${m} is not a vector metric`).toBe(true)
        }
        for (const d of [chart.source.rows, chart.source.cols]) {
          if (typeof d === 'string') expect(manifest.params[d]?.type, `chart ${chart.id}: rows/cols name ${d}, not an integer param`).toBe('integer')
        }
      }
      if (chart.kind === 'heatmap' && chart.source.from === 'rows') {
        expect(manifest.metrics[chart.source.metric]?.vector, `chart ${chart.id}: ${chart.source.metric} is not a vector metric`).toBe(true)
        if (chart.source.xValues) expect(manifest.metrics, `chart ${chart.id}: unknown xValues ${chart.source.xValues}`).toHaveProperty([chart.source.xValues])
        expect(axes.has(chart.source.y) || chart.source.y in manifest.metrics, `chart ${chart.id}: unknown row column ${chart.source.y}`).toBe(true)
        for (const m of [chart.points?.x, chart.points?.y, chart.points?.label].filter((v): v is string => !!v)) {
          expect(manifest.metrics[m]?.vector, `chart ${chart.id}: point metric ${m} is not a vector metric`).toBe(true)
        }
      }
      if (chart.kind === 'heatmap' && chart.source.from === 'runRows') {
        expect(manifest.metrics, `chart ${chart.id}: unknown metric ${chart.source.value}`).toHaveProperty([chart.source.value])
        expect(axes.has(chart.source.x) || chart.source.x in manifest.metrics, `chart ${chart.id}: unknown column ${chart.source.x}`).toBe(true)
      }
      if (chart.kind === 'heatmap' && chart.source.from === 'summary') {
        for (const p of [chart.source.x, chart.source.y]) expect(p in manifest.params, `chart ${chart.id}: unknown param ${p}`).toBe(true)
      }
      if (chart.kind === 'histogram' && chart.source.from === 'vector') {
        expect(manifest.metrics[chart.source.metric]?.vector, `chart ${chart.id}: ${chart.source.metric} is not a vector metric`).toBe(true)
      }
      if (chart.kind === 'histogram' && chart.source.from === 'column') {
        // a scalar metric, or one component NAME[i] of a vector metric
        const base = chart.source.metric.replace(/\[\d+\]$/, '')
        expect(manifest.metrics, `chart ${chart.id}: unknown metric ${chart.source.metric}`).toHaveProperty([base])
      }
    }
    const figureIds = manifest.figures.map((f) => f.id)
    expect(new Set(figureIds).size).toBe(figureIds.length)
    for (const c of manifest.claims) if (c.scope === 'figure') expect(figureIds).toContain(c.figure)
    for (const f of manifest.figures) {
      const labels = f.runs.map((r) => r.label)
      expect(new Set(labels).size, `figure ${f.id} has duplicate run labels`).toBe(labels.length)
    }
    expect(manifest.paper.arxiv).toMatch(/^\d{4}\.\d{4,5}$/)
  })

  it('resolves the params of every figure preset', () => {
    for (const f of definition.figures ?? []) {
      for (const r of f.runs) expect(() => resolveStudyParams(definition, r.params), `${f.id}/${r.label}`).not.toThrow()
    }
  })

  it('records finite, bit-identical metrics for the same seed', async () => {
    const a = await slice(definition, 1)
    const b = await slice(definition, 1)
    const n = Math.min(a.length, b.length)
    expect(n, 'the solver recorded nothing within the slice').toBeGreaterThan(0)
    for (const name of Object.keys(a.columns)) {
      if (name === 'wallMs') continue
      // a column first recorded late may be missing from a recording cut off earlier
      if (!(name in b.columns) && !b.completed && b.length < a.length) continue
      const x = a.columns[name].subarray(0, n)
      const y = b.columns[name]?.subarray(0, n)
      expect(y, `column ${name}`).toBeDefined()
      expect(Buffer.from(x.buffer, x.byteOffset, x.byteLength).equals(Buffer.from(y!.buffer, y!.byteOffset, y!.byteLength)), `column ${name} differs`).toBe(true)
    }
    // summaries and run-scope claims are evaluable on a partial run (verdicts may be either)
    const view = makeRunView({ label: null, params: a.params, seed: 1, status: 'cancelled', summary: {}, events: a.events, columns: a.columns })
    expect(() => summarize(definition, view, a.columns)).not.toThrow()
    expect(() => evaluateRunClaims(definition, view)).not.toThrow()
  })
})

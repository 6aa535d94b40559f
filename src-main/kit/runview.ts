/**
 * RunView over stored series: what claims and summaries read. Also the summary rule shared by
 * the worker pool and the in-process harness: the last finite value of every metric column,
 * then whatever the study's `summarize` adds.
 */
import type { ClaimResult, Params, RunEvent, RunStatus } from '../../src-shared/model'
import type { ClaimDefinition, FigureView, RunView, StudyDefinition } from './define'

export interface RunViewInput {
  label: string | null
  params: Params
  seed: number
  status: RunStatus
  summary: Record<string, number>
  events: readonly RunEvent[]
  columns: Record<string, Float64Array>
}

export function makeRunView(input: RunViewInput): RunView {
  const { columns } = input
  const column = (name: string): Float64Array => {
    const c = columns[name]
    if (!c) {
      throw new Error(`no column "${name}" in this run; recorded: ${Object.keys(columns).join(', ')}`)
    }
    return c
  }
  const iterationIndex = (iteration: number): number => {
    // iterations are non-decreasing: binary search for the last row at `iteration`
    const it = column('iteration')
    let lo = 0
    let hi = it.length - 1
    let found = -1
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1
      if (it[mid] <= iteration) {
        if (it[mid] === iteration) found = mid
        lo = mid + 1
      } else hi = mid - 1
    }
    return found
  }
  return {
    label: input.label,
    params: input.params,
    seed: input.seed,
    status: input.status,
    summary: input.summary,
    events: input.events,
    column,
    at(metric, iteration) {
      const i = iterationIndex(iteration)
      return i < 0 ? NaN : column(metric)[i]
    },
    last(metric) {
      const c = column(metric)
      for (let i = c.length - 1; i >= 0; i--) if (Number.isFinite(c[i])) return c[i]
      return NaN
    },
    firstBelow(metric, threshold) {
      const c = column(metric)
      const it = column('iteration')
      for (let i = 0; i < c.length; i++) if (c[i] <= threshold) return it[i]
      return Infinity
    },
  }
}

export function makeFigureView(runs: RunView[]): FigureView {
  return {
    runs,
    run(label) {
      const r = runs.find((x) => x.label === label)
      if (!r) throw new Error(`no run labelled "${label}" in this figure; labels: ${runs.map((x) => x.label).join(', ')}`)
      return r
    },
  }
}

/** Last finite value of every metric column, plus the study's own summary values. */
export function summarize(study: StudyDefinition, view: RunView, columns: Record<string, Float64Array>): Record<string, number> {
  const out: Record<string, number> = {}
  for (const name of Object.keys(columns)) {
    if (name === 'wallMs' || name === 'iteration' || name.startsWith('oracle:')) continue
    const v = view.last(name)
    if (Number.isFinite(v)) out[name] = v
  }
  // a run that failed before its first record has no columns at all
  if (!('iteration' in columns)) return out
  const it = view.last('iteration')
  if (Number.isFinite(it)) out.iterations = it
  for (const o of Object.keys(study.oracles ?? {})) {
    const v = view.last(`oracle:${o}`)
    if (Number.isFinite(v)) out[`oracle:${o}`] = v
  }
  if (study.summarize) {
    for (const [k, v] of Object.entries(study.summarize(view))) if (Number.isFinite(v)) out[k] = v
  }
  return out
}

function verdict(claim: ClaimDefinition, run: () => { passed: boolean; measured: string }): ClaimResult {
  try {
    const v = run()
    return { id: claim.id, text: claim.text, passed: v.passed, measured: v.measured }
  } catch (err) {
    return { id: claim.id, text: claim.text, passed: false, measured: `not evaluable: ${(err as Error).message}` }
  }
}

/** Run-scope claims that apply to this run's params. */
export function evaluateRunClaims(study: StudyDefinition, view: RunView): ClaimResult[] {
  const out: ClaimResult[] = []
  for (const claim of study.claims ?? []) {
    if (claim.scope !== 'run') continue
    if (claim.appliesTo && !claim.appliesTo(view.params)) continue
    out.push(verdict(claim, () => claim.check(view)))
  }
  return out
}

/** Figure-scope claims of one figure, over the runs of one reproduction of it. */
export function evaluateFigureClaims(study: StudyDefinition, figureId: string, figure: FigureView): ClaimResult[] {
  const out: ClaimResult[] = []
  for (const claim of study.claims ?? []) {
    if (claim.scope !== 'figure' || claim.figure !== figureId) continue
    out.push(verdict(claim, () => claim.check(figure)))
  }
  return out
}

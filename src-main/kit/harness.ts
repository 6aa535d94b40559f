/**
 * In-process execution of a run or a figure, for study tests and `npm run test:claims`:
 * the same Recorder, summary and claim code the worker pool uses, without threads or a database.
 */
import type { ClaimResult, Params, RunEvent, RunStatus } from '../../src-shared/model'
import { resolveParams } from '../../src-shared/params'
import type { FigureDefinition, RunView, StudyDefinition } from './define'
import { DivergedError, executeSolve, type MetricBatch } from './recorder'
import { evaluateFigureClaims, evaluateRunClaims, makeFigureView, makeRunView, summarize } from './runview'

export interface LocalRun {
  view: RunView
  status: RunStatus
  error: string | null
  summary: Record<string, number>
  claims: ClaimResult[]
  columns: Record<string, Float64Array>
  events: RunEvent[]
}

/** Resolve params with the study's own checks; throws with every issue listed. */
export function resolveStudyParams(study: StudyDefinition, input: Record<string, unknown>): Params {
  const r = resolveParams(study.params, input)
  if (!r.ok) throw new Error(r.issues.map((i) => i.message).join('\n'))
  const extra = study.validate?.(r.params as never) ?? []
  if (extra.length) throw new Error(extra.join('\n'))
  return r.params
}

/** Concatenate batches into whole columns (NaN-padded where a column started late). */
export function joinBatches(batches: MetricBatch[]): { length: number; columns: Record<string, Float64Array> } {
  const length = batches.reduce((n, b) => n + b.count, 0)
  const columns: Record<string, Float64Array> = {}
  for (const b of batches) {
    for (const [name, values] of Object.entries(b.columns)) {
      columns[name] ??= new Float64Array(length).fill(NaN)
      columns[name].set(values, b.start)
    }
  }
  return { length, columns }
}

export async function runLocal(
  study: StudyDefinition,
  input: Record<string, unknown>,
  seed: number,
  label: string | null = null,
): Promise<LocalRun> {
  const params = resolveStudyParams(study, input)
  const batches: MetricBatch[] = []
  let status: RunStatus = 'done'
  let error: string | null = null
  try {
    await executeSolve(study, params, {
      seed,
      oracles: Object.keys(study.oracles ?? {}),
      isCancelled: () => false,
      onBatch: (b) => batches.push(b),
    })
  } catch (err) {
    status = err instanceof DivergedError ? 'diverged' : 'failed'
    error = (err as Error).message
  }
  const { columns } = joinBatches(batches)
  const events = batches.flatMap((b) => b.events)
  const base = { label, params, seed, status, events, columns }
  const pre = makeRunView({ ...base, summary: {} })
  const summary = summarize(study, pre, columns)
  const view = makeRunView({ ...base, summary })
  return { view, status, error, summary, claims: evaluateRunClaims(study, view), columns, events }
}

export interface LocalFigure {
  runs: LocalRun[]
  claims: ClaimResult[]
}

export async function reproduceLocal(study: StudyDefinition, figureId: string, seed: number): Promise<LocalFigure> {
  const figure: FigureDefinition | undefined = study.figures?.find((f) => f.id === figureId)
  if (!figure) throw new Error(`unknown figure "${figureId}"; available: ${(study.figures ?? []).map((f) => f.id).join(', ')}`)
  const runs: LocalRun[] = []
  for (const r of figure.runs) runs.push(await runLocal(study, r.params, seed, r.label))
  const claims = evaluateFigureClaims(study, figureId, makeFigureView(runs.map((r) => r.view)))
  return { runs, claims }
}

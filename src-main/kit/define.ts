/**
 * The study kit: what a study folder declares (`defineStudy`) and what its solver sees (`SolveContext`).
 * A study imports this module and `numeric/` only.
 */
import type {
  ChartSpecInput,
  ClaimInfo,
  MetricSpec,
  ParamSpec,
  Params,
  RunEvent,
  RunStatus,
} from '../../src-shared/model'
import type { Rng } from '../numeric/rng'

// ---------------------------------------------------------------- param builders

type Common = { label: string; help: string }
type NumOpts = Common & {
  default: number
  min?: number
  max?: number
  exclusiveMin?: boolean
  exclusiveMax?: boolean
  log?: boolean
  unit?: string
}

/** Param spec builders: `param.number({...})`, `param.integer`, `param.choice`, `param.boolean`. */
export const param = {
  number: <const O extends NumOpts>(o: O) => ({ type: 'number' as const, ...o }),
  integer: <const O extends NumOpts>(o: O) => ({ type: 'integer' as const, ...o }),
  choice: <const C extends readonly string[]>(o: Common & { default: C[number]; choices: C }) => ({
    type: 'choice' as const,
    label: o.label,
    help: o.help,
    default: o.default as string,
    choices: [...o.choices] as string[] as C[number][],
  }),
  boolean: (o: Common & { default: boolean }) => ({ type: 'boolean' as const, ...o }),
  text: (o: Common & { default: string; maxLength: number; multiline?: boolean }) => ({ type: 'text' as const, ...o }),
}

/** Typed params from their specs: numbers for number/integer, the literal union for choices. */
export type ParamsOf<S extends Record<string, ParamSpec>> = {
  readonly [K in keyof S]: S[K] extends { type: 'choice'; choices: (infer C)[] }
    ? C
    : S[K] extends { type: 'boolean' }
      ? boolean
      : S[K] extends { type: 'text' }
        ? string
        : number
}

// ---------------------------------------------------------------- solving

export interface SolveContext {
  /** the run's seed */
  readonly seed: number
  /** the default random stream ("main") */
  readonly rng: Rng
  /** an independent random stream derived from the seed and `name` (e.g. "data", "init") */
  stream(name: string): Rng
  /**
   * Record metric values at an iteration. Vector metrics take an array. Every value must be
   * finite: NaN or ±Infinity ends the run as `diverged`, naming the metric and the iteration.
   */
  record(iteration: number, values: Record<string, number | ArrayLike<number>>): void
  /** Mark an event (e.g. "fix" when a balancing step fires), drawn as a marker on charts. */
  event(name: string, iteration: number, message?: string): void
  /** Count oracle calls, e.g. `ctx.count('grad', m)`; each counter is also an x-axis. */
  count(oracle: string, n?: number): void
  /** Report progress in [0, 1] (the progress bar and its ETA). */
  progress(fraction: number): void
  /** True once the user cancelled: return promptly. Checked within the solver's loop. */
  readonly cancelled: boolean
}

// ---------------------------------------------------------------- claims

/** What a claim's check sees of one run. */
export interface RunView {
  readonly label: string | null
  readonly params: Params
  readonly seed: number
  readonly status: RunStatus
  readonly summary: Record<string, number>
  readonly events: readonly RunEvent[]
  /** the whole recorded column (an x-axis or a metric; vector components as NAME[i]) */
  column(name: string): Float64Array
  /** the metric's value at the recorded iteration `iteration` (NaN when it was not recorded) */
  at(metric: string, iteration: number): number
  /** the metric's last finite value */
  last(metric: string): number
  /** the first recorded iteration at which the metric is ≤ threshold (Infinity if never) */
  firstBelow(metric: string, threshold: number): number
}

export interface FigureView {
  readonly runs: readonly RunView[]
  /** the run with this label (throws, naming the labels there are, when missing) */
  run(label: string): RunView
}

export interface ClaimVerdict {
  passed: boolean
  /** the measured margin, e.g. "relError 3.0e-10 ≤ 1e-9 at t = 250" */
  measured: string
}

export type ClaimDefinition =
  | {
      id: string
      text: string
      scope: 'run'
      /** which runs the claim speaks about (all runs when omitted) */
      appliesTo?: (params: Params) => boolean
      check: (run: RunView) => ClaimVerdict
    }
  | {
      id: string
      text: string
      scope: 'figure'
      figure: string
      check: (figure: FigureView) => ClaimVerdict
    }

// ---------------------------------------------------------------- figures

export interface FigureDefinition {
  id: string
  title: string
  description: string
  runs: { label: string; params: Params }[]
  charts: ChartSpecInput[]
  seeds?: number[]
}

// ---------------------------------------------------------------- the study

export interface StudyDefinition<S extends Record<string, ParamSpec> = Record<string, ParamSpec>> {
  id: string
  title: string
  paper: { title: string; authors: string; year: number; arxiv: string }
  /** the phenomenon in a few sentences, shown in the catalog */
  summary: string
  params: S
  metrics: Record<string, MetricSpec>
  oracles?: Record<string, string>
  /**
   * The default dashboard. Chart kinds: 'series' (metrics against an x-axis; log or symlog y),
   * 'summary' (a summary value against a param, over a figure's runs), 'heatmap' and 'histogram'.
   * A matrix is recorded as a vector metric in row-major order, NAME[i·cols + j] (the recorder
   * stores vectors as NAME[0], NAME[1], …), and a heatmap declares its rows and cols
   * (`source: { from: 'matrix', metric, rows, cols, xRange?, yRange?, at? }`), read from the
   * run's last row or iteration `at`; a grid of summary values over two params is
   * `source: { from: 'summary', value, x, y }` (median over seeds per cell). A histogram bins a
   * vector metric's components per run (`from: 'vector'`), a scalar metric's values over a run's
   * rows (`from: 'column'`, e.g. an eigenvalue recorded once per index) or a summary value over the runs.
   */
  charts: ChartSpecInput[]
  figures?: FigureDefinition[]
  claims?: ClaimDefinition[]
  /** impossible combinations of otherwise valid params, as messages naming the params */
  validate?: (params: ParamsOf<S>) => string[]
  /** advice that does not block a run (e.g. "the step budget is below 2·ln(1/α)") */
  warnings?: (params: ParamsOf<S>) => string[]
  /** derived read-only values shown beside the form, e.g. the step budget η0/(1−ρ) */
  derived?: (params: ParamsOf<S>) => Record<string, number>
  /** summary values beyond the last value of each metric (fitted slopes, first-hit times) */
  summarize?: (run: RunView) => Record<string, number>
  /** the solver; runs in a worker thread */
  solve: (params: ParamsOf<S>, ctx: SolveContext) => void | Promise<void>
}

/** A study folder's `study.ts` default-exports the result of `defineStudy`. */
export function defineStudy<const S extends Record<string, ParamSpec>>(def: StudyDefinition<S>): StudyDefinition {
  return def as unknown as StudyDefinition
}

export type { ClaimInfo }

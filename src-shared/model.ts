/**
 * The domain model shared by main and renderer: study manifests (what a study declares),
 * runs, projects and sweeps (what the run history stores). Pure TypeScript + zod only.
 */
import { z } from 'zod'

// ---------------------------------------------------------------- params

export const NumberParamSpec = z.object({
  type: z.literal('number'),
  label: z.string(),
  default: z.number(),
  min: z.number().optional(),
  max: z.number().optional(),
  /** exclusive bounds, for open intervals such as ρ ∈ (0, 1) */
  exclusiveMin: z.boolean().optional(),
  exclusiveMax: z.boolean().optional(),
  log: z.boolean().optional(),
  unit: z.string().optional(),
  help: z.string(),
})
export const IntegerParamSpec = NumberParamSpec.extend({ type: z.literal('integer') })
export const ChoiceParamSpec = z.object({
  type: z.literal('choice'),
  label: z.string(),
  default: z.string(),
  choices: z.array(z.string()).min(1),
  help: z.string(),
})
export const BooleanParamSpec = z.object({
  type: z.literal('boolean'),
  label: z.string(),
  default: z.boolean(),
  help: z.string(),
})
/** Free text, e.g. a CSV table the user pastes or imports from a file (the form offers both). */
export const TextParamSpec = z.object({
  type: z.literal('text'),
  label: z.string(),
  default: z.string(),
  maxLength: z.number().int().positive(),
  multiline: z.boolean().optional(),
  help: z.string(),
})
export const ParamSpec = z.discriminatedUnion('type', [
  NumberParamSpec,
  IntegerParamSpec,
  ChoiceParamSpec,
  BooleanParamSpec,
  TextParamSpec,
])
export type ParamSpec = z.infer<typeof ParamSpec>
export type ParamValue = number | string | boolean
export type Params = Record<string, ParamValue>
export const ParamsSchema = z.record(z.string(), z.union([z.number(), z.string(), z.boolean()]))

// ---------------------------------------------------------------- metrics, axes, charts

export const MetricSpec = z.object({
  label: z.string(),
  unit: z.string().optional(),
  scale: z.enum(['log', 'linear']),
  /** a vector metric is recorded as NAME[0], NAME[1], ... (e.g. all singular values) */
  vector: z.boolean().optional(),
  help: z.string().optional(),
  /** a wall-clock reading (differs on every run by nature): replay reports it as not compared */
  wallClock: z.boolean().optional(),
})
export type MetricSpec = z.infer<typeof MetricSpec>

/** Built-in x-axes every run records; studies add oracle counters as `oracle:NAME`. */
export const BUILTIN_AXES = ['iteration', 'wallMs'] as const
export type AxisName = string

export const OverlaySpec = z.discriminatedUnion('kind', [
  /** a horizontal reference line, e.g. the floor η_T set by a step schedule */
  z.object({ kind: z.literal('hline'), value: z.number(), label: z.string() }),
  /**
   * A power-law reference y = c·x^slope (a straight line on log-log axes), anchored so that
   * it passes through the first plotted run's value at x = anchorX. Drawn dashed: a bound, not data.
   */
  z.object({ kind: z.literal('powerLaw'), slope: z.number(), anchorX: z.number(), label: z.string() }),
  /** a geometric reference y = c·rate^x (a straight line on semilog-y axes), anchored at anchorX */
  z.object({ kind: z.literal('geometric'), rate: z.number(), anchorX: z.number(), label: z.string() }),
  /** vertical markers at the iterations of a recorded event, e.g. when a balancing step fired */
  z.object({ kind: z.literal('events'), event: z.string(), label: z.string() }),
])
export type OverlaySpec = z.infer<typeof OverlaySpec>

export const SeriesChartSpec = z.object({
  kind: z.literal('series'),
  id: z.string(),
  title: z.string(),
  /** metric names; a vector metric draws all its components */
  y: z.array(z.string()).min(1),
  x: z.string().default('iteration'),
  logX: z.boolean().default(false),
  logY: z.boolean().default(false),
  /**
   * A symlog y-axis (matplotlib's): linear within ±symlogY (the linthresh), log10 outside, sign
   * kept; for data that crosses zero over many decades (a signed Hessian spectrum). Ignored
   * when logY is on.
   */
  symlogY: z.number().positive().optional(),
  overlays: z.array(OverlaySpec).default([]),
  /** in a figure: only runs whose label matches one of these (all runs when omitted) */
  runs: z.array(z.string()).optional(),
})
export const SummaryChartSpec = z.object({
  kind: z.literal('summary'),
  id: z.string(),
  title: z.string(),
  /** a summary value of each run */
  y: z.string(),
  /** a param (or summary value) on the x-axis */
  x: z.string(),
  /** one line per distinct value of this param */
  groupBy: z.string().optional(),
  logX: z.boolean().default(false),
  logY: z.boolean().default(false),
  overlays: z.array(OverlaySpec).default([]),
  runs: z.array(z.string()).optional(),
})
/**
 * Where a heatmap's cells come from.
 * - 'matrix': a vector metric read as a rows × cols matrix in row-major order, cell (i, j) =
 *   NAME[i·cols + j], of one run (the first of the chart's runs) at its last recorded row or at
 *   iteration `at`. Row i is drawn at y = yRange[0] + i·(yRange[1] − yRange[0])/(rows − 1) (row
 *   0 at the bottom), column j likewise along xRange; without ranges, the indices.
 * - 'summary': a summary value of a figure's runs over two params (x, y), the median over the
 *   runs (seeds) that share a cell.
 */
export const HeatmapSource = z.discriminatedUnion('from', [
  z.object({
    from: z.literal('matrix'),
    metric: z.string(),
    /** a count, or the name of the integer param that sets it (e.g. a grid size) */
    rows: z.union([z.number().int().positive(), z.string()]),
    cols: z.union([z.number().int().positive(), z.string()]),
    at: z.number().int().nonnegative().optional(),
    xRange: z.tuple([z.number(), z.number()]).optional(),
    yRange: z.tuple([z.number(), z.number()]).optional(),
  }),
  z.object({ from: z.literal('summary'), value: z.string(), x: z.string(), y: z.string() }),
  /**
   * A vector metric recorded once per row (e.g. a cost per grid ω on each instance's row): one
   * heatmap row per recorded row with a finite `y` column (its coordinate, rows sorted by it),
   * one column per component; `xValues` gives the components' coordinates: a vector metric (its
   * last value) or a scalar metric (its finite values in row order); the indices without one.
   */
  z.object({ from: z.literal('rows'), metric: z.string(), y: z.string(), xValues: z.string().optional() }),
  /**
   * One heatmap row per run of a figure, at its param (or summary value) `y`; the cells are the
   * run's recorded values of the scalar metric `value` at the values of its recorded column `x`
   * (e.g. one slice of a 2-D map per run). Runs sharing a cell give their median.
   */
  z.object({ from: z.literal('runRows'), value: z.string(), x: z.string(), y: z.string() }),
])
export type HeatmapSource = z.infer<typeof HeatmapSource>
export const HeatmapChartSpec = z.object({
  kind: z.literal('heatmap'),
  id: z.string(),
  title: z.string(),
  source: HeatmapSource,
  xLabel: z.string().optional(),
  yLabel: z.string().optional(),
  /** colour by log10 of the value (values ≤ 0 are drawn in the floor colour and counted) */
  logColor: z.boolean().default(false),
  /** a colour scale symmetric about 0 (blue < 0 < red), e.g. a network's signed output */
  diverging: z.boolean().default(false),
  /**
   * Points drawn over a matrix or rows heatmap, from vector metrics of the same run (a rows
   * heatmap reads them at its last row): x and y coordinates, and optionally a class whose sign
   * picks the marker (e.g. the training points and labels).
   */
  points: z.object({ x: z.string(), y: z.string(), label: z.string().optional() }).optional(),
  runs: z.array(z.string()).optional(),
})
/**
 * Where a histogram's values come from.
 * - 'vector': the components of a vector metric, per run (one bar series per run, shared bins),
 *   at the last recorded row or at iteration `at`;
 * - 'summary': a summary value over a figure's runs, one series per value of `groupBy`;
 * - 'column': the recorded values of a scalar metric over all of a run's rows, per run.
 */
export const HistogramSource = z.discriminatedUnion('from', [
  z.object({ from: z.literal('vector'), metric: z.string(), at: z.number().int().nonnegative().optional() }),
  z.object({ from: z.literal('summary'), value: z.string(), groupBy: z.string().optional() }),
  /** every recorded value of a scalar metric (or of one component NAME[i]) over a run's rows, e.g. an eigenvalue recorded per index */
  z.object({ from: z.literal('column'), metric: z.string() }),
])
export type HistogramSource = z.infer<typeof HistogramSource>
export const HistogramChartSpec = z.object({
  kind: z.literal('histogram'),
  id: z.string(),
  title: z.string(),
  source: HistogramSource,
  bins: z.number().int().min(1).max(1000).default(30),
  /** the bins' span; the data's min..max when omitted (values outside are counted, not drawn) */
  range: z.tuple([z.number(), z.number()]).optional(),
  /** bin counts on a log axis (empty bins are left empty) */
  logY: z.boolean().default(false),
  /** counts divided by each series' total (fractions), to compare runs of different sizes */
  normalize: z.boolean().default(false),
  xLabel: z.string().optional(),
  runs: z.array(z.string()).optional(),
})
export const ChartSpec = z.discriminatedUnion('kind', [SeriesChartSpec, SummaryChartSpec, HeatmapChartSpec, HistogramChartSpec])
export type HeatmapChartSpec = z.infer<typeof HeatmapChartSpec>
export type HistogramChartSpec = z.infer<typeof HistogramChartSpec>
export type ChartSpec = z.infer<typeof ChartSpec>
export type ChartSpecInput = z.input<typeof ChartSpec>

// ---------------------------------------------------------------- figures and claims

export const FigureRunSpec = z.object({
  /** a short, unique label within the figure, e.g. "sym k=5" */
  label: z.string(),
  params: ParamsSchema,
})
export const FigureSpec = z.object({
  id: z.string(),
  title: z.string(),
  description: z.string(),
  runs: z.array(FigureRunSpec).min(1),
  charts: z.array(ChartSpec).min(1),
  /** seeds the preset runs by default (the figure is reproduced once per seed) */
  seeds: z.array(z.number().int()).default([0]),
})
export type FigureSpec = z.infer<typeof FigureSpec>

export const ClaimInfo = z.object({
  id: z.string(),
  /** the sentence the claim checks, with its threshold */
  text: z.string(),
  scope: z.enum(['run', 'figure']),
  /** for scope 'figure': the figure whose runs it reads */
  figure: z.string().optional(),
})
export type ClaimInfo = z.infer<typeof ClaimInfo>

export const ClaimResult = z.object({
  id: z.string(),
  text: z.string(),
  passed: z.boolean(),
  /** the measured margin in words and numbers, e.g. "error 3.1e-11 ≤ 1e-8 at t = 600" */
  measured: z.string(),
})
export type ClaimResult = z.infer<typeof ClaimResult>

// ---------------------------------------------------------------- the manifest sent to clients

export const PaperInfo = z.object({
  title: z.string(),
  authors: z.string(),
  year: z.number().int(),
  arxiv: z.string(),
})
export const StudyManifest = z.object({
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'kebab-case'),
  title: z.string(),
  paper: PaperInfo,
  summary: z.string(),
  params: z.record(z.string(), ParamSpec),
  metrics: z.record(z.string(), MetricSpec),
  /** oracle counters the solver increments; each is also an x-axis `oracle:NAME` */
  oracles: z.record(z.string(), z.string()),
  charts: z.array(ChartSpec),
  figures: z.array(FigureSpec),
  claims: z.array(ClaimInfo),
  codeHash: z.string(),
})
export type StudyManifest = z.infer<typeof StudyManifest>

// ---------------------------------------------------------------- run history

export const RUN_STATUSES = [
  'queued',
  'running',
  'done',
  'failed',
  'cancelled',
  'interrupted',
  'diverged',
] as const
export const RunStatus = z.enum(RUN_STATUSES)
export type RunStatus = z.infer<typeof RunStatus>
export const isTerminal = (s: RunStatus): boolean => s !== 'queued' && s !== 'running'

export interface RunEvent {
  name: string
  iteration: number
  message?: string
}

export interface Run {
  id: string
  projectId: string
  sweepId: string | null
  study: string
  /** figure preset and the run's label within it, when launched from one */
  figure: string | null
  label: string | null
  params: Params
  seed: number
  paramsHash: string
  codeHash: string
  appVersion: string
  platform: string
  status: RunStatus
  createdAt: number
  startedAt: number | null
  endedAt: number | null
  durationMs: number | null
  /** fraction done in [0, 1] */
  progress: number
  /** why the run failed; a run whose metrics could not be stored starts with STORAGE_FAILURE */
  error: string | null
  /** iteration at which a failure or divergence happened */
  errorStep: number | null
  summary: Record<string, number>
  claims: ClaimResult[]
  events: RunEvent[]
  tags: string[]
  notes: string
  /** column names stored for this run: x-axes then metrics */
  columns: string[]
  points: number
}

export interface Project {
  id: string
  name: string
  createdAt: number
  runCount: number
}

export interface Sweep {
  id: string
  projectId: string
  study: string
  figure: string | null
  createdAt: number
  spec: unknown
  runIds: string[]
}

/** One run's series, column-major: every column has `length` values; NaN where not recorded. */
export interface SeriesData {
  runId: string
  length: number
  columns: Record<string, Float64Array>
}

/** The prefix of `Run.error` when a run ended because the run database refused its metrics. */
export const STORAGE_FAILURE = 'could not store metrics'

/** true for a run that failed because its metrics could not be written (a storage problem, not the solver's) */
export function isStorageFailure(run: Pick<Run, 'status' | 'error'>): boolean {
  return run.status === 'failed' && !!run.error?.startsWith(STORAGE_FAILURE)
}

/**
 * The one contract between renderer and main: every call (`domain:verb`) with its zod input
 * schema and output type, and every event. The workbench implements each call once; the
 * Electron (ipcMain + preload) and web (WebSocket) transports are both generated from this map,
 * and main validates every payload with these schemas before it reaches the workbench.
 *
 * Adding a channel: one entry here and one method in `src-main/workbench`. A missing method is
 * a compile error there.
 */
import { z } from 'zod'
import type { ParamIssue } from './params'
import type { ClaimResult, Params, Project, Run, StudyManifest, Sweep } from './model'
import { ParamsSchema, RunStatus } from './model'
import { ExportFormat, ExportSelection, RunFilter, RunFilterShape, RunSortKey, type ExportedFile, type ImportReport } from './runquery'

const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ or -')
const StudyId = z.string().min(1).max(100)
const Seed = z.number().int().min(0).max(2 ** 31 - 1)

export const RunSort = z.enum(['createdAt', 'study', 'status', 'durationMs', 'seed'])

/** Decimated series of one run: x and the requested y columns, min/max kept per bucket. */
export interface SeriesPayload {
  runId: string
  x: string
  /** number of stored rows before decimation */
  total: number
  /** row count of the returned arrays */
  length: number
  columns: Record<string, Float64Array>
}

export interface ValidationResult {
  ok: boolean
  params: Params | null
  issues: ParamIssue[]
  warnings: string[]
  derived: Record<string, number>
}

export interface AppInfo {
  version: string
  dbPath: string
  platform: string
  transport: 'electron' | 'web'
  workers: number
}

/** `runs:replay`: the run re-run with the same config, and how far its curves are from the original's. */
export interface ReplayResult {
  runId: string
  newRunId: string
  /** status of the new run (a replay of a failed run may fail again) */
  status: Run['status']
  /** largest |old − new| over all compared columns and rows; 0 when code and platform match; null: not comparable (rows or columns differ, or NaN in one run only) */
  maxAbsDiff: number | null
  /** the same per metric and per x-axis (vector components fold into their metric) */
  perMetric: Record<string, number | null>
  rows: number
  rowsOld: number
  rowsNew: number
  /** not compared: wall-clock columns */
  excluded: string[]
  codeHashMatches: boolean
  platformMatches: boolean
}

export interface SweepDetail extends Sweep {
  claims: ClaimResult[]
  status: 'running' | 'done'
  /** progress, ETA and pause/cancel state (absent from older hosts) */
  control?: SweepControl
}

/**
 * A sweep's dispatch state. `paused`: no new runs start, running ones finish. `stopped`: it has
 * missing runs but nothing runs in this process (the app was closed or it was interrupted);
 * `sweeps:resume` runs only the missing ones.
 */
export type SweepState = 'running' | 'paused' | 'stopped' | 'cancelled' | 'done'
export interface SweepControl {
  state: SweepState
  total: number
  /** runs in a terminal status (done, failed, diverged, cancelled, interrupted) */
  finished: number
  done: number
  /** failed or diverged */
  failed: number
  cancelled: number
  running: number
  queued: number
  /** the mean wall time of this sweep's runs that ended on their own, ms */
  meanRunMs: number | null
  /** estimated ms until the sweep finishes (until the running runs finish, when paused) */
  etaMs: number | null
  workers: number
  /** when this was computed (epoch ms), so a client can count the ETA down */
  at: number
}

/**
 * The largest .sqlite the app imports over the api (12 MB): its base64 in one WebSocket message
 * stays under the web host's 16 MiB frame limit. Bigger files: `descent merge`.
 */
export const MAX_IMPORT_BYTES = 12_000_000

/**
 * Every call, by channel. `read: true` marks a call that only reads the run database: its
 * success says nothing about whether writes work again (the renderer's storage banner waits
 * for a write). A new channel without it counts as a write.
 */
export const api = {
  'app:info': { read: true, input: z.object({}).strict(), output: null as unknown as AppInfo },

  'studies:list': { read: true, input: z.object({}).strict(), output: null as unknown as StudyManifest[] },
  'studies:validate': { read: true,
    input: z.object({ study: StudyId, params: z.record(z.string(), z.unknown()) }).strict(),
    output: null as unknown as ValidationResult,
  },

  'projects:list': { read: true, input: z.object({}).strict(), output: null as unknown as Project[] },
  'projects:create': {
    input: z.object({ name: z.string().trim().min(1).max(200) }).strict(),
    output: null as unknown as Project,
  },
  'projects:rename': {
    input: z.object({ id: Id, name: z.string().trim().min(1).max(200) }).strict(),
    output: null as unknown as Project,
  },
  'projects:delete': { input: z.object({ id: Id }).strict(), output: null as unknown as { deleted: number } },

  'runs:start': {
    input: z
      .object({
        study: StudyId,
        params: ParamsSchema,
        seed: Seed.optional(),
        projectId: Id.optional(),
      })
      .strict(),
    output: null as unknown as Run,
  },
  'runs:reproduce': {
    input: z
      .object({ study: StudyId, figure: z.string().min(1).max(100), seed: Seed.optional(), projectId: Id.optional() })
      .strict(),
    output: null as unknown as SweepDetail,
  },
  'runs:cancel': { input: z.object({ id: Id }).strict(), output: null as unknown as Run },
  /** re-run a finished run with the same study, params and seed, and compare the curves */
  'runs:replay': { input: z.object({ id: Id }).strict(), output: null as unknown as ReplayResult },
  'runs:get': { read: true, input: z.object({ id: Id }).strict(), output: null as unknown as Run },
  'runs:list': { read: true,
    input: z
      .object({
        projectId: Id.optional(),
        study: StudyId.optional(),
        status: RunStatus.optional(),
        search: z.string().max(200).optional(),
        tag: RunFilterShape.tag,
        claims: RunFilterShape.claims,
        ranges: RunFilterShape.ranges,
        sweepId: RunFilterShape.sweepId,
        /** a run column, or params.NAME / summary.NAME */
        sort: RunSortKey.default('createdAt'),
        desc: z.boolean().default(true),
        limit: z.number().int().min(1).max(1000).default(100),
        offset: z.number().int().min(0).default(0),
      })
      .strict(),
    output: null as unknown as { runs: Run[]; total: number },
  },
  'runs:series': { read: true,
    input: z
      .object({
        id: Id,
        x: z.string().min(1).max(200).default('iteration'),
        y: z.array(z.string().min(1).max(200)).max(200).optional(),
        /** target points per column; buckets keep min and max so no extreme is dropped */
        maxPoints: z.number().int().min(10).max(1_000_000).default(2000),
        logX: z.boolean().default(false),
        /** an x-range to zoom into (re-fetches detail) */
        xMin: z.number().optional(),
        xMax: z.number().optional(),
      })
      .strict(),
    output: null as unknown as SeriesPayload,
  },
  'runs:update': {
    input: z
      .object({ id: Id, tags: z.array(z.string().trim().min(1).max(64)).max(50).optional(), notes: z.string().max(100_000).optional() })
      .strict(),
    output: null as unknown as Run,
  },
  'runs:delete': { input: z.object({ ids: z.array(Id).min(1).max(10_000) }).strict(), output: null as unknown as { deleted: number } },
  /** every run id matching a filter, in table order ("select all matching"; at most 10,000) */
  'runs:ids': { read: true,
    input: RunFilter.extend({ sort: RunSortKey.default('createdAt'), desc: z.boolean().default(true) }).strict(),
    output: null as unknown as { ids: string[]; total: number },
  },
  /** undo a delete within its window (src-shared/runquery.ts UNDO_WINDOW_MS) */
  'runs:restore': { input: z.object({ ids: z.array(Id).min(1).max(10_000) }).strict(), output: null as unknown as { restored: number } },
  'runs:move': {
    input: z.object({ ids: z.array(Id).min(1).max(10_000), projectId: Id }).strict(),
    output: null as unknown as { moved: number },
  },
  /** checked runs, a project or a sweep as long-format CSV or JSON, or a self-contained .sqlite */
  'runs:export': { read: true,
    input: z.object({ selection: ExportSelection, format: ExportFormat }).strict(),
    output: null as unknown as ExportedFile,
  },
  /** merge a .sqlite run database (bytes as base64); runs already here (same id) are skipped */
  'runs:import': {
    input: z.object({ fileName: z.string().min(1).max(255), base64: z.string().min(1).max(Math.ceil(MAX_IMPORT_BYTES / 3) * 4) }).strict(),
    output: null as unknown as ImportReport,
  },

  'sweeps:start': {
    input: z
      .object({
        study: StudyId,
        base: ParamsSchema.default({}),
        grid: z.record(z.string(), z.array(z.union([z.number(), z.string(), z.boolean()])).min(1).max(1000)).default({}),
        random: z.record(z.string(), z.object({ lo: z.number(), hi: z.number(), log: z.boolean() }).strict()).default({}),
        samples: z.number().int().min(1).max(100_000).default(1),
        seeds: z.array(Seed).min(1).max(10_000).default([0]),
        projectId: Id.optional(),
        /** only count the runs (the launch form shows it before starting) */
        dryRun: z.boolean().default(false),
      })
      .strict(),
    output: null as unknown as { sweepId: string | null; planned: number; skipped: number; launched: string[] },
  },
  'sweeps:get': { read: true, input: z.object({ id: Id }).strict(), output: null as unknown as SweepDetail },
  /** stop dispatching the sweep's queued runs; running ones finish */
  'sweeps:pause': { input: z.object({ id: Id }).strict(), output: null as unknown as SweepDetail },
  /** dispatch again; a sweep with nothing held in this process re-plans and runs only its missing runs */
  'sweeps:resume': { input: z.object({ id: Id }).strict(), output: null as unknown as SweepDetail },
  /** cancel the sweep's queued and running runs */
  'sweeps:cancel': { input: z.object({ id: Id }).strict(), output: null as unknown as SweepDetail },
  'sweeps:list': { read: true,
    input: z.object({ projectId: Id.optional() }).strict(),
    output: null as unknown as SweepDetail[],
  },
} as const

export type Api = typeof api
export type Channel = keyof Api
export type Input<C extends Channel> = z.input<Api[C]['input']>
export type ParsedInput<C extends Channel> = z.output<Api[C]['input']>
export type Output<C extends Channel> = Api[C]['output']

/** Events main pushes to every client. */
export interface Events {
  /** a run was created or changed status or progress */
  'runs:status': Run
  /** a batch of newly recorded rows (about ten a second per running run) */
  'runs:metrics': { runId: string; start: number; count: number; columns: Record<string, Float64Array> }
  /** a figure reproduction or sweep changed (a run finished, its claims were evaluated, it was paused, resumed or cancelled) */
  'sweeps:status': SweepDetail
}
export type EventName = keyof Events

/** The client the renderer holds, whatever the transport. */
export type Client = {
  [C in Channel]: (input: Input<C>) => Promise<Output<C>>
} & {
  on<E extends EventName>(event: E, handler: (payload: Events[E]) => void): () => void
}

/** Error shape every transport returns for a rejected call. */
export interface ApiErrorPayload {
  code: 'invalid-input' | 'not-found' | 'conflict' | 'storage' | 'internal'
  message: string
  issues?: { path: string; message: string }[]
}

export class ApiError extends Error {
  constructor(
    readonly code: ApiErrorPayload['code'],
    message: string,
    readonly issues?: ApiErrorPayload['issues'],
  ) {
    super(message)
    this.name = 'ApiError'
  }
  toPayload(): ApiErrorPayload {
    return { code: this.code, message: this.message, ...(this.issues ? { issues: this.issues } : {}) }
  }
}

export const channels = Object.keys(api) as Channel[]

/** true for the calls marked `read: true` in the map: they never write the run database */
export function isReadChannel(channel: Channel): boolean {
  return 'read' in api[channel]
}

/** Validate an input against its channel's schema; throws ApiError('invalid-input') naming every bad field. */
export function parseInput<C extends Channel>(channel: C, payload: unknown): ParsedInput<C> {
  const schema = api[channel].input
  const r = schema.safeParse(payload ?? {})
  if (r.success) return r.data as ParsedInput<C>
  const issues = r.error.issues.map((i) => ({
    path: i.path.join('.') || '(payload)',
    message: i.message,
  }))
  throw new ApiError(
    'invalid-input',
    `${channel}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    issues,
  )
}

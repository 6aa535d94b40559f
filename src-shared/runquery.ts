/**
 * The runs table's query language, shared by the api schema, the store (which turns it into
 * SQL) and the renderer: filters, sort keys (a run column, or any param or summary value) and
 * the delete-with-undo window.
 */
import { z } from 'zod'
import { RunStatus } from './model'

/** Sort keys that are run columns; any other key is `params.NAME` or `summary.NAME`. */
export const RUN_COLUMN_SORTS = ['createdAt', 'study', 'status', 'durationMs', 'seed', 'id', 'label', 'points'] as const
export type RunColumnSort = (typeof RUN_COLUMN_SORTS)[number]

/** `params.NAME` or `summary.NAME`; NAME is a param or summary key (no quotes or backslashes). */
const VALUE_FIELD = /^(params|summary)\.[^"\\\u0000-\u001f]{1,100}$/
export const RunValueField = z.string().regex(VALUE_FIELD, 'params.NAME or summary.NAME')
export type RunValueField = `params.${string}` | `summary.${string}`

export const RunSortKey = z.union([z.enum(RUN_COLUMN_SORTS), RunValueField])
export type RunSortKey = RunColumnSort | RunValueField

export const ClaimOutcome = z.enum(['passed', 'failed', 'none'])
export type ClaimOutcome = z.infer<typeof ClaimOutcome>

/** A numeric window on a param or summary value; runs without that value are left out. */
export const ValueRange = z
  .object({ field: RunValueField, min: z.number().optional(), max: z.number().optional() })
  .strict()
  .refine((r) => r.min === undefined || r.max === undefined || r.min <= r.max, { message: 'min must be ≤ max', path: ['min'] })
export type ValueRange = z.infer<typeof ValueRange>

const Id = z.string().min(1).max(64).regex(/^[A-Za-z0-9_-]+$/, 'letters, digits, _ or -')

/** Which runs: every field narrows the set (AND). */
export const RunFilterShape = {
  projectId: Id.optional(),
  study: z.string().min(1).max(100).optional(),
  status: RunStatus.optional(),
  /** substring of id, study, label, tags, notes or params (case-insensitive for ASCII) */
  search: z.string().max(200).optional(),
  sweepId: Id.optional(),
  /** runs carrying exactly this tag */
  tag: z.string().trim().min(1).max(64).optional(),
  /** passed: every claim passed; failed: at least one failed; none: no claim evaluated */
  claims: ClaimOutcome.optional(),
  ranges: z.array(ValueRange).max(20).optional(),
}
export const RunFilter = z.object(RunFilterShape).strict()
export type RunFilter = z.infer<typeof RunFilter>

/**
 * Deleted runs stay in the database, hidden, for this long (the "Undo" toast); a run deleted
 * longer ago than this plus a grace period (for an undo already on the wire) is purged by the
 * next process that opens the file or by the running one's housekeeping.
 */
export const UNDO_WINDOW_MS = 10_000
export const PURGE_GRACE_MS = 5_000

/** Export formats of a selection of runs. */
export const ExportFormat = z.enum(['csv', 'json', 'sqlite'])
export type ExportFormat = z.infer<typeof ExportFormat>

/** Which runs to export: exactly one of the checked runs, a project, or a sweep. */
export const ExportSelection = z
  .object({
    ids: z.array(Id).min(1).max(10_000).optional(),
    projectId: Id.optional(),
    sweepId: Id.optional(),
  })
  .strict()
  .refine((s) => [s.ids, s.projectId, s.sweepId].filter((x) => x !== undefined).length === 1, {
    message: 'give exactly one of ids, projectId or sweepId',
    path: ['ids'],
  })
export type ExportSelection = z.infer<typeof ExportSelection>

/** A file made in main and handed to the renderer to save (bytes as base64, any transport). */
export interface ExportedFile {
  fileName: string
  mime: string
  base64: string
  runs: number
}

/** What an import or merge did: nothing already present is overwritten. */
export interface ImportReport {
  source: string
  /** runs copied in */
  runs: number
  /** runs whose id is already in this database (left as they are) */
  skippedExisting: number
  rejected: { id: string; reason: string }[]
}

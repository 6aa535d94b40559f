/**
 * The runs table's filters and sort keys as SQL. Every value is a bound parameter; a JSON path
 * (`params.NAME`, `summary.NAME`) is bound too, quoted as `$."NAME"`, so no name reaches the SQL
 * text. Soft-deleted runs (deleted_at set, waiting out the undo window) are never listed.
 */
import type { RunFilter, RunSortKey } from '../../src-shared/runquery'

const COLUMN_SQL: Record<string, string> = {
  createdAt: 'created_at',
  study: 'study',
  status: 'status',
  durationMs: 'duration_ms',
  seed: 'seed',
  id: 'id',
  label: 'label',
  points: 'points',
}

/** `params.NAME` → (json column, JSON path); the name is quoted, so dots and brackets are literal. */
const NULLABLE = new Set(['duration_ms', 'label'])

export function jsonPath(field: string): { column: 'params' | 'summary'; path: string } {
  const dot = field.indexOf('.')
  const column = field.slice(0, dot)
  const name = field.slice(dot + 1)
  if ((column !== 'params' && column !== 'summary') || !name || /["\\]/.test(name)) {
    throw new Error(`bad value field ${JSON.stringify(field)}: expected params.NAME or summary.NAME`)
  }
  return { column, path: `$."${name}"` }
}

export interface SqlPart {
  sql: string
  args: unknown[]
}

export function runWhere(q: RunFilter & { includeDeleted?: boolean }): SqlPart {
  const where: string[] = []
  const args: unknown[] = []
  if (!q.includeDeleted) where.push('deleted_at IS NULL')
  const eq = (col: string, v: unknown): void => {
    where.push(`${col} = ?`)
    args.push(v)
  }
  if (q.projectId) eq('project_id', q.projectId)
  if (q.study) eq('study', q.study)
  if (q.status) eq('status', q.status)
  if (q.sweepId) eq('sweep_id', q.sweepId)
  if (q.tag) {
    where.push('EXISTS (SELECT 1 FROM json_each(runs.tags) WHERE json_each.value = ?)')
    args.push(q.tag)
  }
  const failed = "EXISTS (SELECT 1 FROM json_each(runs.claims) WHERE json_extract(json_each.value, '$.passed') = 0)"
  if (q.claims === 'none') where.push("claims = '[]'")
  else if (q.claims === 'failed') where.push(failed)
  else if (q.claims === 'passed') where.push(`claims <> '[]' AND NOT ${failed}`)
  for (const r of q.ranges ?? []) {
    const { column, path } = jsonPath(r.field)
    const v = `json_extract(${column}, ?)`
    // only numbers compare: a text or missing value is outside every range
    where.push(`json_type(${column}, ?) IN ('integer', 'real')`)
    args.push(path)
    if (r.min !== undefined) {
      where.push(`${v} >= ?`)
      args.push(path, r.min)
    }
    if (r.max !== undefined) {
      where.push(`${v} <= ?`)
      args.push(path, r.max)
    }
  }
  if (q.search) {
    const like = `%${q.search.replace(/[\\%_]/g, (c) => `\\${c}`)}%`
    where.push(
      "(id LIKE ? ESCAPE '\\' OR study LIKE ? ESCAPE '\\' OR label LIKE ? ESCAPE '\\' OR tags LIKE ? ESCAPE '\\' OR notes LIKE ? ESCAPE '\\' OR params LIKE ? ESCAPE '\\')",
    )
    args.push(like, like, like, like, like, like)
  }
  return { sql: where.length ? `WHERE ${where.join(' AND ')}` : '', args }
}

/** ORDER BY for a sort key; missing values (NULL) sort last either way, ties break by id. */
export function runOrder(sort: RunSortKey | string, desc: boolean): SqlPart {
  const dir = desc ? 'DESC' : 'ASC'
  const col = COLUMN_SQL[sort]
  // NOT NULL columns order by the column alone, so its index serves the sort
  if (col) return { sql: `ORDER BY ${NULLABLE.has(col) ? `${col} IS NULL, ` : ''}${col} ${dir}, id ${dir}`, args: [] }
  const { column, path } = jsonPath(sort)
  return { sql: `ORDER BY json_extract(${column}, ?) IS NULL, json_extract(${column}, ?) ${dir}, id ${dir}`, args: [path, path] }
}

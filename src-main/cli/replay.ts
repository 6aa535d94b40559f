/**
 * `descent replay RUN`: re-run a stored run with its study, params and seed, and print the
 * largest absolute difference between the old and new curves (0 when code and platform match).
 */
import type { Workbench } from '../workbench/workbench'
import type { Io } from './commands'

const show = (v: number | null): string => (v === null ? '∞ (not comparable)' : v === 0 ? '0' : v.toExponential(3))

export async function cmdReplay(wb: Workbench, id: string, json: boolean, io: Io): Promise<number> {
  const r = await wb.call('runs:replay', { id })
  if (json) io.out(JSON.stringify(r))
  else {
    io.out(`replayed ${r.runId} as ${r.newRunId} (${r.status}): max |Δ| = ${show(r.maxAbsDiff)} over ${r.rows} rows`)
    for (const [name, v] of Object.entries(r.perMetric)) io.out(`  ${name.padEnd(24)} ${show(v)}`)
    if (r.excluded.length) io.out(`  not compared (wall clock): ${r.excluded.join(', ')}`)
    if (r.rowsOld !== r.rowsNew) io.out(`  rows: ${r.rowsOld} stored, ${r.rowsNew} replayed`)
    if (!r.codeHashMatches) io.out('  the study code has changed since the original run')
    if (!r.platformMatches) io.out('  the platform differs from the original run')
  }
  return r.status === 'done' && r.maxAbsDiff === 0 ? 0 : 1
}

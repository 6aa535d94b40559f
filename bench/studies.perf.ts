/**
 * One default run of every registered study, in-process, single-threaded (npm run bench):
 * the wall time a user waits for the study's default configuration.
 */
import { it } from 'vitest'
import { runLocal } from '../src-main/kit/harness'
import { studies } from '../src-main/studies/registry'
import { report } from './report'

it('times a default run of every study', async () => {
  const rows: [string, number, string][] = []
  for (const { definition } of [...studies().values()].sort((a, b) => a.manifest.id.localeCompare(b.manifest.id))) {
    const t0 = performance.now()
    const r = await runLocal(definition, {}, 0)
    const ms = performance.now() - t0
    rows.push([`${definition.id} (${r.status}, ${r.columns.iteration?.length ?? 0} rows), ms`, Math.round(ms), 'seconds, not minutes'])
  }
  report('studies: one default run each', rows)
})

/**
 * Synthetic finished runs written straight into a store (tests, e2e and bench): no solver, but
 * real rows with params, summary values, claims, tags and, when asked, a short metric series.
 */
import type { ClaimResult } from '../../src-shared/model'
import type { RunStore } from '../store/store'

export interface SyntheticRunOptions {
  projectId?: string
  /** an existing sweep the runs belong to */
  sweepId?: string
  study?: string
  /** rows of metric series to store per run (0: none) */
  points?: number
  tags?: (i: number) => string[]
}

/** Insert `count` done runs in one transaction; run i has params {lr: 10^-(i%5), width: i}, seed i. */
export function insertSyntheticRuns(store: RunStore, count: number, o: SyntheticRunOptions = {}): string[] {
  const ids: string[] = []
  store.db.transaction(() => {
    for (let i = 0; i < count; i++) {
      const run = store.createRun({
        projectId: o.projectId ?? 'default', sweepId: o.sweepId ?? null, study: o.study ?? 'probe', figure: null, label: `synthetic ${i}`,
        params: { lr: 10 ** -(i % 5), width: i }, seed: i, paramsHash: `h${i}`, codeHash: 'c0', appVersion: '0.0.0', platform: 'test',
      })
      const points = o.points ?? 0
      if (points > 0) {
        const iteration = Float64Array.from({ length: points }, (_, k) => k)
        const loss = Float64Array.from({ length: points }, (_, k) => (i + 1) * 0.5 ** k)
        store.appendBatch(run.id, 0, points, { iteration, loss }, 1, [])
      }
      const claims: ClaimResult[] = i % 3 === 2 ? [] : [{ id: 'c', text: 'claim', passed: i % 3 === 0, measured: `m${i}` }]
      store.finishRun(run.id, {
        status: 'done', endedAt: Date.now(), durationMs: i, error: null, errorStep: null,
        summary: { finalLoss: (i + 1) * 1e-3, iterations: points }, claims,
      })
      if (o.tags) store.updateRunMeta(run.id, { tags: o.tags(i) })
      ids.push(run.id)
    }
  })()
  return ids
}

/**
 * The claims of sea-optimistic-omd at the spec's sizes (T up to 32000, d = 5) on seeds 0, 1, 2.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

describe('sea-optimistic-omd claims', () => {
  for (const figure of ['predictable-drift', 'pure-stochastic', 'mixed-grid', 'strongly-convex']) {
    for (const seed of [0, 1, 2]) {
      it(`${figure}, seed ${seed}`, async () => {
        const t0 = performance.now()
        const r = await reproduceLocal(study, figure, seed)
        const secs = ((performance.now() - t0) / 1000).toFixed(2)
        for (const c of r.claims) console.log(`[${figure} seed ${seed}, ${secs} s] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
        for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
        expect(r.claims.length).toBeGreaterThan(0)
        for (const c of r.claims) expect(c.passed, `${c.id}: ${c.measured}`).toBe(true)
      })
    }
  }
})

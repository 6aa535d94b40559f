/**
 * The claims of lame-test-time-adaptation at the spec's sizes (K = 100, d = 64, 10 000 source and
 * 4000 target samples, batch 16): the scenario-grid figure (35 runs) on seeds 0, 1, 2.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

/** See README "What did not reproduce". */
const KNOWN_MISSES: KnownMiss[] = [
  {
    figure: 'scenario-grid',
    seed: 1,
    claim: 'iid-adabn-gain',
    why: 'adabn(1) 75.0 % − none 68.65 % = +6.35 points < +8 on iid-bal: this seed\'s shift leaves the source model at 68.7 %, less room for AdaBN; seeds 0 and 2 give +8.97 and +12.5',
  },
]

describe('lame-test-time-adaptation claims', () => {
  for (const seed of [0, 1, 2]) {
    it(`scenario-grid, seed ${seed}`, async () => {
      const t0 = performance.now()
      const r = await reproduceLocal(study, 'scenario-grid', seed)
      const secs = ((performance.now() - t0) / 1000).toFixed(2)
      for (const c of r.claims) console.log(`[scenario-grid seed ${seed}, ${secs} s] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
      for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
      expect(r.claims.length).toBe(7)
      expectClaims(r.claims, 'scenario-grid', seed, KNOWN_MISSES)
    }, 300_000)
  }
})

/**
 * The spec's claims at the spec's sizes: figure `paired-seeds` (plain, IGNITE and IGNITE2 on
 * trials 0–15, N_full = 4000, 100 epochs, plain runs also rerun GA at m = 0.9), reproduced per
 * figure seed. One reproduction is 48 training runs, about 16 CPU-minutes in this TypeScript
 * implementation (≈ 15 s per plain run, ≈ 22 s per IGNITE run, measured single-threaded), far
 * beyond the ~60 s a study's claims test may take in CI. The test therefore runs only the figure
 * seeds listed in IGNITE_CLAIM_SEEDS (e.g. IGNITE_CLAIM_SEEDS=0,1,2); without it, it is skipped
 * and says so. Nothing is loosened: when it runs, every claim must pass.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

const NOT_REPRODUCED: KnownMiss[] = []

const SEEDS = (process.env.IGNITE_CLAIM_SEEDS ?? '')
  .split(',')
  .filter((s) => s.trim().length > 0)
  .map(Number)

describe('figure paired-seeds (16 paired trials × plain / IGNITE / IGNITE2)', () => {
  if (SEEDS.length === 0) it.skip('not run: set IGNITE_CLAIM_SEEDS=0,1,2 to run (≈ 16 CPU-minutes per figure seed)', () => {})
  it.each(SEEDS)(
    'seed %i: every claim passes',
    async (seed) => {
      const t0 = performance.now()
      const r = await reproduceLocal(study, 'paired-seeds', seed)
      const ms = performance.now() - t0
      for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
      console.log(`paired-seeds seed ${seed} (${ms.toFixed(0)} ms)\n` + r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'))
      expect(r.claims.length).toBe(3)
      expectClaims(r.claims, 'paired-seeds', seed, NOT_REPRODUCED)
    },
    3 * 3600 * 1000,
  )
})

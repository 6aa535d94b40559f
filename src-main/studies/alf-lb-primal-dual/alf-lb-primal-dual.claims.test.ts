/**
 * The claims at the spec's sizes on seeds 0, 1, 2: deterministic (m = 512, E = 16, K = 2,
 * u = 1e-3, 3000 iterations) and online (n = 300, m = 256), verdicts computed from the runs.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

/** Recorded as not reproduced (see the README, with the numbers); the app reports them as failed. */
const NOT_REPRODUCED: KnownMiss[] = [
  {
    figure: 'deterministic-convergence',
    seed: 2,
    claim: 'monotone-decrease',
    why: 'D(b_k) monotone for 177 < 200 iterations; this batch moves 964 tokens per unit bias (390-627 on other seeds); 9 of seeds 0-9 pass',
  },
  {
    figure: 'deterministic-convergence',
    seed: 2,
    claim: 'final-max-vio',
    why: 'final MaxVio 0.078 > 0.07 (5 tokens over capacity) on the same sensitive batch',
  },
]

describe.each(['deterministic-convergence', 'online-regret'])('%s', (figure) => {
  it.each([0, 1, 2])('seed %i: every claim holds', async (seed) => {
    const r = await reproduceLocal(study, figure, seed)
    for (const run of r.runs) expect(run.status, run.error ?? '').toBe('done')
    for (const c of r.claims) console.log(`[${figure} seed ${seed}] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
    expect(r.claims.length).toBeGreaterThan(0)
    expectClaims(r.claims, figure, seed, NOT_REPRODUCED)
  })
})

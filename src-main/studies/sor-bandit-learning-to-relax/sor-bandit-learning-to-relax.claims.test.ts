/**
 * The paper's claims at the spec's sizes (T = 2000, both shift laws) on data seeds 0, 1, 2
 * (learner seeds 1000, 1001, 1002): each claim's verdict is computed from the runs.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

/** Recorded as not reproduced (see the README, with the numbers); the app reports them as failed. */
const NOT_REPRODUCED: KnownMiss[] = [
  {
    figure: 'instances-remaining-low-variance',
    seed: 0,
    claim: 'tsallis-near-best-fixed-low',
    why: 'Tsallis-INF last quarter 67.6 vs best fixed 58.4 (ratio 1.16 > 1.1); data seeds 0-6 give 1.16, 1.08, 1.05, 1.14, 1.11, 1.05, 1.09',
  },
]

describe.each(['instances-remaining', 'instances-remaining-low-variance'])('%s', (figure) => {
  it.each([0, 1, 2])('seed %i: every claim holds', async (seed) => {
    const r = await reproduceLocal(study, figure, seed)
    for (const run of r.runs) expect(run.status, run.error ?? '').toBe('done')
    for (const c of r.claims) console.log(`[${figure} seed ${seed}] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
    expect(r.claims.length).toBeGreaterThan(0)
    expectClaims(r.claims, figure, seed, NOT_REPRODUCED)
  })
})

/**
 * The claims at the spec's sizes (MLP 10-64-64-4, 1000 noisy training points, 5000 clean test
 * points, 100 epochs of batch 50, λ_max by 50 power iterations on the full training set) on
 * seeds 0, 1, 2, from the `final-comparison` figure; verdicts are computed from the runs.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

describe('final-comparison', () => {
  it.each([0, 1, 2])('seed %i: every claim holds', async (seed) => {
    const r = await reproduceLocal(study, 'final-comparison', seed)
    for (const run of r.runs) expect(run.status, run.error ?? '').toBe('done')
    for (const run of r.runs) {
      console.log(`[final-comparison seed ${seed}] ${run.view.label}: test ${run.summary.testAcc.toFixed(4)}, λ_max ${run.summary.lambdaMax.toFixed(3)}, grad ${run.summary['oracle:grad']}`)
    }
    for (const c of r.claims) console.log(`[final-comparison seed ${seed}] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
    expect(r.claims.length).toBe(5)
    expect(r.claims.filter((c) => !c.passed).map((c) => `${c.id}: ${c.measured}`)).toEqual([])
  })
})

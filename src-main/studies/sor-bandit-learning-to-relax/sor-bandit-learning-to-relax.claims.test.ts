/**
 * The paper's claims at the spec's sizes (T = 2000, both shift laws) on data seeds 0, 1, 2
 * (learner seeds 1000, 1001, 1002): each claim's verdict is computed from the runs.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

describe.each(['instances-remaining', 'instances-remaining-low-variance'])('%s', (figure) => {
  it.each([0, 1, 2])('seed %i: every claim holds', async (seed) => {
    const r = await reproduceLocal(study, figure, seed)
    for (const run of r.runs) expect(run.status, run.error ?? '').toBe('done')
    for (const c of r.claims) console.log(`[${figure} seed ${seed}] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
    expect(r.claims.length).toBeGreaterThan(0)
    expect(r.claims.filter((c) => !c.passed).map((c) => `${c.id}: ${c.measured}`)).toEqual([])
  })
})

/**
 * The claims at the spec's sizes on seeds 0, 1, 2: deterministic (m = 512, E = 16, K = 2,
 * u = 1e-3, 3000 iterations) and online (n = 300, m = 256), verdicts computed from the runs.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

describe.each(['deterministic-convergence', 'online-regret'])('%s', (figure) => {
  it.each([0, 1, 2])('seed %i: every claim holds', async (seed) => {
    const r = await reproduceLocal(study, figure, seed)
    for (const run of r.runs) expect(run.status, run.error ?? '').toBe('done')
    for (const c of r.claims) console.log(`[${figure} seed ${seed}] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
    expect(r.claims.length).toBeGreaterThan(0)
    expect(r.claims.filter((c) => !c.passed).map((c) => `${c.id}: ${c.measured}`)).toEqual([])
  })
})

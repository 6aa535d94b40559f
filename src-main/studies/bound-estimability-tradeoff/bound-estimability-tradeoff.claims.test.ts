/**
 * The claims at the spec's sizes (d = 30, m = 20, 3000 trials per setting) on seeds 0, 1, 2:
 * the s sweep (q = 1) and the q sweep (s = 19); verdicts are computed from the runs.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

describe.each(['learnability-vs-estimability', 'bias-tradeoff'])('%s', (figure) => {
  it.each([0, 1, 2])('seed %i: every claim holds', async (seed) => {
    const r = await reproduceLocal(study, figure, seed)
    for (const run of r.runs) expect(run.status, run.error ?? '').toBe('done')
    for (const run of r.runs) {
      const v = run.summary
      console.log(
        `[${figure} seed ${seed}] ${run.view.label}: learnability ${v.learnabilityFs?.toFixed(4)}, P(L=0) ${v.pL0Mix.toFixed(4)}, ` +
          `inestimability ${v.inestimability.toFixed(4)}, Bayes failure ${v.bayesFailure.toFixed(4)}, Occam ${v.occamMean?.toFixed(3)} ` +
          `(valid ${v.occamValidFraction.toFixed(3)}), VC ${v.vc.toFixed(2)}, rank theory ${v.rankTheory.toFixed(4)} / observed ${v.rankTheoryObserved.toFixed(4)}`,
      )
    }
    for (const c of r.claims) console.log(`[${figure} seed ${seed}] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
    expect(r.claims.length).toBeGreaterThan(0)
    expect(r.claims.filter((c) => !c.passed).map((c) => `${c.id}: ${c.measured}`)).toEqual([])
  })
})

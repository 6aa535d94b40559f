/**
 * The spec's claims at the spec's sizes (factorisation mode, n = 50, r = 3, η = 0.1, T = 8000)
 * on seeds 0, 1, 2. Every claim is a figure claim of `factorisation-panel` (9 runs), so that one
 * figure is reproduced per seed. The sensing panel carries reference values only (no claims).
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

describe('overparam-sensing-symmetry-curse claims (factorisation-panel)', () => {
  for (const seed of [0, 1, 2]) {
    it(`seed ${seed}: every claim passes`, async () => {
      const fig = await reproduceLocal(study, 'factorisation-panel', seed)
      for (const r of fig.runs) expect(r.status, `${r.view.label}: ${r.error}`).toBe('done')
      for (const c of fig.claims) console.log(`[seed ${seed}] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
      const rate = fig.runs.filter((r) => r.view.label?.startsWith('asym α='))
      console.log(
        `[seed ${seed}] reference: iterations per decade ${rate.map((r) => `${r.view.label} ${r.summary.itersPerDecade?.toFixed(0)}`).join(', ')}`,
      )
      expect(fig.claims.map((c) => c.id).sort()).toEqual(
        (study.claims ?? []).filter((c) => c.scope === 'figure' && c.figure === 'factorisation-panel').map((c) => c.id).sort(),
      )
      for (const c of fig.claims) expect(c.passed, `${c.id}: ${c.measured}`).toBe(true)
    })
  }
})

/**
 * bound-estimability-tradeoff: one trial of solveParity (solver.ts) at the default (d = 30,
 * m = 20, s = 19, q = 1): draw w* from the mixture prior and m uniform points of F_2^30 labelled
 * by the parity, Gauss–Jordan elimination over GF(2) of [X | y] and of [X_s | y], the algorithm
 * A_{s,q} (its coins seeded by a hash of S, a version-space solution) and the exact posterior p0.
 * The running aggregates and the metric row are left out. Calls the solver's own parityTrial
 * (the loop body of solveParity) and occamBound.
 */
import { Rng } from '../../src-main/numeric/rng'
import { occamBound, parityTrial } from '../../src-main/studies/bound-estimability-tradeoff/solver'
import type { StepCase } from './types'

export function steps(): StepCase[] {
  return [
    {
      name: 'bound-estimability-tradeoff d=30 m=20 s=19 one parity trial',
      py: 'bound-estimability-tradeoff_step',
      pyCase: 'default',
      note: 'draw (w*, S), two GF(2) eliminations, A_{s,q}(S), posterior p0 and Occam bound',
      setup: () => {
        const d = 30
        const m = 20
        const s = 19
        const rng = new Rng(0, 'main')
        const trial = parityTrial(d, m, s, 1)
        let sink = 0
        return () => {
          const t = trial(rng)
          sink += t.p0 + occamBound(t.outInFs, d, s, m, 0.05) + t.L
          if (!Number.isFinite(sink)) throw new Error('non-finite posterior')
        }
      },
    },
  ]
}

/**
 * programmable-vi-estimators: the estimator test at φ₀ (solver.ts, runEstimators) at the default
 * (model M2, ELBO, ENUM at the discrete site and REPARAM at the continuous one, R = 2000): one
 * call is all R = 2000 single-sample gradient estimates with their values and tangents stored,
 * through the path the solver takes for this cell (m2.ts, ElboEnumReparam: elboEstimate's dual
 * arithmetic expanded by hand, the same bits, its φ-only constants built once per call as the
 * solver builds them once per run), without the per-estimate metric rows. The numpy side
 * evaluates the same 2000 estimates vectorised over the replicates.
 */
import { Rng } from '../../src-main/numeric/rng'
import { ElboEnumReparam, PHI0 } from '../../src-main/studies/programmable-vi-estimators/m2'
import type { StepCase } from './types'

const R = 2000

export function steps(): StepCase[] {
  return [
    {
      name: 'programmable-vi-estimators M2 ELBO ENUM+REPARAM, R=2000 estimates',
      py: 'programmable-vi-estimators_step',
      pyCase: 'elbo',
      note: `${R} ENUM + REPARAM ELBO estimates at φ₀ (the estimator test)`,
      setup: () => {
        const rng = new Rng(0, 'estimator')
        const G = new Float64Array(R * 4)
        const values = new Float64Array(R)
        return () => {
          const est = new ElboEnumReparam(PHI0)
          for (let r = 0; r < R; r++) values[r] = est.estimate(rng, G, r * 4)
        }
      },
    },
  ]
}

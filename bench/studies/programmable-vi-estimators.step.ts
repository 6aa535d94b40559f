/**
 * programmable-vi-estimators: the estimator test at φ₀ (solver.ts, runEstimators) at the default
 * (model M2, ELBO, ENUM at the discrete site and REPARAM at the continuous one, R = 2000): one
 * call is all R = 2000 single-sample gradient estimates (m2.ts, elboEstimate, through the ADEV
 * dual-number interpreter of adev.ts) with their tangents stored, without the per-estimate
 * metric rows. The numpy side evaluates the same 2000 estimates vectorised over the replicates.
 */
import { Rng } from '../../src-main/numeric/rng'
import { tangent, type Adev } from '../../src-main/studies/programmable-vi-estimators/adev'
import { elboEstimate, PHI0 } from '../../src-main/studies/programmable-vi-estimators/m2'
import type { StepCase } from './types'

const R = 2000

export function steps(): StepCase[] {
  return [
    {
      name: 'programmable-vi-estimators M2 ELBO ENUM+REPARAM, R=2000 estimates',
      py: 'programmable-vi-estimators_step',
      pyCase: 'elbo',
      note: `${R} elboEstimate calls at φ₀ (the estimator test)`,
      setup: () => {
        const ad: Adev = { rng: new Rng(0, 'estimator'), discrete: 'enum', continuous: 'reparam', baseline: 0, valueOnly: false }
        const G = new Float64Array(R * 4)
        const values = new Float64Array(R)
        return () => {
          for (let r = 0; r < R; r++) {
            const d = elboEstimate(ad, PHI0)
            values[r] = d.v
            G.set(tangent(d), r * 4)
          }
        }
      },
    },
  ]
}

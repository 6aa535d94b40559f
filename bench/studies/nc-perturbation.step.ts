/**
 * nc-perturbation: one classical RK4 step of the central-path flow (solver.ts, flowExperiment) at
 * the default (flow, K = 4 classes, n = 10 per class, d = 10, lW = lH = 0.05, dt = 0.01): four
 * evaluations of the study's CentralPathField (W*(H) by a d×d Cholesky of HHᵀ + n·lW·I, then
 * −(W*ᵀ(W*H − Y) + lH·H)) and the RK4 combinations. The per-step collapse statistics
 * (CollapseMeter) are recorded metrics and are left out.
 */
import { Rng } from '../../src-main/numeric/rng'
import { CentralPathField, noisyFeatures } from '../../src-main/studies/nc-perturbation/solver'
import type { StepCase } from './types'

const S = { K: 4, n: 10, d: 10 }

export function steps(): StepCase[] {
  return [
    {
      name: 'nc-perturbation K=4 n=10 d=10 central-path flow RK4 step',
      py: 'nc-perturbation_step',
      pyCase: 'default',
      note: '4 × CentralPathField.eval + RK4 combinations',
      setup: () => {
        const H = noisyFeatures(S, 1, new Rng(0, 'data'))
        const field = new CentralPathField(S, { lW: 0.05, lH: 0.05 })
        const m = H.length
        const k1 = new Float64Array(m)
        const k2 = new Float64Array(m)
        const k3 = new Float64Array(m)
        const k4 = new Float64Array(m)
        const tmp = new Float64Array(m)
        const h = 0.01
        return () => {
          field.eval(H, k1)
          for (let j = 0; j < m; j++) tmp[j] = H[j] + 0.5 * h * k1[j]
          field.eval(tmp, k2)
          for (let j = 0; j < m; j++) tmp[j] = H[j] + 0.5 * h * k2[j]
          field.eval(tmp, k3)
          for (let j = 0; j < m; j++) tmp[j] = H[j] + h * k3[j]
          field.eval(tmp, k4)
          for (let j = 0; j < m; j++) H[j] += (h / 6) * (k1[j] + 2 * k2[j] + 2 * k3[j] + k4[j])
        }
      },
    },
  ]
}

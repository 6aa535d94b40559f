/**
 * dd-hparam-sample-complexity: one task's utility curve (utility.ts, utilityCurve) at the default
 * (d = 5, M = 12 frozen hidden units, 25 training / 50 validation points, ridge 1e-3, 201 α
 * values): for each α, Φ(α) = α·ReLU(Z) + (1 − α)·Z, the ridge normal equations, their Cholesky
 * solve and the validation MSE. A run evaluates 600 such curves. Uses the study's own
 * drawFirstLayer, drawTask, alphaGrid, RidgeWorkspace and utilityCurve.
 */
import { Rng } from '../../src-main/numeric/rng'
import { alphaGrid, drawFirstLayer, drawTask, RidgeWorkspace, utilityCurve, type TaskSizes } from '../../src-main/studies/dd-hparam-sample-complexity/utility'
import type { StepCase } from './types'

export function steps(): StepCase[] {
  return [
    {
      name: 'dd-hparam-sample-complexity M=12 n=25/50 one utility curve (201 α)',
      py: 'dd-hparam-sample-complexity_step',
      pyCase: 'default',
      note: 'utilityCurve over 201 α (ridge solve per α)',
      setup: () => {
        const s: TaskSizes = { inputDim: 5, hiddenUnits: 12, teacherUnits: 4, nTrain: 25, nVal: 50, noiseStd: 0.1 }
        const layer = drawFirstLayer(s, new Rng(0, 'init'))
        const task = drawTask(s, layer, new Rng(0, 'data'))
        const alphas = alphaGrid(201)
        const ws = new RidgeWorkspace(s.hiddenUnits)
        const out = new Float64Array(alphas.length)
        return () => {
          utilityCurve(task, alphas, 1e-3, ws, out)
        }
      },
    },
  ]
}

/**
 * linear-student-teacher-overtraining at the default (dynamics mode, N = 100, α = 0.5 so P = 50,
 * SNR = 4, σ0² = 0, gradient flow, 20 realisations), from the study's own solver.ts:
 *  - "time point": the solver's per-time-point work over the 20 realisations, errorsAtTime
 *    (closedFormErrors and spectrumAveragedErrors in one pass; the N = ∞ MP theory evaluated at
 *    the same t is left out);
 *  - "realisation setup": realisationModes (the draw into the solver's reused realisation, then
 *    toModes), done once per realisation before the time loop (P < N here, so the P×P Gram XᵀX,
 *    its symmetric eigendecomposition with the projections read off its working matrix, z(0),
 *    ε̃ and the frozen energy: modesFromExampleGram);
 *  - "direct GD step": DirectGd.step (gd-crosscheck mode), w ← w + ηX(y − Xᵀw) (the numeric
 *    core's gemvT and gemvN in DirectGd's private instance, X resident).
 */
import { Rng } from '../../src-main/numeric/rng'
import {
  DirectGd,
  drawRealisation,
  errorsAtTime,
  realisationModes,
  trainingCoefficients,
} from '../../src-main/studies/linear-student-teacher-overtraining/solver'
import { teacherVariances } from '../../src-main/studies/linear-student-teacher-overtraining/theory'
import type { StepCase } from './types'

const N = 100
const P = 50
const R = 20
const v = teacherVariances(4, 0)

export function steps(): StepCase[] {
  const id = 'linear-student-teacher-overtraining'
  const py = `${id}_step`
  return [
    {
      name: `${id} N=${N} P=${P} time point over ${R} realisations`,
      py,
      pyCase: 'timepoint',
      note: 'errorsAtTime (closed form + spectrum-averaged) for each realisation at one t',
      setup: () => {
        const data = new Rng(0, 'data')
        const init = new Rng(0, 'init')
        const modes = Array.from({ length: R }, () => realisationModes(N, P, v, data, init))
        const tcs = modes.map(trainingCoefficients)
        const scratch = new Float64Array(2)
        const out = new Float64Array(4)
        let j = 0
        return () => {
          const t = 0.01 * Math.exp(0.05 * (j++ % 200))
          for (let r = 0; r < R; r++) {
            errorsAtTime(modes[r], tcs[r], v, 'gradient flow', t, 0.1, scratch, out)
          }
        }
      },
    },
    {
      name: `${id} N=${N} P=${P} realisation setup (eigendecomposition)`,
      py,
      pyCase: 'setup',
      note: 'realisationModes: draw + toModes (symEig of the P×P Gram XᵀX)',
      setup: () => {
        const data = new Rng(0, 'data')
        const init = new Rng(0, 'init')
        return () => {
          realisationModes(N, P, v, data, init)
        }
      },
    },
    {
      name: `${id} N=${N} P=${P} direct GD step`,
      py,
      pyCase: 'gd',
      note: 'DirectGd.step: two gemv (the core kernel on X resident in wasm memory)',
      setup: () => {
        const gd = new DirectGd(drawRealisation(N, P, v, new Rng(0, 'data'), new Rng(0, 'init')), 1e-3)
        return () => gd.step()
      },
    },
  ]
}

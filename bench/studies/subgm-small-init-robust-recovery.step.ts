/**
 * subgm-small-init-robust-recovery: one SubGM iteration at the default size (d = 20, r = 3,
 * r' = 20, m = 1000): Z = UUᵀ, residuals r_i = ⟨A_i, Z⟩ − y_i over the m measurements, the
 * sign-weighted sum G = (1/m) Σ sign(r_i)·A_i (with the loss and sign agreement), D = (G + Gᵀ)U,
 * U ← U − ηD. Built from the study's own problem.ts and solver.ts.
 *  - "full pass": measurementPassFull, the textbook pass over all m sensing matrices.
 *  - "solver step": the pass the solver really runs (measurementPass: updates G from the sign
 *    flips, a full pass every REFRESH_PERIOD), averaged over whole default runs (η_t = η0·ρ^t,
 *    restarting from U_0 every T = 2000 steps), since its cost depends on the sign pattern.
 * The numpy side (subgm-small-init-robust-recovery_step.py) always does the full computation.
 */
import { Rng } from '../../src-main/numeric/rng'
import { makeProblem } from '../../src-main/studies/subgm-small-init-robust-recovery/problem'
import {
  applyStep,
  formGram,
  makeState,
  measurementPass,
  measurementPassFull,
  subgradient,
} from '../../src-main/studies/subgm-small-init-robust-recovery/solver'
import type { StepCase } from './types'

const D = 20
const R = 3
const K = 20
const M = 1000
const ALPHA = 1e-5
const ETA0 = 0.2
const RHO = 0.995
const T = 2000

function build() {
  const prob = makeProblem({ d: D, r: R, m: M, noise: 'none', p: 0, outlierStd: 10, nu: 0.1 }, new Rng(0, 'data'), new Rng(0, 'noise'))
  const full = new Rng(0, 'init').gaussianMatrix(D, D, 1 / Math.sqrt(D))
  const U0 = new Float64Array(D * K)
  for (let i = 0; i < D; i++) for (let c = 0; c < K; c++) U0[i * K + c] = ALPHA * full[i * D + c]
  return { prob, U0, state: makeState(D, K, M, U0) }
}

export function steps(): StepCase[] {
  const name = `subgm-small-init-robust-recovery d=${D} r'=${K} m=${M}`
  return [
    {
      name: `${name} full pass`,
      py: 'subgm-small-init-robust-recovery_step',
      pyCase: 'default',
      note: 'formGram + measurementPassFull + subgradient + applyStep',
      setup: () => {
        const { prob, state } = build()
        // a fixed point in mid-run: U of size ~1 so residual signs are mixed; tiny step keeps it there
        for (let i = 0; i < state.U.length; i++) state.U[i] *= 1e5
        return () => {
          formGram(state)
          measurementPassFull(state, prob)
          subgradient(state, M)
          applyStep(state, 1e-9)
        }
      },
    },
    {
      name: `${name} solver step (incremental pass, run average)`,
      py: 'subgm-small-init-robust-recovery_step',
      pyCase: 'default',
      note: "formGram + measurementPass (the solver's incremental pass) + subgradient + applyStep, η_t = η0·ρ^t, restarting every T steps",
      setup: () => {
        const { prob, U0, state } = build()
        let t = 0
        let eta = ETA0
        return () => {
          if (t === T) {
            state.U.set(U0)
            state.passesSinceRefresh = Infinity
            t = 0
            eta = ETA0
          }
          formGram(state)
          measurementPass(state, prob)
          subgradient(state, M)
          applyStep(state, eta)
          eta *= RHO
          t++
        }
      },
    },
  ]
}

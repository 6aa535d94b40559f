/**
 * sor-bandit-learning-to-relax: the stream's cost is SOR sweeps on the shifted 5-point Laplacian
 * (N = 10 grid, n = 100; 20 grid ω plus the learners' and the optimum's solves per instance), so
 * the step timed is one SOR sweep of the study's own sorIterations (sor.ts): forward
 * substitution δ = (D/ω + L)⁻¹r, x += δ, explicit residual r = b − Ax and its norm. Timed as
 * sorIterations with tol = 0 and a cap of 50 sweeps, divided by 50 (the per-solve set-up is
 * amortised into that).
 */
import { Rng } from '../../src-main/numeric/rng'
import { sorIterations, sorWorkspace } from '../../src-main/studies/sor-bandit-learning-to-relax/sor'
import type { StepCase } from './types'

const N = 10
const SWEEPS = 50

export function steps(): StepCase[] {
  return [
    {
      name: `sor-bandit-learning-to-relax one SOR sweep, ${N}×${N} grid (n=${N * N})`,
      py: 'sor-bandit-learning-to-relax_step',
      pyCase: 'default',
      note: `sorIterations(ω = 1.5, c = 0.3, tol = 0, cap ${SWEEPS}) / ${SWEEPS}`,
      perCall: SWEEPS,
      setup: () => {
        const ws = sorWorkspace(N)
        const b = new Rng(0, 'data').gaussianMatrix(N * N, 1)
        return () => {
          sorIterations(ws, 0.3, 1.5, b, 0, SWEEPS)
        }
      },
    },
  ]
}

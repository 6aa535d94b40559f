/**
 * overparam-sensing-symmetry-curse: one GD step of the study's solver loop (solver.ts), through
 * the solver's own GdIteration: evaluate() (Z = FGᵀ or XXᵀ, the residual matrix S, the loss and
 * ‖Z − M*‖²_F) then step() (the update), in factorWasm.ts's SIMD kernel with senseWasm.ts's
 * sensing pass in sensing mode, exactly as in the solver.
 *  - factorisation (default mode, n = 50, r = 3, k = 5): S = Z − M*; symmetric X ← X − η(S + Sᵀ)X,
 *    and asymmetric (the default parameterisation) F ← F − ηSG, G ← G − ηSᵀF.
 *  - sensing (n = 20, r = 2, k = 5, m = 600 general Gaussian A_i): S = (1/m) Σ_i (⟨A_i, Z⟩ − y_i)A_i;
 *    for XXᵀ the solver's folded pass (residualMatrixSymmetric: the A_i folded onto their upper
 *    triangles, since Z is symmetric and only S + Sᵀ is used).
 */
import { Rng } from '../../src-main/numeric/rng'
import { makeSensingData, type Mode } from '../../src-main/studies/overparam-sensing-symmetry-curse/problem'
import { GdIteration } from '../../src-main/studies/overparam-sensing-symmetry-curse/solver'
import type { StepCase } from './types'

const K = 5
const ETA = 1e-6 // tiny: the iterate stays where it starts (timing only)

function makeStep(mode: Mode, n: number, r: number, m: number, symmetric: boolean): () => () => void {
  return () => {
    const data = makeSensingData(mode, n, r, m, 'general', new Rng(0, 'data'))
    const init = new Rng(0, 'init')
    const F = init.gaussianMatrix(n, K, 0.3)
    const it = new GdIteration(data, K, ETA, F, symmetric ? null : init.gaussianMatrix(n, K, 0.3))
    return () => {
      it.evaluate()
      it.step()
    }
  }
}

export function steps(): StepCase[] {
  const id = 'overparam-sensing-symmetry-curse'
  const py = `${id}_step`
  return [
    { name: `${id} factorisation n=50 k=5 symmetric`, py, pyCase: 'fact-sym', note: 'XXᵀ, S = Z − M*, X ← X − η(S+Sᵀ)X', setup: makeStep('factorisation', 50, 3, 0, true) },
    { name: `${id} factorisation n=50 k=5 asymmetric (default)`, py, pyCase: 'fact-asym', note: 'FGᵀ, S = Z − M*, F ← F − ηSG, G ← G − ηSᵀF', setup: makeStep('factorisation', 50, 3, 0, false) },
    { name: `${id} sensing n=20 k=5 m=600 symmetric`, py, pyCase: 'sens-sym', note: 'XXᵀ, S = (1/m)Σ res_i A_i, X ← X − η(S+Sᵀ)X', setup: makeStep('sensing', 20, 2, 600, true) },
    { name: `${id} sensing n=20 k=5 m=600 asymmetric`, py, pyCase: 'sens-asym', note: 'FGᵀ, S = (1/m)Σ res_i A_i, F ← F − ηSG, G ← G − ηSᵀF', setup: makeStep('sensing', 20, 2, 600, false) },
  ]
}

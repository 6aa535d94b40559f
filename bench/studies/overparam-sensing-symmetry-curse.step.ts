/**
 * overparam-sensing-symmetry-curse: one GD step of the study's solver loop (solver.ts), built
 * from its own problem.ts / solver.ts: Z = FGᵀ (or XXᵀ), the residual matrix S and loss
 * (residualMatrix), then the update.
 *  - factorisation (default mode, n = 50, r = 3, k = 5): S = Z − M*; symmetric X ← X − η(S + Sᵀ)X,
 *    and asymmetric (the default parameterisation) F ← F − ηSG, G ← G − ηSᵀF.
 *  - sensing (n = 20, r = 2, k = 5, m = 600 general Gaussian A_i): S = (1/m) Σ_i (⟨A_i, Z⟩ − y_i)A_i;
 *    for XXᵀ the solver's folded pass (residualMatrixSymmetric: the A_i folded onto their upper
 *    triangles, since Z is symmetric and only S + Sᵀ is used).
 */
import { Rng } from '../../src-main/numeric/rng'
import { makeSensingData, residualMatrix, residualMatrixSymmetric, type Mode } from '../../src-main/studies/overparam-sensing-symmetry-curse/problem'
import { asymmetricStep, productFGt, symmetricStep } from '../../src-main/studies/overparam-sensing-symmetry-curse/solver'
import type { StepCase } from './types'

const K = 5
const ETA = 1e-6 // tiny: the iterate stays where it starts (timing only)

function makeStep(mode: Mode, n: number, r: number, m: number, symmetric: boolean): () => () => void {
  return () => {
    const data = makeSensingData(mode, n, r, m, 'general', new Rng(0, 'data'))
    const init = new Rng(0, 'init')
    let F: Float64Array = init.gaussianMatrix(n, K, 0.3)
    let G: Float64Array = symmetric ? F : init.gaussianMatrix(n, K, 0.3)
    let Fn: Float64Array = new Float64Array(n * K)
    let Gn: Float64Array = symmetric ? Fn : new Float64Array(n * K)
    const Z = new Float64Array(n * n)
    const S = new Float64Array(n * n)
    const res = new Float64Array(Math.max(1, m))
    return () => {
      productFGt(F, G, n, K, Z)
      if (symmetric) residualMatrixSymmetric(data, Z, S, res)
      else residualMatrix(data, Z, S, res)
      if (symmetric) {
        symmetricStep(F, S, ETA, n, K, Fn)
        const tmp = F
        F = Fn
        G = Fn
        Fn = tmp
        Gn = tmp
      } else {
        asymmetricStep(F, G, S, ETA, n, K, Fn, Gn)
        let tmp = F
        F = Fn
        Fn = tmp
        tmp = G
        G = Gn
        Gn = tmp
      }
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

/**
 * universality-lens-mixture, the two solvers' inner loops at the defaults (P = 128, β = 2, n = 100):
 *  - demo A: one data set through the exact Bayes mixture (mixture.ts, mixtureRegret): for each
 *    of the n = 100 points, the predictive and the posterior update over the 65 × 65 grid of group
 *    sums (2·65 exponentials and 65² divisions per point) and the regret against the truth;
 *  - demo B: one SGLD step of all 8 chains (posterior.ts, sgldStep): a minibatch of 16 without
 *    replacement, the function-space gradient, 128 ziggurat normals, the weight update and v = Aw/√P.
 * Uses the study's own groupSumGrid, drawLogisticData, mixtureRegret, functionOf and sgldStep.
 */
import { Rng } from '../../src-main/numeric/rng'
import { groupSumGrid, mixtureRegret } from '../../src-main/studies/universality-lens-mixture/mixture'
import { functionOf, sgldStep } from '../../src-main/studies/universality-lens-mixture/posterior'
import { drawLogisticData, TRUTHS, V_STAR_B } from '../../src-main/studies/universality-lens-mixture/solver'
import type { StepCase } from './types'

export function steps(): StepCase[] {
  const py = 'universality-lens-mixture_step'
  return [
    {
      name: 'universality-lens-mixture P=128 n=100 demo A: one data set, 65x65 grid',
      py,
      pyCase: 'mixture',
      note: 'mixtureRegret over n = 100 points',
      setup: () => {
        const grid = groupSumGrid(128, 8)
        const G = grid.values
        const m = G.length
        const prior = new Float64Array(m * m)
        let z = 0
        for (let i = 0, g = 0; i < m; i++) for (let j = 0; j < m; j++, g++) z += (prior[g] = Math.exp(grid.logMass[i] + grid.logMass[j]))
        for (let g = 0; g < prior.length; g++) prior[g] /= z
        const data = drawLogisticData(100, 2, TRUTHS.simple, new Rng(0, 'data'))
        const post = new Float64Array(m * m)
        const sum = new Float64Array(100)
        const sq = new Float64Array(100)
        return () => {
          post.set(prior)
          mixtureRegret(G, post, Math.log(z), 2, TRUTHS.simple, data.x, data.y, sum, sq)
        }
      },
    },
    {
      name: 'universality-lens-mixture P=128 n=100 demo B: SGLD step, 8 chains',
      py,
      pyCase: 'sgld',
      note: 'sgldStep for each of 8 chains (batch 16, η = 2e-3)',
      setup: () => {
        const P = 128
        const n = 100
        const A = new Rng(0, 'model').gaussianMatrix(2, P)
        const data = drawLogisticData(n, 2, V_STAR_B, new Rng(0, 'data'))
        const init = new Rng(0, 'init')
        const ws = Array.from({ length: 8 }, () => init.gaussianMatrix(1, P))
        const vs = ws.map((w) => {
          const v = new Float64Array(2)
          functionOf(A, w, P, v)
          return v
        })
        const scratch = { perm: Int32Array.from({ length: n }, (_, i) => i), idx: new Int32Array(16), gv: new Float64Array(2), noise: new Float64Array(P) }
        const rng = new Rng(0, 'main')
        return () => {
          for (let c = 0; c < 8; c++) sgldStep(A, ws[c], vs[c], P, 2, data, 16, 2e-3, rng, scratch)
        }
      },
    },
  ]
}

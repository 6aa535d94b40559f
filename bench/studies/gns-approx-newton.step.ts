/**
 * gns-approx-newton: one iteration of Algorithm 1 (gns.ts, gradNormSmooth) at the default
 * (softmax, m = n = 100, μ = 0.25, exact Hessian, metric B = AᵀA) with one γ-try, written out
 * from the loop body with the study's own Objective, Metric and CholeskySolver:
 * H = Hessian at x (valueAndGradient + the Gram product with the rank-one row, in wasmKernels.ts's
 * SIMD kernel where WebAssembly is available, as in the solver), Cholesky of H + λB (formed inside
 * the factorisation, as gns.ts does), Δ = −(H + λB)⁻¹g by two triangular solves, f and ∇f at
 * x + Δ, ‖∇f‖²_* (a forward solve with L_B).
 */
import { Rng } from '../../src-main/numeric/rng'
import { CholeskySolver } from '../../src-main/studies/gns-approx-newton/cholesky'
import { Metric } from '../../src-main/studies/gns-approx-newton/metric'
import { drawSoftmaxData, SoftmaxObjective } from '../../src-main/studies/gns-approx-newton/problems'
import type { StepCase } from './types'

const M_ROWS = 100
const N = 100
const MU = 0.25

export function steps(): StepCase[] {
  return [
    {
      name: `gns-approx-newton softmax m=${M_ROWS} n=${N} exact Hessian, one γ-try`,
      py: 'gns-approx-newton_step',
      pyCase: 'default',
      note: 'hessian + (H + λB) + Cholesky + 2 triangular solves + valueAndGradient + dualNormSq',
      setup: () => {
        const obj = new SoftmaxObjective(drawSoftmaxData(new Rng(0, 'data'), M_ROWS, N, MU))
        const metric = new Metric(N, obj.gram(1e-8))
        const B = metric.B
        const x = Float64Array.from(obj.x0)
        const g = new Float64Array(N)
        const gNew = new Float64Array(N)
        const xTrial = new Float64Array(N)
        const delta = new Float64Array(N)
        const H = new Float64Array(N * N)
        const chol = new CholeskySolver(N)
        obj.valueAndGradient(x, g)
        const lambda = Math.sqrt(metric.dualNormSq(g))
        return () => {
          obj.hessian(x, 'exact', H)
          if (!chol.factor(H, lambda, B)) throw new Error('H + λB not positive definite')
          for (let j = 0; j < N; j++) delta[j] = -g[j]
          chol.solveInPlace(delta)
          for (let j = 0; j < N; j++) xTrial[j] = x[j] + delta[j]
          obj.valueAndGradient(xTrial, gNew)
          metric.dualNormSq(gNew)
        }
      },
    },
  ]
}

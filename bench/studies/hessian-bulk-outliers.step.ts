/**
 * hessian-bulk-outliers: one full-batch GD step of the training loop (solver.ts, trainFullBatch)
 * at the default (Gaussian blobs N = 300, d = 10, k = 4 classes, MLP 10-20-20-4 with ReLU and
 * softmax cross-entropy, lr = 0.1): Mlp.forward over all 300 rows, Mlp.gradient (backprop), the
 * gradient norm and θ ← θ − lr·∇L. Uses the study's own setUp / Mlp. (The exact Hessian and its
 * eigendecomposition after training are one-off, not per-iteration, and are not timed here.)
 */
import { Rng } from '../../src-main/numeric/rng'
import { setUp, type HessianParams } from '../../src-main/studies/hessian-bulk-outliers/solver'
import type { StepCase } from './types'

export function steps(): StepCase[] {
  return [
    {
      name: 'hessian-bulk-outliers N=300 MLP 10-20-20-4 full-batch GD step',
      py: 'hessian-bulk-outliers_step',
      pyCase: 'default',
      note: 'Mlp.forward + Mlp.gradient + norm + axpy',
      setup: () => {
        // setUp reads only these fields of the params
        const p = { N: 300, d: 10, k: 4, width: 20, cov: 1, initScale: 0.1 } as HessianParams
        const { data, mlp, theta, grad } = setUp(p, { stream: (name: string) => new Rng(0, name) })
        const P = mlp.P
        return () => {
          mlp.forward(theta, data.X, data.labels, data.N)
          mlp.gradient(theta, grad)
          let s = 0
          for (let i = 0; i < P; i++) s += grad[i] * grad[i]
          if (!(s >= 0)) throw new Error('NaN gradient')
          for (let i = 0; i < P; i++) theta[i] -= 0.1 * grad[i]
        }
      },
    },
  ]
}

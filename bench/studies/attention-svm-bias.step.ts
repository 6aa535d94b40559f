/**
 * attention-svm-bias: one normalized-GD step of the study's NormalizedGd (attention.ts) at the
 * default (n = 6 sequences, T = 8 tokens, d = 10, W-parameterisation, η = 0.1): the loss and its
 * gradient ∇_W L over all sequences (softmax attention with the fixed head v), then
 * W ← W − η∇/‖∇‖_F. Since W grows by η per step and the softmax saturates, the iterate restarts
 * from W_0 every 2000 steps (the default iteration count): the time is a run average.
 */
import { Rng } from '../../src-main/numeric/rng'
import { attentionData, NormalizedGd } from '../../src-main/studies/attention-svm-bias/attention'
import type { StepCase } from './types'

const ITER = 2000

export function steps(): StepCase[] {
  return [
    {
      name: 'attention-svm-bias n=6 T=8 d=10 normalized GD step (W)',
      py: 'attention-svm-bias_step',
      pyCase: 'default',
      note: `NormalizedGd.step, restarting every ${ITER} steps`,
      setup: () => {
        const data = attentionData(6, 8, 10, new Rng(0, 'data'))
        const gd = new NormalizedGd(data, { param: 'W', eta: 0.1, lambda: 0, normGuard: 1e-300 }, new Rng(0, 'init'))
        const W0 = Float64Array.from(gd.W)
        let t = 0
        return () => {
          if (t++ === ITER) {
            gd.W.set(W0)
            t = 1
          }
          gd.step()
        }
      },
    },
  ]
}

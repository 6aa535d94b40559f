/**
 * stn-best-response: the two steps of the STN's alternating phase (solver.ts, class Stn) at the
 * default (ridge, d = 50, 60 train / 60 validation samples, batch 16, σ = 0.5):
 *  - train step: a minibatch of 16 examples, each with its own perturbed h̃_i, the per-example
 *    gradients of the affine best response ŵ(h) = a + u(h)·c, SGD with momentum on (a, c);
 *  - validation step: the validation gradient at ŵ(h) over all 60 samples, the hypergradient
 *    and one Adam step on h.
 * Uses the study's own makeRidgeData and Stn.
 */
import { Rng } from '../../src-main/numeric/rng'
import { makeRidgeData } from '../../src-main/studies/stn-best-response/problem'
import { Stn, type StnParams } from '../../src-main/studies/stn-best-response/solver'
import type { StepCase } from './types'

const P: StnParams = {
  mode: 'stn', d: 50, nTrain: 60, nVal: 60, nTest: 2000, sparsity: 0.3, noiseStd: 1, h0: -6, hOffset: 3, hScale: 2.5, batch: 16,
  lrWeights: 2e-3, momentum: 0.9, warmupSteps: 200, steps: 3000, trainSteps: 1, validSteps: 1, lrHyper: 0.03, perturbSigma: 0.5,
  gridPoints: 11, gridMin: -8, gridMax: 2, randomRuns: 5, baselineSteps: 3000,
}

function build(): Stn {
  return new Stn(makeRidgeData(P, new Rng(0, 'data')), P)
}

export function steps(): StepCase[] {
  const id = 'stn-best-response'
  const py = `${id}_step`
  return [
    {
      name: `${id} d=50 batch=16 STN train step`,
      py,
      pyCase: 'train',
      note: 'Stn.trainStep',
      setup: () => {
        const stn = build()
        const rng = new Rng(0, 'train')
        return () => stn.trainStep(rng)
      },
    },
    {
      name: `${id} d=50 nVal=60 STN validation step`,
      py,
      pyCase: 'valid',
      note: 'Stn.validStep',
      setup: () => {
        const stn = build()
        return () => {
          stn.validStep()
        }
      },
    },
  ]
}

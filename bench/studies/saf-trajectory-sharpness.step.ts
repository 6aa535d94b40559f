/**
 * saf-trajectory-sharpness: one training step of the study's Trainer (solver.ts) at the default
 * (noisy Gaussian mixture, 1000 training points in d = 10, K = 4, MLP 10-64-64-4 ReLU, batch 50,
 * lr 0.05, momentum 0.9, weight decay 5e-3):
 *  - SAF (the paper's method, with its trajectory term active, e > E_start): minibatch gather,
 *    forward, softmax-CE gradient, the KL(softmax(z_old/τ) ‖ softmax(z/τ)) gradient against the
 *    logits stored Ẽ = 3 epochs earlier and the logit-buffer write, backward, momentum update;
 *  - SAM (the baseline, two gradient evaluations): the same plus the ascent step and a second
 *    forward/backward at w + ρg/‖g‖.
 * A fresh permutation per epoch (20 steps). Uses the study's own makeMixture, initParams, Trainer.
 */
import { Rng } from '../../src-main/numeric/rng'
import { makeMixture } from '../../src-main/studies/saf-trajectory-sharpness/data'
import { initParams, mlpShape } from '../../src-main/studies/saf-trajectory-sharpness/mlp'
import { CLASSES, INPUT_DIM, SUBCLUSTERS, Trainer, type Method, type TrainerParams } from '../../src-main/studies/saf-trajectory-sharpness/solver'
import type { StepCase } from './types'

function trainerStep(method: Method): StepCase {
  return {
    name: `saf-trajectory-sharpness N=1000 MLP 10-64-64-4 batch=50 ${method.toUpperCase()} step`,
    py: 'saf-trajectory-sharpness_step',
    pyCase: method,
    note: `Trainer.step (${method})`,
    setup: () => {
      const data = makeMixture(new Rng(0, 'data'), { d: INPUT_DIM, K: CLASSES, subclusters: SUBCLUSTERS, nTrain: 1000, nTest: 5000, centreScale: 1.6, labelNoise: 0.2, noiseKind: 'resample' })
      const shape = mlpShape([INPUT_DIM, 64, 64, CLASSES])
      const w = initParams(shape, Math.sqrt(3), new Rng(0, 'init'))
      const p: TrainerParams = { method, lr: 0.05, momentum: 0.9, weightDecay: 5e-3, batch: 50, samRho: 0.05, safLambda: 3, tau: 5, eTilde: 3, eStart: 5 }
      const trainer = new Trainer(p, data, shape, w)
      const shuffle = new Rng(0, 'main')
      const kl = { sum: 0 }
      // epochs from E_start + 1 on: SAF's trajectory term is active (its buffer starts at zero logits)
      let e = p.eStart + 1
      let s = 0
      let perm = shuffle.permutation(data.nTrain)
      return () => {
        if (s === trainer.stepsPerEpoch) {
          perm = shuffle.permutation(data.nTrain)
          s = 0
          e++
        }
        trainer.step(e, s++, perm, kl)
      }
    },
  }
}

export function steps(): StepCase[] {
  return [trainerStep('saf'), trainerStep('sam')]
}

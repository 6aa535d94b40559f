/**
 * ignite-surrogate-sharpness: one surrogate training step of trainSurrogate (solver.ts) at the
 * default (Styblinski–Tang d = 8, 2000 offline points, MLP 8 → 64 → 64 → 1 leaky-ReLU, batch 128,
 * Adam lr 3e-4), for plain training and for IGNITE (ρ = r = 0.05, dual ascent on λ):
 *  - plain: forward on the minibatch, ∇_β L_B and u = ∇_β G_B (two backward passes), ‖u‖, Adam;
 *  - IGNITE: the same, plus β̂ = β + r·u/‖u‖, forward and ∇_β G_B at β̂, β restored,
 *    g = ∇L + λ(ρ/r)(û − u), Adam, the dual step.
 * One call is one full epoch (16 steps: 15 batches of 128 and one of 80) from trainSurrogate with
 * epochs = 1, so perCall = 16; the network keeps training across calls (it does not reset).
 * Also one GA step on the trained-from-init surrogate: forward + ∇_x over the 128 designs and the
 * update x ← x + α∇_x ĝ. Uses the study's own makeOfflineData, Mlp and trainSurrogate.
 */
import { Rng } from '../../src-main/numeric/rng'
import { Mlp } from '../../src-main/studies/ignite-surrogate-sharpness/mlp'
import { makeOfflineData, topIndices, trainSurrogate, type IgniteParams, type Method } from '../../src-main/studies/ignite-surrogate-sharpness/solver'
import type { StepCase } from './types'

const P: IgniteParams = {
  method: 'plain', task: 'styblinski-tang', trial: 0, dim: 8, nFull: 4000, keepFraction: 0.5, width: 64, leakySlope: 0.2, lr: 3e-4, batch: 128,
  epochs: 1, eps: 0.1, lambda0: 1e-3, etaLambda: 1e-3, rho: 0.05, r: 0.05, rhoPenalty: 0.2, rPenalty: 0.2, lambdaFixed: 0.01, lambdaMode: 'repo',
  gaSteps: 200, gaLr: 0.01, stepMultiplier: 1, extraMultipliers: '', topK: 128,
}

function build() {
  const data = makeOfflineData(P.task, P.dim, P.nFull, P.keepFraction, new Rng(0, 'data'))
  const net = new Mlp(P.dim, P.width, P.leakySlope, Math.max(P.batch, P.topK))
  // as the solver does: β in the network's wasm memory
  const beta = net.arena.alloc(net.P)
  net.init(beta, new Rng(0, 'init'))
  return { data, net, beta }
}

function training(method: Method): StepCase {
  return {
    name: `ignite-surrogate-sharpness d=8 n=2000 MLP 64x64 batch=128 ${method} training step`,
    py: 'ignite-surrogate-sharpness_step',
    pyCase: method,
    note: `trainSurrogate (${method}) for one epoch = 16 minibatch steps`,
    perCall: 16,
    setup: () => {
      const { data, net, beta } = build()
      const batchRng = new Rng(0, 'batch')
      return () => {
        trainSurrogate({ ...P, method }, data, net, beta, batchRng)
      }
    },
  }
}

export function steps(): StepCase[] {
  return [
    training('plain'),
    training('ignite'),
    {
      name: 'ignite-surrogate-sharpness d=8 K=128 MLP 64x64 gradient-ascent step',
      py: 'ignite-surrogate-sharpness_step',
      pyCase: 'ga',
      note: 'Mlp.forward + Mlp.backward (∇_x) over the 128 designs, x ← x + α∇_x ĝ (restart from the starts every 200 steps)',
      setup: () => {
        const { data, net, beta } = build()
        const starts = topIndices(data.y, P.topK)
        const K = starts.length
        const d = P.dim
        const X0 = new Float64Array(K * d)
        for (let i = 0; i < K; i++) for (let k = 0; k < d; k++) X0[i * d + k] = data.Xz[starts[i] * d + k]
        const X = Float64Array.from(X0)
        const dX = net.inputGradient.subarray(0, K * d)
        const ones = new Float64Array(K).fill(1)
        const alpha = P.stepMultiplier * P.gaLr * Math.sqrt(d)
        let s = 0
        return () => {
          if (s++ === P.gaSteps) {
            X.set(X0)
            s = 1
          }
          net.forward(beta, X, null, 0, K, true)
          net.backward(beta, X, null, 0, K, ones, null, dX)
          for (let i = 0; i < K * d; i++) X[i] += alpha * dX[i]
        }
      },
    },
  ]
}

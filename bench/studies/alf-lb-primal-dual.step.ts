/**
 * alf-lb-primal-dual: one step of the deterministic setting (solver.ts, runDeterministic) at the
 * default (E = 16 experts, K = 2, m = 512 tokens, d = 16, sign rule u = 1e-3), from the study's
 * own routing.ts / solver.ts / data.ts: top-K routing of the batch under the biases
 * (routeBatch: loads, D(b), routed score), MaxVio, then the bias update (updateBias, with the
 * gauge recentring). The per-step recording is left out.
 */
import { Rng } from '../../src-main/numeric/rng'
import { drawBatch, drawRouter } from '../../src-main/studies/alf-lb-primal-dual/data'
import { maxViolation, routeBatch } from '../../src-main/studies/alf-lb-primal-dual/routing'
import { updateBias } from '../../src-main/studies/alf-lb-primal-dual/solver'
import type { StepCase } from './types'

const E = 16
const K = 2
const M = 512
const DIM = 16

export function steps(): StepCase[] {
  return [
    {
      name: `alf-lb-primal-dual E=${E} K=${K} m=${M} route + sign bias update`,
      py: 'alf-lb-primal-dual_step',
      pyCase: 'default',
      note: 'routeBatch + maxViolation + updateBias(sign)',
      setup: () => {
        const rng = new Rng(0, 'data')
        const router = drawRouter(rng, E, DIM, 1)
        const scores = new Float64Array(M * E)
        drawBatch(rng, router, M, router.beta, scores, 0)
        const L = (M * K) / E
        const b = new Float64Array(E)
        const loads = new Float64Array(E)
        const picks = new Int32Array(K)
        const cfg = { rule: 'sign' as const, u: 1e-3, c: 1, constantStep: 1 }
        let k = 0
        return () => {
          routeBatch(scores, 0, M, E, K, b, loads, picks)
          maxViolation(loads, L)
          updateBias(b, loads, L, ++k, cfg)
        }
      },
    },
  ]
}

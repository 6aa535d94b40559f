/**
 * bo-rep-hypercleaning: one outer iteration of BO-REP (solver.ts, boRepIteration) at the default
 * (n = 1000 training samples, d = 20 + bias, n_v = 200, batch 64, Q = 10, I = 2, N = 5): every
 * second iteration 5 minibatch SGD steps on y, the full validation gradient, the Neumann series
 * (9 minibatch Hessian-vector products), the sparse hypergradient on a minibatch, normalised
 * momentum on x (n = 1000). The average over iterations (the SGD period is 2) is what is timed.
 * Uses the study's own makeData, Workspace and boRepIteration, after the T_0 = 200 warm start.
 */
import type { SolveContext } from '../../src-main/kit'
import { resolveStudyParams } from '../../src-main/kit/harness'
import { Rng } from '../../src-main/numeric/rng'
import { makeData } from '../../src-main/studies/bo-rep-hypercleaning/problem'
import { boRepIteration, Workspace, type HypercleaningParams } from '../../src-main/studies/bo-rep-hypercleaning/solver'
import study from '../../src-main/studies/bo-rep-hypercleaning/study'
import type { StepCase } from './types'

const noCounting = { count() {}, event() {} } as unknown as SolveContext

export function steps(): StepCase[] {
  return [
    {
      name: 'bo-rep-hypercleaning n=1000 p=21 batch=64 Q=10 BO-REP iteration',
      py: 'bo-rep-hypercleaning_step',
      pyCase: 'default',
      note: 'boRepIteration (periodic SGD on y, ∇_y f, Neumann v, hypergradient, normalised momentum on x)',
      setup: () => {
        const P = resolveStudyParams(study, { method: 'BO-REP' }) as unknown as HypercleaningParams
        const D = makeData(P, new Rng(0, 'data'))
        const ws = new Workspace(D, P, new Rng(0, 'minibatch'), noCounting, 0.25 * D.maxRowNormSq + P.mu)
        ws.lowerSgd(P.warmStart, P.innerLr)
        const m = new Float64Array(D.n)
        const z = new Float64Array(D.p)
        let t = 0
        return () => {
          boRepIteration(ws, t++, m, z)
        }
      },
    },
  ]
}

/**
 * sea-optimistic-omd: one round of the solver loop (solver.ts, solveSea) at the default (convex
 * linear losses, d = 5, R = 1, A = 1, P = 20, σ = 0, δ = 1): the environment's next round, the
 * hindsight comparator's running sums, and for each of the three learners (OOMD, OGD, OFTRL)
 * predict, gradient, loss and update. Uses the study's own classes; the recording (every 50th
 * round) is left out.
 */
import { Rng } from '../../src-main/numeric/rng'
import { HindsightComparator, SeaEnvironment } from '../../src-main/studies/sea-optimistic-omd/environment'
import { learnersFor, type SeaParams } from '../../src-main/studies/sea-optimistic-omd/solver'
import type { StepCase } from './types'

const P: SeaParams = { lossType: 'convex', d: 5, radius: 1, mu: 0, A: 1, P: 20, sigma: 0, lambda: 1, T: 32000, delta: 1, G: 0 }

export function steps(): StepCase[] {
  return [
    {
      name: 'sea-optimistic-omd convex d=5, one round of 3 learners',
      py: 'sea-optimistic-omd_step',
      pyCase: 'default',
      note: 'env.next + comparator.add + 3 × (predict, gradient, loss, update)',
      setup: () => {
        const env = new SeaEnvironment(P, new Rng(0, 'data'))
        const comparator = new HindsightComparator(P)
        const learners = learnersFor(P)
        const cumLoss = new Float64Array(learners.length)
        const g = new Float64Array(P.d)
        let t = 0
        return () => {
          t++
          env.next()
          comparator.add(env)
          for (let a = 0; a < learners.length; a++) {
            const learner = learners[a]
            learner.predict(t)
            env.gradient(learner.x, g)
            cumLoss[a] += env.loss(learner.x)
            learner.update(g, t)
          }
        }
      },
    },
  ]
}

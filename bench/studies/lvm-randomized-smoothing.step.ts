/**
 * lvm-randomized-smoothing: one test point of certify mode (solver.ts, certifyPoint) at the
 * default (σ = 0.5, n₀ = 100 selection and n = 10 000 estimation samples, 8 temperatures × both
 * maps + the softmax reference = 17 soft votes, α = 1e-3, 241² quadrature nodes): the noisy
 * copies, QDA logits, hard counts and every soft vote's running mean and variance, the
 * Clopper–Pearson, Hoeffding and Bernstein radii of every vote, the selection, and the exact
 * smoothed probabilities of up to 4 votes by quadrature. Cycles through the 100 test points.
 * Uses the study's own drawTestSet, makeConfig and certifyPoint.
 */
import { resolveStudyParams } from '../../src-main/kit/harness'
import { Rng } from '../../src-main/numeric/rng'
import { certifyPoint, drawTestSet, makeConfig, parseTemps, type LvmParams } from '../../src-main/studies/lvm-randomized-smoothing/solver'
import study from '../../src-main/studies/lvm-randomized-smoothing/study'
import type { StepCase } from './types'

export function steps(): StepCase[] {
  return [
    {
      name: 'lvm-randomized-smoothing n=10000 17 votes 241² quadrature: certify one point',
      py: 'lvm-randomized-smoothing_step',
      pyCase: 'default',
      note: 'certifyPoint (selection, estimation, radii, exact check)',
      setup: () => {
        const p = resolveStudyParams(study, {}) as unknown as LvmParams
        const cfg = makeConfig(p, parseTemps(p.temps))
        const { x } = drawTestSet(p.nTest, new Rng(0, 'data'))
        const rng = new Rng(0, 'main')
        let i = 0
        return () => {
          certifyPoint(x[2 * i], x[2 * i + 1], cfg, rng)
          i = (i + 1) % p.nTest
        }
      },
    },
  ]
}

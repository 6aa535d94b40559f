/**
 * step-law-hparam-scaling: the study's only iterative part at the default (law-regret view, the
 * synthetic dense table, threshold 0.0025, 1000 bootstrap resamples) is the bootstrap of the
 * power-law fit (fit.ts, bootstrapLaws): per resample, n indices drawn with replacement and the
 * OLS refit of both laws (fitLaws, centred normal equations). The step timed is one resample:
 * bootstrapLaws with B = 100, divided by 100 (its final per-coefficient mean amortised in).
 * The regression data come from the study's own syntheticTable → groupPairs → selectRuns.
 */
import { Rng } from '../../src-main/numeric/rng'
import { bootstrapLaws, groupPairs, regressionData, selectRuns } from '../../src-main/studies/step-law-hparam-scaling/fit'
import { optimalBatchTokens, optimalLr, PUBLISHED } from '../../src-main/studies/step-law-hparam-scaling/law'
import { syntheticTable } from '../../src-main/studies/step-law-hparam-scaling/table'
import type { StepCase } from './types'

const B = 100

function data() {
  const runs = syntheticTable({ noise: 2e-4 }, new Rng(0, 'data'), (N, D) => optimalLr(PUBLISHED, N, D), (D) => optimalBatchTokens(PUBLISHED, D))
  return regressionData(selectRuns(groupPairs(runs, false), 'threshold', 0.0025))
}

export function steps(): StepCase[] {
  const n = data().lnN.length
  return [
    {
      name: `step-law-hparam-scaling one bootstrap resample + OLS refit (n=${n} kept runs)`,
      py: 'step-law-hparam-scaling_step',
      pyCase: String(n),
      note: `bootstrapLaws(B = ${B}) / ${B}`,
      perCall: B,
      setup: () => {
        const d = data()
        const rng = new Rng(0, 'bootstrap')
        return () => {
          bootstrapLaws(d, B, rng)
        }
      },
    },
  ]
}

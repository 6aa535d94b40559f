/**
 * The claims of programmable-vi-estimators at the spec's sizes (R = 2000 with a 4R reference,
 * 1500 SGD steps, 5000 cone steps) on seeds 0, 1, 2: figures estimator-variance-grid, sgd-kl and
 * noisy-cone.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

/** See README "What did not reproduce". */
const KNOWN_MISSES: KnownMiss[] = [
  {
    figure: 'sgd-kl',
    seed: 0,
    claim: 'sgd-kl',
    why: 'ENUM + REPARAM ends at KL 0.0402 > 0.03 (the other REPARAM runs 0.013–0.018; REINFORCE + REINFORCE 0.94 ≥ 0.1 holds): last-iterate SGD noise, KL over steps 1000–1500 averages 0.021 (sd 0.006)',
  },
  {
    figure: 'sgd-kl',
    seed: 1,
    claim: 'sgd-kl',
    why: 'REINFORCE + REINFORCE ends at KL 0.0356 < 0.1 (every REPARAM run ≤ 0.0252 holds): its noisy trajectory happened to land near the optimum (0.94 and 0.24 on seeds 0 and 2)',
  },
  {
    figure: 'noisy-cone',
    seed: 0,
    claim: 'cone-elbo',
    why: 'ELBO −8.1049 (−8.1089 with 200 000 evaluation samples: the trained guide, not evaluation noise), 0.005 below the interval [−8.10, −8.06]',
  },
  {
    figure: 'noisy-cone',
    seed: 0,
    claim: 'cone-iwae',
    why: 'IWELBO(5) −8.216 < −7.85 for the artifact setting (1 outer sample per step): single-sample training ends on a poorer guide; 64 outer samples give −7.536',
  },
]

describe('programmable-vi-estimators claims', () => {
  for (const figure of ['estimator-variance-grid', 'sgd-kl', 'noisy-cone']) {
    for (const seed of [0, 1, 2]) {
      it(`${figure}, seed ${seed}`, async () => {
        const t0 = performance.now()
        const r = await reproduceLocal(study, figure, seed)
        const secs = ((performance.now() - t0) / 1000).toFixed(2)
        for (const c of r.claims) console.log(`[${figure} seed ${seed}, ${secs} s] ${c.passed ? 'PASS' : 'FAIL'} ${c.id}: ${c.measured}`)
        for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
        expect(r.claims.length).toBeGreaterThan(0)
        expectClaims(r.claims, figure, seed, KNOWN_MISSES)
      }, 300_000)
    }
  }
})

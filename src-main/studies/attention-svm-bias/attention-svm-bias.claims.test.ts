/**
 * The spec's claims at the spec's sizes (n = 6, T = 8, d = 10, η = 0.1, 2000 iterations; (K,Q) with
 * λ = 2⁻⁵²): the direction-convergence figure holds 20 problem instances per parameterisation (the
 * spec's "seeds 0–19"), reproduced here for run seeds 0, 1, 2, i.e. 60 instances in all.
 * Every claim must pass; each measured text is printed.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

/** Recorded as not reproduced (see the README, with the numbers); the app reports them as failed. */
const NOT_REPRODUCED: KnownMiss[] = [
  ...[1, 2].map((seed) => ({
    figure: 'direction-convergence',
    seed,
    claim: 'w-param-frobenius',
    why: 'one instance of 20 switches its selected token late (≈ iteration 1500): min corr(W, W_fro) 0.981 (seed 1), 0.982 (seed 2) < 0.99 at T = 2000; both reach 0.9995 by 8000',
  })),
]

const SEEDS = [0, 1, 2]

describe('figure direction-convergence', () => {
  it.each(SEEDS)('seed %i: every claim passes', async (seed) => {
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const r = await reproduceLocal(study, 'direction-convergence', seed)
    const ms = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const cpuMs = (cpu.user + cpu.system) / 1000
    for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
    const gaps = r.runs.map((x) => Math.max(x.summary.froGap, x.summary.froViolation, x.summary.nucRelGap))
    console.log(
      `direction-convergence seed ${seed} (${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU; worst SVM certificate ${Math.max(...gaps).toExponential(1)})\n` +
        r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'),
    )
    expect(r.claims.length).toBe(3)
    expectClaims(r.claims, 'direction-convergence', seed, NOT_REPRODUCED)
  })
})

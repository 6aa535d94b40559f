/**
 * The spec's claims at the spec's sizes on seeds 0, 1, 2: softmax m = n = 100, μ = 0.25 (claims
 * 1-3) and logistic m = 500, n = 50 (claims 4-6). Every claim must pass except the one recorded
 * below as not reproduced (see the README); each measured text is printed.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

const SEEDS = [0, 1, 2]

const NOT_REPRODUCED: KnownMiss[] = [
  {
    figure: 'logistic-fisher',
    seed: 1,
    claim: 'logistic-gd-500',
    why: 'backtracking GD reaches the tolerance in 459 iterations (< 500) on our logistic construction; 11 of seeds 0-11 pass',
  },
]

describe.each(['softmax-sharp', 'logistic-fisher'])('figure %s', (figure) => {
  it.each(SEEDS)('seed %i: every claim passes', async (seed) => {
    const t0 = performance.now()
    const r = await reproduceLocal(study, figure, seed)
    const ms = performance.now() - t0
    for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
    console.log(`${figure} seed ${seed} (${ms.toFixed(0)} ms)\n` + r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'))
    expect(r.claims.length).toBe(3)
    expectClaims(r.claims, figure, seed, NOT_REPRODUCED)
  })
})

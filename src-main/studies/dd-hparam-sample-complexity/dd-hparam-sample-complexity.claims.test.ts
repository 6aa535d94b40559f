/**
 * The spec's claims at the spec's sizes (600 tasks = 300 ERM training + 300 held-out, 201-point
 * α grid, 200 ERM repetitions per N) on seeds 0, 1, 2, for the three figures. Every claim must
 * pass except the one recorded below as not reproduced (see the README); each measured text is printed.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

/**
 * Seed 1: the mean excess rises from N = 2 to N = 3 (0.0411 → 0.0544, 200 draws each); from
 * N = 3 to 200 it falls strictly, and the other claims hold on this seed.
 */
const NOT_REPRODUCED: KnownMiss[] = [
  { figure: 'sample-complexity', seed: 1, claim: 'steady-decrease', why: 'mean excess 0.0411 at N = 2 < 0.0544 at N = 3 on seed 1' },
]

const SEEDS = [0, 1, 2]
const FIGURES: [string, number][] = [
  ['utility-curves', 1],
  ['expected-utility', 1],
  ['sample-complexity', 2],
]

describe.each(FIGURES)('figure %s', (figure, nClaims) => {
  it.each(SEEDS)('seed %i: every claim passes', async (seed) => {
    const t0 = performance.now()
    const r = await reproduceLocal(study, figure, seed)
    const ms = performance.now() - t0
    for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
    console.log(`${figure} seed ${seed} (${ms.toFixed(0)} ms)\n` + r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'))
    expect(r.claims.length).toBe(nClaims)
    expectClaims(r.claims, figure, seed, NOT_REPRODUCED)
  })
})

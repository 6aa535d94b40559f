/**
 * The spec's claims at the spec's sizes (N = 300, d = 10, 10-w-w-k, 2000 GD iterations) on
 * seeds 0, 1, 2: figures A (k = 2…6), B (widths 10, 20, 30), C (cov 1, 3, 6) and D (LB → SB).
 * Every claim must pass except claim A, recorded below as not reproduced (see the README);
 * each measured text is printed.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

/** Claim A fails at k = 5 on every seed: r_5 = 1.56 / 1.50 / 1.27 < 2 (spec 2.28 / 2.82 / 2.15); over seeds 0-10 it holds on 3 of 11. */
const NOT_REPRODUCED: KnownMiss[] = [0, 1, 2].map((seed) => ({
  figure: 'outliers-vs-classes',
  seed,
  claim: 'A-k-outliers',
  why: 'the k = 5 outlier gap r_5 is below 2 (1.56, 1.50, 1.27 on seeds 0-2)',
}))

const SEEDS = [0, 1, 2]
const FIGURES = ['outliers-vs-classes', 'bulk-vs-width', 'separability', 'lb-sb-connectivity']

describe.each(FIGURES)('figure %s', (figure) => {
  it.each(SEEDS)('seed %i: every claim passes', async (seed) => {
    const t0 = performance.now()
    const r = await reproduceLocal(study, figure, seed)
    const ms = performance.now() - t0
    for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
    console.log(`${figure} seed ${seed} (${ms.toFixed(0)} ms)\n` + r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'))
    expect(r.claims.length).toBe(1)
    expectClaims(r.claims, figure, seed, NOT_REPRODUCED)
  })
})

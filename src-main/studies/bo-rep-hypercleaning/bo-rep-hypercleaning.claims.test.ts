/**
 * The spec's claims at the spec's sizes (d = 20, n = 1000 with 30% flipped labels, n_v = 200,
 * 4000 test samples, 1500 outer iterations, 2000-step refit) on seeds 0, 1, 2, via the
 * `hypercleaning-linear` figure (all methods and both references). Each measured text is printed.
 * Claim 1 (BO-REP ≥ uniform + 0.03) does not reproduce on seeds 0 and 1: our uniform-weight
 * reference is stronger than the spec's independent implementation (see the README, "What did
 * not reproduce"); those two verdicts are asserted to still FAIL.
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

const FIGURE = 'hypercleaning-linear'
const KNOWN: KnownMiss[] = [
  {
    figure: FIGURE,
    seed: 0,
    claim: 'beats-uniform',
    why: 'gain 0.023 < 0.03: uniform reaches 0.817 here against 0.741 in the spec; BO-REP 0.840 matches the spec (0.835)',
  },
  {
    figure: FIGURE,
    seed: 1,
    claim: 'beats-uniform',
    why: 'gain 0.019 < 0.03: uniform reaches 0.824 here against 0.804 in the spec; BO-REP 0.843 matches the spec (0.844)',
  },
]

describe(`figure ${FIGURE}`, () => {
  it.each([0, 1, 2])('seed %i: every claim passes except the recorded misses', async (seed) => {
    const t0 = performance.now()
    const r = await reproduceLocal(study, FIGURE, seed)
    const ms = performance.now() - t0
    for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
    console.log(`${FIGURE} seed ${seed} (${ms.toFixed(0)} ms)\n` + r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'))
    expect(r.claims.length).toBe(4)
    expectClaims(r.claims, FIGURE, seed, KNOWN)
  })
})

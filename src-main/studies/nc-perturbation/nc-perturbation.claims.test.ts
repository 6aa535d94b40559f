/**
 * The spec's claims at the spec's sizes (K = 4, n = 10, d = 10) on seeds 0, 1, 2: the flow
 * (claim 1), the minimisers vs β (claim 2), Theorem 4.2 (claim 3) and the lH-vs-lW sweep
 * (claim 4). Every claim must pass; each measured text is printed.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

const SEEDS = [0, 1, 2]
const FIGURES = ['central-path-flow', 'minimiser-vs-beta', 'linear-response-spectrum', 'regularisation-heatmap']

describe.each(FIGURES)('figure %s', (figure) => {
  it.each(SEEDS)('seed %i: every claim passes', async (seed) => {
    const t0 = performance.now()
    const r = await reproduceLocal(study, figure, seed)
    const ms = performance.now() - t0
    for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
    console.log(`${figure} seed ${seed} (${ms.toFixed(0)} ms)\n` + r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'))
    expect(r.claims.length).toBe(1)
    for (const c of r.claims) expect(c.passed, `${c.id}: ${c.measured}`).toBe(true)
  })
})

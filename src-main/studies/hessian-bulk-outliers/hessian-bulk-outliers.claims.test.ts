/**
 * The spec's claims at the spec's sizes (N = 300, d = 10, 10-w-w-k, 2000 GD iterations) on
 * seeds 0, 1, 2: figures A (k = 2…6), B (widths 10, 20, 30), C (cov 1, 3, 6) and D (LB → SB).
 * Every claim must pass; each measured text is printed.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

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
    for (const c of r.claims) expect(c.passed, `${c.id}: ${c.measured}`).toBe(true)
  })
})

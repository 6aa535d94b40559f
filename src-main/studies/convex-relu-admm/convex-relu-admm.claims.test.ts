/**
 * The spec's claims at the spec's sizes (n = 16 XOR points, β = 0.05, exact arrangements P = 241,
 * ρ = 0.1, 20k ADMM iterations; GD at m ∈ {4, 16, 64} × 10 initialisations, 40k iterations) on
 * seeds 0, 1, 2. Every claim must pass; each measured text is printed. The claims that fail on some
 * seed are kept as they are: see the README ("What did not reproduce").
 */
import { describe, expect, it } from 'vitest'
import { expectClaims, type KnownMiss } from '../../kit/claim-assertions'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

/** Recorded as not reproduced (see the README, with the numbers); the app reports them as failed. */
const NOT_REPRODUCED: KnownMiss[] = [
  {
    figure: 'certificate',
    seed: 1,
    claim: 'certified-global-optimum',
    why: 'relative duality gap 3.3e-4 > 3e-4 after 20k ADMM iterations (1.6e-4 at 60k, 1e-11 at 70k): this instance converges slowly',
  },
  {
    figure: 'sampled-arrangements',
    seed: 0,
    claim: 'sampled-approach-exact',
    why: 'P_s = 128 sampled optimum is 1.0134·p* (draws 1.018, 1.013, 1.009) > 1.01·p*',
  },
  {
    figure: 'gd-vs-global',
    seed: 2,
    claim: 'narrow-gd-stuck',
    why: 'one width-16 GD run ends within 6.3e-4 of p* (< 1e-3); p* is certified to 3e-12 on this seed',
  },
]

const SEEDS = [0, 1, 2]
const FIGURES = ['certificate', 'early-accuracy', 'sampled-arrangements', 'gd-vs-global', 'scp']

describe.each(FIGURES)('figure %s', (figure) => {
  it.each(SEEDS)('seed %i: every claim passes', async (seed) => {
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const r = await reproduceLocal(study, figure, seed)
    const ms = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const cpuMs = (cpu.user + cpu.system) / 1000
    for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
    console.log(`${figure} seed ${seed} (${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU)\n` + r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'))
    expect(r.claims.length).toBeGreaterThan(0)
    expectClaims(r.claims, figure, seed, NOT_REPRODUCED)
  })
})

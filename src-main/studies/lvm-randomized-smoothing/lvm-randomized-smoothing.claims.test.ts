/**
 * The spec's claims at the spec's sizes (100 test points, n = 10⁴, n₀ = 100, α = 10⁻³, σ = 0.5,
 * 241² quadrature) on seeds 0, 1, 2: the certified-accuracy figure carries all six claims.
 * Every claim must pass; each measured text is printed.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

describe('figure certified-accuracy', () => {
  it.each([0, 1, 2])('seed %i: every claim passes', async (seed) => {
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const r = await reproduceLocal(study, 'certified-accuracy', seed)
    const ms = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const cpuMs = (cpu.user + cpu.system) / 1000
    for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
    console.log(`certified-accuracy seed ${seed} (${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU)\n` + r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'))
    expect(r.claims.length).toBe(6)
    for (const c of r.claims) expect(c.passed, `${c.id}: ${c.measured}`).toBe(true)
  }, 120_000)
})

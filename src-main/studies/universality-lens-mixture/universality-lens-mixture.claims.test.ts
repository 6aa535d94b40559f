/**
 * The spec's claims at the spec's sizes on seeds 0, 1, 2: the paper-check figure (demo A with
 * n = 200 and 40 data sets at P = 32, 128, 2048 and the complex truth at 2048; demo B at
 * P = 1000, n = 20 with 8 × 20 000 SGLD steps). Every claim must pass; each measured text is printed.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

describe('figure paper-check', () => {
  it.each([0, 1, 2])('seed %i: every claim passes', async (seed) => {
    const t0 = performance.now()
    const cpu0 = process.cpuUsage()
    const r = await reproduceLocal(study, 'paper-check', seed)
    const ms = performance.now() - t0
    const cpu = process.cpuUsage(cpu0)
    const cpuMs = (cpu.user + cpu.system) / 1000
    for (const run of r.runs) expect(run.status, `${run.view.label}: ${run.error}`).toBe('done')
    const table = r.runs
      .filter((x) => x.view.params.demo === 'A')
      .map((x) => `  ${x.view.label}: ${[10, 50, 200].map((n) => `n=${n} ${x.view.at('expectedRegret', n).toFixed(2)}±${x.view.at('regretSE', n).toFixed(2)} [${x.view.at('bound', n).toFixed(2)}]`).join(', ')}`)
      .join('\n')
    console.log(`paper-check seed ${seed} (${ms.toFixed(0)} ms wall, ${cpuMs.toFixed(0)} ms CPU)\n${table}\n` + r.claims.map((c) => `  [${c.passed ? 'pass' : 'FAIL'}] ${c.id}: ${c.measured}`).join('\n'))
    expect(r.claims.length).toBe(4)
    for (const c of r.claims) expect(c.passed, `${c.id}: ${c.measured}`).toBe(true)
  }, 300_000)
})

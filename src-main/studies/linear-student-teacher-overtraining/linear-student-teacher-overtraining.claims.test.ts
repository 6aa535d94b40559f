/**
 * The paper's claims at the spec's sizes (N = 100, 20 realisations, SNR = 4) on seeds 0, 1, 2:
 * every figure a claim reads is reproduced through the same harness the worker pool uses.
 */
import { describe, expect, it } from 'vitest'
import { reproduceLocal } from '../../kit/harness'
import study from './study'

const FIGURES = ['error-dynamics', 'overtraining-vs-alpha', 'initial-weights', 'gd-crosscheck']

describe('linear-student-teacher-overtraining claims', () => {
  for (const seed of [0, 1, 2]) {
    it(`reproduces every claim on seed ${seed}`, async () => {
      const seen = new Set<string>()
      for (const figure of FIGURES) {
        const t0 = performance.now()
        const fig = await reproduceLocal(study, figure, seed)
        for (const r of fig.runs) expect(r.status, `${figure}/${r.view.label}: ${r.error}`).toBe('done')
        const claims = [...fig.claims, ...fig.runs.flatMap((r) => r.claims)]
        for (const c of claims) {
          console.log(`seed ${seed} ${figure} [${c.passed ? 'PASS' : 'FAIL'}] ${c.id}: ${c.measured}`)
          seen.add(c.id)
        }
        console.log(`seed ${seed} ${figure}: ${(performance.now() - t0).toFixed(0)} ms`)
        for (const c of claims) expect(c.passed, `${c.id}: ${c.measured}`).toBe(true)
      }
      expect([...seen].sort()).toEqual(study.claims!.map((c) => c.id).sort())
    })
  }
})

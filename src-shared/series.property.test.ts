/**
 * Property tests of min/max decimation (fast-check): whatever the data, the axis (linear or
 * log x) and the budget, no column's extreme is dropped, the ends are kept, indices ascend,
 * and the budget holds.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decimateMinMax } from './series'

const value = fc.oneof(
  { weight: 8, arbitrary: fc.double({ min: -1e6, max: 1e6, noNaN: true }) },
  { weight: 1, arbitrary: fc.constant(NaN) },
  { weight: 1, arbitrary: fc.double({ min: 1e-300, max: 1e-200, noNaN: true }) },
)

const dataset = fc
  .record({ n: fc.integer({ min: 1, max: 3000 }), k: fc.integer({ min: 1, max: 3 }), seed: fc.integer() })
  .chain(({ n, k }) =>
    fc.record({
      // x ascending as recorded (iteration, oracle calls, time), from 0 so a log axis sees x ≤ 0 too
      steps: fc.array(fc.double({ min: 0, max: 100, noNaN: true }), { minLength: n, maxLength: n }),
      ys: fc.array(fc.array(value, { minLength: n, maxLength: n }), { minLength: k, maxLength: k }),
      maxPoints: fc.integer({ min: 10, max: 1000 }),
      logX: fc.boolean(),
    }),
  )

function extremes(y: Float64Array): { min: number; max: number } | null {
  let min = Infinity
  let max = -Infinity
  for (const v of y) {
    if (v !== v) continue
    if (v < min) min = v
    if (v > max) max = v
  }
  return Number.isFinite(min) ? { min, max } : null
}

describe('decimateMinMax (property)', () => {
  it('never drops a column extreme, keeps both ends, ascends, and stays within budget', () => {
    fc.assert(
      fc.property(dataset, ({ steps, ys, maxPoints, logX }) => {
        const n = steps.length
        const x = new Float64Array(n)
        for (let i = 1; i < n; i++) x[i] = x[i - 1] + steps[i]
        const cols = ys.map((c) => Float64Array.from(c))
        const idx = decimateMinMax(x, cols, maxPoints, logX)
        const kept = new Set(idx)
        expect(kept.has(0)).toBe(true)
        expect(kept.has(n - 1)).toBe(true)
        for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1])
        if (n <= maxPoints) expect(idx.length).toBe(n)
        else expect(idx.length).toBeLessThanOrEqual(maxPoints) // maxPoints ≥ 10 ≥ 2 + 2k
        for (const c of cols) {
          const e = extremes(c)
          if (!e) continue
          const keptValues = [...idx].map((i) => c[i])
          expect(keptValues).toContain(e.min)
          expect(keptValues).toContain(e.max)
        }
      }),
      { numRuns: 200, seed: 20261129 },
    )
  })
})

import { describe, expect, it } from 'vitest'
import type { MetricSpec } from '../../src-shared/model'
import { seriesDifference } from './replay'

const metrics: Record<string, MetricSpec> = {
  loss: { label: 'loss', scale: 'log' },
  w: { label: 'w', scale: 'linear', vector: true },
  clock: { label: 'clock', scale: 'linear', wallClock: true },
}
const f = (...v: number[]) => Float64Array.from(v)

describe('seriesDifference', () => {
  it('is exactly 0 for identical columns, NaN rows included, and skips wall-clock columns', () => {
    const a = { iteration: f(0, 1, 2), wallMs: f(1, 2, 3), loss: f(1, NaN, 0.25), 'w[0]': f(1, 2, 3), clock: f(5, 6, 7) }
    const b = { ...a, wallMs: f(9, 9, 9), clock: f(8, 8, 8), loss: f(1, NaN, 0.25) }
    const d = seriesDifference(a, b, 3, 3, metrics)
    expect(d.maxAbsDiff).toBe(0)
    expect(d.perMetric).toEqual({ iteration: 0, loss: 0, w: 0 })
    expect(d.excluded.sort()).toEqual(['clock', 'wallMs'])
  })

  it('reports the largest absolute difference per metric, folding vector components', () => {
    const a = { loss: f(1, 0.5), 'w[0]': f(1, 1), 'w[1]': f(2, 2) }
    const b = { loss: f(1, 0.5 + 2 ** -40), 'w[0]': f(1, 1.5), 'w[1]': f(2, -1) }
    const d = seriesDifference(a, b, 2, 2, metrics)
    expect(d.perMetric.loss).toBe(2 ** -40)
    expect(d.perMetric.w).toBe(3)
    expect(d.maxAbsDiff).toBe(3)
  })

  it('is infinite when rows or columns differ, or a value is NaN in one run only', () => {
    expect(seriesDifference({ loss: f(1, 2) }, { loss: f(1) }, 2, 1, metrics).maxAbsDiff).toBe(Infinity)
    expect(seriesDifference({ loss: f(1) }, { loss: f(1), 'w[0]': f(1) }, 1, 1, metrics).perMetric.w).toBe(Infinity)
    expect(seriesDifference({ loss: f(NaN) }, { loss: f(1) }, 1, 1, metrics).maxAbsDiff).toBe(Infinity)
  })
})

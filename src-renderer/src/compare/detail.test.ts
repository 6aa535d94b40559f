import { describe, expect, it } from 'vitest'
import { mergeDetail } from './detail'

const f = (...v: number[]) => Float64Array.from(v)

describe('mergeDetail', () => {
  it('replaces the overview rows inside the window by the detailed rows, keeping x order', () => {
    const overview = { iteration: f(0, 10, 20, 30, 40), loss: f(5, 4, 3, 2, 1) }
    const detail = { iteration: f(15, 16, 17, 18, 25), loss: f(3.5, 3.4, 3.3, 3.2, 2.5) }
    const m = mergeDetail(overview, detail, 'iteration', 15, 25)
    expect([...m.iteration]).toEqual([0, 10, 15, 16, 17, 18, 25, 30, 40])
    expect([...m.loss]).toEqual([5, 4, 3.5, 3.4, 3.3, 3.2, 2.5, 2, 1])
  })

  it('fills a column the detail lacks with NaN (not recorded) rather than shifting rows', () => {
    const m = mergeDetail({ iteration: f(0, 5, 9), a: f(1, 2, 3), b: f(7, 8, 9) }, { iteration: f(4, 5), a: f(1.5, 2) }, 'iteration', 4, 6)
    expect([...m.a]).toEqual([1, 1.5, 2, 3])
    expect(m.b[1]).toBeNaN()
    expect(m.b[3]).toBe(9)
  })
})

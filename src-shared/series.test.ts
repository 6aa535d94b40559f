import { describe, expect, it } from 'vitest'
import { decimateMinMax, emaSmooth, fitRate } from './series'

const range = (n: number, f: (i: number) => number): Float64Array => Float64Array.from({ length: n }, (_, i) => f(i))

describe('decimateMinMax', () => {
  it('keeps every row when there are no more than maxPoints', () => {
    const x = range(50, (i) => i)
    expect(Array.from(decimateMinMax(x, [x], 50))).toEqual(Array.from(x))
  })

  it('never exceeds maxPoints and keeps the first and last rows', () => {
    const n = 100_000
    const x = range(n, (i) => i)
    const y = range(n, (i) => Math.sin(i / 37) + 0.001 * ((i * 7919) % 13))
    const idx = decimateMinMax(x, [y], 2000)
    expect(idx.length).toBeLessThanOrEqual(2000)
    expect(idx.length).toBeGreaterThan(1000)
    expect(idx[0]).toBe(0)
    expect(idx[idx.length - 1]).toBe(n - 1)
    for (let i = 1; i < idx.length; i++) expect(idx[i]).toBeGreaterThan(idx[i - 1])
  })

  it('keeps an isolated spike and dip of every column', () => {
    const n = 50_000
    const x = range(n, (i) => i)
    const a = range(n, () => 1)
    const b = range(n, () => 5)
    a[12_345] = 1e6
    b[33_333] = -1e6
    const idx = Array.from(decimateMinMax(x, [a, b], 500))
    expect(idx).toContain(12_345)
    expect(idx).toContain(33_333)
  })

  it('buckets uniformly in log10 x when logX, so the early decades keep detail', () => {
    const n = 100_000
    const x = range(n, (i) => i + 1)
    const y = range(n, (i) => 1 / (i + 1))
    const lin = decimateMinMax(x, [y], 200, false)
    const log = decimateMinMax(x, [y], 200, true)
    const early = (idx: Uint32Array): number => Array.from(idx).filter((i) => i < 100).length
    // x in [1, 100] is 2 of 5 decades: about 40% of log buckets, 0.1% of linear ones
    expect(early(log)).toBeGreaterThan(40)
    expect(early(lin)).toBeLessThan(5)
  })

  it('places x ≤ 0 rows of a log axis in the first bucket instead of dropping them', () => {
    const n = 10_000
    const x = range(n, (i) => i) // iteration 0 is not on a log axis
    const y = range(n, (i) => (i === 0 ? 1e9 : 1))
    const idx = Array.from(decimateMinMax(x, [y], 100, true))
    expect(idx).toContain(0)
  })

  it('ignores NaN (unrecorded) values when choosing extremes', () => {
    const n = 5000
    const x = range(n, (i) => i)
    const y = range(n, (i) => (i % 2 ? NaN : i))
    const idx = decimateMinMax(x, [y], 100)
    expect(idx.length).toBeLessThanOrEqual(100)
    expect(Array.from(idx)).toContain(n - 2) // the maximum of the recorded values
  })
})

describe('emaSmooth', () => {
  it('is debiased: a constant series stays constant from the first point', () => {
    const y = range(20, () => 3)
    const s = emaSmooth(y, 0.9)
    for (const v of s) expect(v).toBeCloseTo(3, 12)
  })

  it('matches the TensorBoard recurrence on a step', () => {
    const y = Float64Array.from([0, 0, 1, 1])
    const w = 0.5
    const s = emaSmooth(y, w)
    // acc: 0, 0, 0.5, 0.75; debias: 0.5, 0.75, 0.875, 0.9375
    expect(s[2]).toBeCloseTo(0.5 / 0.875, 12)
    expect(s[3]).toBeCloseTo(0.75 / 0.9375, 12)
  })

  it('passes non-finite values through and weight 0 is the identity', () => {
    const y = Float64Array.from([1, NaN, 3])
    expect(Number.isNaN(emaSmooth(y, 0.6)[1])).toBe(true)
    expect(Array.from(emaSmooth(y, 0))).toEqual([1, NaN, 3])
  })
})

describe('fitRate', () => {
  it('recovers a geometric rate on semilog axes', () => {
    const x = range(50, (i) => i)
    const y = range(50, (i) => 2 * Math.pow(0.9, i))
    const f = fitRate(x, y, 'semilog')
    expect(f.rate).toBeCloseTo(0.9, 10)
    expect(f.slope).toBeCloseTo(Math.log(0.9), 10)
    expect(f.stderr).toBeLessThan(1e-10)
    expect(f.n).toBe(50)
  })

  it('recovers a power-law exponent on log-log axes, skipping x ≤ 0 and y ≤ 0', () => {
    const x = range(100, (i) => i)
    const y = range(100, (i) => (i === 5 ? 0 : 3 / Math.sqrt(i)))
    const f = fitRate(x, y, 'loglog')
    expect(f.slope).toBeCloseTo(-0.5, 10)
    expect(f.n).toBe(98) // x = 0 and y = 0 rows skipped
    expect(f.r2).toBeCloseTo(1, 10)
  })

  it('reports a standard error that matches noise of known size', () => {
    // residuals alternate ±0.1 in ln y: se = sqrt(Σr²/(n−2)/Sxx)
    const n = 101
    const x = range(n, (i) => i)
    const y = range(n, (i) => Math.exp(-0.05 * i + (i % 2 ? 0.1 : -0.1)))
    const f = fitRate(x, y, 'semilog')
    expect(f.slope).toBeCloseTo(-0.05, 3)
    const sxx = (n * (n * n - 1)) / 12
    expect(f.stderr).toBeCloseTo(Math.sqrt((n * 0.01) / (n - 2) / sxx), 4)
  })

  it('returns NaN with fewer than two usable points', () => {
    const f = fitRate(Float64Array.from([1]), Float64Array.from([1]), 'semilog')
    expect(Number.isNaN(f.slope)).toBe(true)
  })
})

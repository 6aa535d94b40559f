import { describe, expect, it } from 'vitest'
import { Rng } from './rng'

describe('Rng determinism', () => {
  it('pins golden draws (studies depend on these exact values: a change here is a breaking change)', () => {
    const r = new Rng(42)
    expect([r.nextUint32(), r.nextUint32(), r.uniform(), r.normal(), r.int(10)]).toEqual([
      2851827535, 4006189811, 0.8160315482388771, -0.49105219510657294, 6,
    ])
    const s = Rng.stream(7, 'data')
    expect([s.uniform(), s.normal()]).toEqual([0.13801935984331892, -0.3135150523791294])
  })
  it('the same seed and stream name give the same sequence; the empty name is the plain seed', () => {
    const a = Rng.stream(123, 'init').gaussianMatrix(4, 4)
    const b = Rng.stream(123, 'init').gaussianMatrix(4, 4)
    expect(Array.from(a)).toEqual(Array.from(b))
    expect(new Rng(5).uniform()).toBe(Rng.stream(5, '').uniform())
  })
  it('accepts negative and large safe-integer seeds, rejects others', () => {
    expect(new Rng(-1).uniform()).not.toBe(new Rng(1).uniform())
    expect(new Rng(2 ** 40).uniform()).not.toBe(new Rng(0).uniform())
    expect(() => new Rng(0.5)).toThrow(/safe integer/)
    expect(() => new Rng(2 ** 60)).toThrow(/safe integer/)
  })
})

/** Sample correlation of two equal-length sequences. */
function correlation(x: Float64Array, y: Float64Array): number {
  const n = x.length
  let mx = 0
  let my = 0
  for (let i = 0; i < n; i++) {
    mx += x[i] / n
    my += y[i] / n
  }
  let sxy = 0
  let sxx = 0
  let syy = 0
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my)
    sxx += (x[i] - mx) ** 2
    syy += (y[i] - my) ** 2
  }
  return sxy / Math.sqrt(sxx * syy)
}

describe('stream independence', () => {
  it('streams differing in name or seed are uncorrelated (|r| < 5/√n for n = 20000)', () => {
    const n = 20000
    const base = Rng.stream(1, 'data').fillNormal(new Float64Array(n))
    const others = [Rng.stream(1, 'init'), Rng.stream(2, 'data'), Rng.stream(1, 'data2'), Rng.stream(0x100000001, 'data')]
    for (const r of others) expect(Math.abs(correlation(base, r.fillNormal(new Float64Array(n))))).toBeLessThan(5 / Math.sqrt(n))
  })
  it('drawing more from one stream never shifts another', () => {
    const a1 = Rng.stream(9, 'a')
    const b1 = Rng.stream(9, 'b')
    a1.uniform()
    const first = b1.uniform()
    const a2 = Rng.stream(9, 'a')
    for (let i = 0; i < 100; i++) a2.normal()
    expect(Rng.stream(9, 'b').uniform()).toBe(first)
  })
})

describe('distributions (moment checks at 5 standard errors, n = 200000)', () => {
  const n = 200000
  it('uniform on [0, 1): mean 1/2, variance 1/12, range', () => {
    const r = Rng.stream(11, 'uniform')
    let s = 0
    let s2 = 0
    let lo = 1
    let hi = 0
    for (let i = 0; i < n; i++) {
      const u = r.uniform()
      s += u
      s2 += u * u
      lo = Math.min(lo, u)
      hi = Math.max(hi, u)
    }
    const m = s / n
    expect(Math.abs(m - 0.5)).toBeLessThan(5 * Math.sqrt(1 / 12 / n))
    expect(Math.abs(s2 / n - m * m - 1 / 12)).toBeLessThan(5 * Math.sqrt(1 / 180 / n))
    expect(lo).toBeGreaterThanOrEqual(0)
    expect(hi).toBeLessThan(1)
  })
  it('normal: mean 0, variance 1, third moment 0, fourth moment 3', () => {
    const x = Rng.stream(12, 'normal').fillNormal(new Float64Array(n))
    let m1 = 0
    let m2 = 0
    let m3 = 0
    let m4 = 0
    for (const v of x) {
      m1 += v / n
      m2 += (v * v) / n
      m3 += (v * v * v) / n
      m4 += (v * v * v * v) / n
    }
    expect(Math.abs(m1)).toBeLessThan(5 / Math.sqrt(n))
    expect(Math.abs(m2 - 1)).toBeLessThan(5 * Math.sqrt(2 / n))
    expect(Math.abs(m3)).toBeLessThan(5 * Math.sqrt(15 / n))
    expect(Math.abs(m4 - 3)).toBeLessThan(5 * Math.sqrt(96 / n))
    const y = Rng.stream(12, 'scaled').fillNormal(new Float64Array(1000), 3, 0.001)
    for (const v of y) expect(Math.abs(v - 3)).toBeLessThan(0.01)
  })
  it('bernoulli(p) hits rate p; int(n) is uniform (chi-square, 9 dof, below the 0.1% point 27.9)', () => {
    const r = Rng.stream(13, 'discrete')
    let hits = 0
    for (let i = 0; i < n; i++) if (r.bernoulli(0.3)) hits++
    expect(Math.abs(hits / n - 0.3)).toBeLessThan(5 * Math.sqrt(0.21 / n))
    const counts = new Float64Array(10)
    for (let i = 0; i < n; i++) counts[r.int(10)]++
    let chi2 = 0
    for (const c of counts) chi2 += (c - n / 10) ** 2 / (n / 10)
    expect(chi2).toBeLessThan(27.9)
    expect(() => r.int(0)).toThrow(RangeError)
  })
  it('choice follows its weights; permutation is a permutation with uniform first entry', () => {
    const r = Rng.stream(14, 'choice')
    const counts = [0, 0, 0]
    const m = 60000
    for (let i = 0; i < m; i++) counts[r.choice([1, 2, 3])]++
    counts.forEach((c, k) => expect(Math.abs(c / m - (k + 1) / 6)).toBeLessThan(5 * Math.sqrt(0.25 / m)))
    expect(() => r.choice([0, 0])).toThrow(/positive sum/)
    const p = r.permutation(50)
    expect(Array.from(p).sort((a, b) => a - b)).toEqual(Array.from({ length: 50 }, (_, i) => i))
    const first = new Float64Array(5)
    for (let i = 0; i < 50000; i++) first[r.permutation(5)[0]]++
    for (const c of first) expect(Math.abs(c / 50000 - 0.2)).toBeLessThan(5 * Math.sqrt(0.16 / 50000))
  })
  it('gaussianMatrix has the requested shape and scale', () => {
    const G = Rng.stream(15, 'matrix').gaussianMatrix(300, 200, 2)
    expect(G.length).toBe(60000)
    let s2 = 0
    for (const v of G) s2 += v * v
    expect(Math.abs(s2 / G.length - 4)).toBeLessThan(5 * 4 * Math.sqrt(2 / G.length))
  })
})

import { describe, expect, it } from 'vitest'
import { Rng } from './rng'
import { bootstrapCI, compensatedSum, lineFit, loglogFit, mean, median, quantile, quantiles, semilogFit, std, variance } from './stats'
import fixtures from './fixtures/stats.json'

const rel = (a: number, b: number) => Math.abs(a - b) / Math.abs(b)

describe('location and spread agree with numpy (fixtures/stats.json, rel. 1e-14)', () => {
  it('mean, var (ddof 1), std, median', () => {
    expect(rel(mean(fixtures.x), fixtures.mean)).toBeLessThan(1e-14)
    expect(rel(variance(fixtures.x), fixtures.var)).toBeLessThan(1e-14)
    expect(rel(std(fixtures.x), fixtures.std)).toBeLessThan(1e-14)
    expect(rel(median(fixtures.x), fixtures.median)).toBeLessThan(1e-15)
  })
  it("quantiles match numpy.quantile's default linear method", () => {
    const got = quantiles(fixtures.x, fixtures.q)
    fixtures.quantiles.forEach((want, k) => expect(rel(got[k], want)).toBeLessThan(1e-15))
    expect(quantile([1, 2, 3, 4], 0.5)).toBe(2.5)
    expect(() => quantile([1], 1.5)).toThrow(/\[0, 1\]/)
  })
  it('compensated summation is exact where naive summation drifts', () => {
    const x = [1e16, 1, -1e16, 1]
    expect(compensatedSum(x)).toBe(2)
    expect(median([3, 1, 2, 4])).toBe(2.5)
    expect(Number.isNaN(mean([]))).toBe(true)
  })
})

describe('lineFit', () => {
  it('matches numpy.polyfit slope, intercept, OLS standard errors and r² (rel. 1e-12)', () => {
    const f = fixtures.fit
    const fit = lineFit(f.x, f.y)
    expect(rel(fit.slope, f.slope)).toBeLessThan(1e-12)
    expect(rel(fit.intercept, f.intercept)).toBeLessThan(1e-12)
    expect(rel(fit.slopeStdErr, f.slopeStdErr)).toBeLessThan(1e-12)
    expect(rel(fit.interceptStdErr, f.interceptStdErr)).toBeLessThan(1e-12)
    expect(rel(fit.r2, f.r2)).toBeLessThan(1e-12)
  })
  it('semilogFit reads a linear rate: y = 3·0.5^t has slope log10(0.5)', () => {
    const t = Array.from({ length: 30 }, (_, i) => i)
    const fit = semilogFit(t, t.map((k) => 3 * 0.5 ** k))
    expect(Math.abs(fit.slope - Math.log10(0.5))).toBeLessThan(1e-14)
    expect(fit.slopeStdErr).toBeLessThan(1e-14)
  })
  it('loglogFit reads a polynomial order, skipping non-positive points: y = 1/t² has slope −2', () => {
    const t = Array.from({ length: 20 }, (_, i) => i) // t = 0 is skipped
    const fit = loglogFit(t, t.map((k) => 1 / (k * k)))
    expect(fit.n).toBe(19)
    expect(Math.abs(fit.slope + 2)).toBeLessThan(1e-13)
  })
})

describe('bootstrapCI', () => {
  it('is deterministic per seed and brackets the mean; width ≈ 2·1.96·σ/√n for normal data', () => {
    const rng = Rng.stream(3, 'stats-data')
    const x = Array.from({ length: 400 }, () => rng.normal())
    const a = bootstrapCI(x, Rng.stream(3, 'boot'))
    const b = bootstrapCI(x, Rng.stream(3, 'boot'))
    expect(a).toEqual(b)
    expect(a.lower).toBeLessThan(a.estimate)
    expect(a.upper).toBeGreaterThan(a.estimate)
    const width = a.upper - a.lower
    const normalWidth = (2 * 1.96 * std(x)) / Math.sqrt(x.length)
    expect(Math.abs(width / normalWidth - 1)).toBeLessThan(0.15)
    const med = bootstrapCI(x, Rng.stream(3, 'boot'), { statistic: median, level: 0.9, resamples: 500 })
    expect(med.level).toBe(0.9)
    expect(med.lower).toBeLessThanOrEqual(med.upper)
  })
})

import { describe, expect, it } from 'vitest'
import { estimateRemainingMs, formatClaims, formatDuration, formatLogTick, formatNumber } from './format'

describe('formatNumber', () => {
  it('gives four significant digits, exponents for tiny and huge values', () => {
    expect(formatNumber(0.00123456)).toBe('0.001235')
    expect(formatNumber(1.23456e-9)).toBe('1.235e-9')
    expect(formatNumber(3e-11)).toBe('3e-11')
    expect(formatNumber(12345)).toBe('12345')
    expect(formatNumber(1.5e12)).toBe('1.5e+12')
    expect(formatNumber(NaN)).toBe('NaN')
    expect(formatNumber(-Infinity)).toBe('−∞')
  })
})

describe('formatLogTick', () => {
  it('writes powers of ten as 1eK outside [0.01, 1000]', () => {
    expect(formatLogTick(1e-8)).toBe('1e-8')
    expect(formatLogTick(0.1)).toBe('0.1')
    expect(formatLogTick(1000)).toBe('1000')
    expect(formatLogTick(1e4)).toBe('1e4')
  })
})

describe('durations and ETA', () => {
  it('formats durations at a readable grain', () => {
    expect(formatDuration(850)).toBe('850 ms')
    expect(formatDuration(12_340)).toBe('12.3 s')
    expect(formatDuration(245_000)).toBe('4 min 05 s')
  })
  it('extrapolates the remaining time from the progress rate', () => {
    expect(estimateRemainingMs(0.25, 10_000)).toBeCloseTo(30_000, 6)
    expect(estimateRemainingMs(0, 10_000)).toBeNull()
    expect(estimateRemainingMs(1, 10_000)).toBe(0)
  })
})

describe('formatClaims', () => {
  it('summarises claim results as passed/total with a mark', () => {
    expect(formatClaims([{ passed: true }, { passed: true }, { passed: true }])).toEqual({ text: '3/3 ✓', ok: true })
    expect(formatClaims([{ passed: true }, { passed: false }])).toEqual({ text: '1/2 ✗', ok: false })
    expect(formatClaims([])).toEqual({ text: '', ok: null })
  })
})

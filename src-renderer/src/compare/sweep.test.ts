import { describe, expect, it } from 'vitest'
import type { ParamSpec } from '../../../src-shared/model'
import { logSpaced, parseLogRange, parseSeeds, parseValues } from './sweep'

const num: ParamSpec = { type: 'number', label: 'a', default: 1, help: '' }
const int: ParamSpec = { type: 'integer', label: 'k', default: 1, help: '' }
const choice: ParamSpec = { type: 'choice', label: 'm', default: 'gd', choices: ['gd', 'nag'], help: '' }
const bool: ParamSpec = { type: 'boolean', label: 'b', default: false, help: '' }

describe('log-spaced values', () => {
  it('spans lo..hi evenly in log10, ends included', () => {
    expect(logSpaced(1e-4, 1, 5)).toEqual([1e-4, 1e-3, 1e-2, 0.1, 1])
    expect(logSpaced(1, 100, 3)).toEqual([1, 10, 100])
    expect(logSpaced(2, 8, 1)).toEqual([2])
    expect(logSpaced(0, 1, 3)).toEqual([])
  })
  it('parses "lo, hi, count"', () => {
    expect(parseLogRange('1e-3, 1e-1, 3')).toEqual({ ok: true, value: [1e-3, 1e-2, 0.1] })
    expect(parseLogRange('0, 1, 3').ok).toBe(false)
    expect(parseLogRange('1, 10').ok).toBe(false)
    expect(parseLogRange('1, 10, 2.5').ok).toBe(false)
  })
})

describe('grid values by param type', () => {
  it('numbers, integers, choices, booleans', () => {
    expect(parseValues('0.1, 1e-3,0.1', num)).toEqual({ ok: true, value: [0.1, 1e-3] })
    expect(parseValues('1, 2.5', int)).toEqual({ ok: false, error: '"2.5" is not an integer' })
    expect(parseValues('gd,nag', choice)).toEqual({ ok: true, value: ['gd', 'nag'] })
    expect(parseValues('gd,adam', choice).ok).toBe(false)
    expect(parseValues('true, false', bool)).toEqual({ ok: true, value: [true, false] })
    expect(parseValues(' , ', num).ok).toBe(false)
    expect(parseValues('x', num).ok).toBe(false)
  })
})

describe('seeds', () => {
  it('ranges and lists', () => {
    expect(parseSeeds('0..4')).toEqual({ ok: true, value: [0, 1, 2, 3, 4] })
    expect(parseSeeds('1, 7, 0..1')).toEqual({ ok: true, value: [1, 7, 0] })
    expect(parseSeeds('4..2').ok).toBe(false)
    expect(parseSeeds('a').ok).toBe(false)
    expect(parseSeeds('').ok).toBe(false)
    expect(parseSeeds('-1').ok).toBe(false)
  })
})

describe('random ranges', () => {
  it('parses "lo, hi" with the log flag', async () => {
    const { parseRandomRange } = await import('./sweep')
    expect(parseRandomRange('1e-4, 1e-1', true)).toEqual({ ok: true, value: { lo: 1e-4, hi: 0.1, log: true } })
    expect(parseRandomRange('0, 1', true).ok).toBe(false)
    expect(parseRandomRange('0, 1', false)).toEqual({ ok: true, value: { lo: 0, hi: 1, log: false } })
    expect(parseRandomRange('2, 1', false).ok).toBe(false)
    expect(parseRandomRange('1', false).ok).toBe(false)
  })
})

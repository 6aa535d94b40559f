import { describe, expect, it } from 'vitest'
import { fitLines, fitModeFor } from './rates'

describe('fitted rates over a window', () => {
  const x = Array.from({ length: 50 }, (_, i) => i + 1)
  it('recovers a geometric rate on semilog', () => {
    const y = x.map((k) => 3 * Math.pow(0.9, k))
    const [r] = fitLines([{ name: 'a', x, y }], 10, 40, 'semilog')
    expect(r.fit.rate).toBeCloseTo(0.9, 10)
    expect(r.fit.n).toBe(31)
    expect(r.text).toBe('rate 0.9')
  })
  it('recovers a power-law order on log-log, and only inside the window', () => {
    // 1/k^2 inside [5, 50], garbage before
    const y = x.map((k) => (k < 5 ? 1e9 : 1 / (k * k)))
    const [r] = fitLines([{ name: 'b', x, y }], 5, Infinity, 'loglog')
    expect(r.fit.slope).toBeCloseTo(-2, 10)
    expect(r.text).toBe('order -2')
  })
  it('says so when there is nothing to fit', () => {
    expect(fitLines([{ name: 'c', x: [1], y: [1] }], -Infinity, Infinity, 'semilog')[0].text).toBe('no fit')
  })
  it('names the components of a vector metric apart', () => {
    const y = x.map((k) => Math.pow(0.5, k))
    const rows = fitLines([{ name: 'run', x, y }, { name: 'run', x, y }, { name: 'other', x, y }], -Infinity, Infinity, 'semilog')
    expect(rows.map((r) => r.name)).toEqual(['run [0]', 'run [1]', 'other'])
  })
  it('picks the mode from the x scale', () => {
    expect(fitModeFor(true)).toBe('loglog')
    expect(fitModeFor(false)).toBe('semilog')
  })
})

import { describe, expect, it } from 'vitest'
import { RunBuffer } from './buffer'

const batch = (start: number, count: number, f: (i: number) => number = (i) => 1 / (i + 1)) => ({
  start,
  count,
  columns: {
    iteration: Float64Array.from({ length: count }, (_, i) => start + i),
    err: Float64Array.from({ length: count }, (_, i) => f(start + i)),
  },
})

describe('RunBuffer', () => {
  it('appends batches in order and knows it holds the run from row 0', () => {
    const b = new RunBuffer()
    b.append(batch(0, 10))
    b.append(batch(10, 5))
    expect(b.length).toBe(15)
    expect(b.fromStart).toBe(true)
    expect(Array.from(b.column('iteration')!)).toEqual([...Array(15).keys()])
    expect(b.nextRow).toBe(15)
  })

  it('skips rows it already holds when a batch overlaps', () => {
    const b = new RunBuffer()
    b.append(batch(0, 10))
    b.append(batch(5, 10))
    expect(b.length).toBe(15)
    expect(b.column('iteration')![14]).toBe(14)
  })

  it('fills NaN for a metric that starts being recorded later', () => {
    const b = new RunBuffer()
    b.append(batch(0, 3))
    b.append({ start: 3, count: 2, columns: { iteration: Float64Array.from([3, 4]), gap: Float64Array.from([7, 8]) } })
    expect(Array.from(b.column('gap')!)).toEqual([NaN, NaN, NaN, 7, 8])
    expect(Array.from(b.column('err')!).slice(3)).toEqual([NaN, NaN])
  })

  it('merges a stored snapshot in front of streamed rows, dropping what it covers', () => {
    const b = new RunBuffer()
    b.append(batch(100, 20)) // the page opened mid-run
    expect(b.fromStart).toBe(false)
    b.merge({ total: 110, length: 3, columns: { iteration: Float64Array.from([0, 50, 109]), err: Float64Array.from([1, 0.5, 0.1]) } })
    expect(b.fromStart).toBe(true)
    const it = Array.from(b.column('iteration')!)
    expect(it.slice(0, 4)).toEqual([0, 50, 109, 110])
    expect(it[it.length - 1]).toBe(119)
    expect(b.length).toBe(3 + 10)
  })

  it('compacts past maxRows, keeping extremes, first and last rows', () => {
    const b = new RunBuffer('iteration', 5000, 1000)
    const spikeAt = 3333
    for (let s = 0; s < 20_000; s += 500) b.append(batch(s, 500, (i) => (i === spikeAt ? 1e9 : 1 / (i + 1))))
    expect(b.length).toBeLessThanOrEqual(5000)
    expect(b.compactions).toBeGreaterThan(0)
    const it = Array.from(b.column('iteration')!)
    expect(it[0]).toBe(0)
    expect(it[it.length - 1]).toBe(19_999)
    expect(it).toContain(spikeAt)
    for (let i = 1; i < it.length; i++) expect(it[i]).toBeGreaterThan(it[i - 1])
  })
})

import { describe, expect, it } from 'vitest'
import { blocksFor, clickSelection, parseTags, visibleWindow } from './window'

describe('runs table windowing', () => {
  it('draws only the rows in view plus the overscan, clamped to the table', () => {
    // 36 px rows, 720 px viewport: 20 rows in view (+1 partly)
    expect(visibleWindow(0, 720, 36, 10_000, 10)).toEqual({ first: 0, end: 31 })
    expect(visibleWindow(36 * 5000, 720, 36, 10_000, 10)).toEqual({ first: 4990, end: 5031 })
    expect(visibleWindow(36 * 9999, 720, 36, 10_000, 10)).toEqual({ first: 9989, end: 10_000 })
    expect(visibleWindow(0, 720, 36, 0)).toEqual({ first: 0, end: 0 })
    expect(visibleWindow(1e9, 720, 36, 3, 10)).toEqual({ first: 0, end: 3 })
  })

  it('names the blocks to fetch for a window', () => {
    expect(blocksFor({ first: 4990, end: 5031 }, 100)).toEqual([49, 50])
    expect(blocksFor({ first: 0, end: 100 }, 100)).toEqual([0])
    expect(blocksFor({ first: 0, end: 0 }, 100)).toEqual([])
  })

  it('toggles on click and adds the range on shift-click', () => {
    expect(clickSelection(['a'], 'b', null)).toEqual(['a', 'b'])
    expect(clickSelection(['a', 'b'], 'a', null)).toEqual(['b'])
    expect(clickSelection(['a', 'c'], 'd', ['b', 'c', 'd'])).toEqual(['a', 'c', 'b', 'd'])
  })

  it('parses typed tags', () => {
    expect(parseTags(' x, y,, x ,z ')).toEqual(['x', 'y', 'z'])
    expect(parseTags('')).toEqual([])
  })
})

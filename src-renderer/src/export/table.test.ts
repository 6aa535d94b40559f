import { describe, expect, it } from 'vitest'
import { csvCell, fileSafe, linesToCsv, linesToJson } from './table'

describe('csv', () => {
  it('defuses formula-looking text and quotes when needed', () => {
    expect(csvCell('=HYPERLINK("x")')).toBe(`"'=HYPERLINK(""x"")"`)
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('-cmd')).toBe("'-cmd")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('alpha=1e-5, rank=2')).toBe('"alpha=1e-5, rank=2"')
    expect(csvCell('plain')).toBe('plain')
  })
  it('writes numbers as numbers, negative ones included', () => {
    expect(csvCell(-1.5)).toBe('-1.5')
    expect(csvCell(1e-12)).toBe('1e-12')
    expect(csvCell(NaN)).toBe('') // not recorded: an empty cell, as in every Descent CSV
    expect(csvCell(null)).toBe('')
  })
  it('builds long-format rows', () => {
    const csv = linesToCsv([{ name: '=a', x: [0, 1], y: [1, 0.5] }], 'iteration')
    expect(csv).toBe("series,iteration,value\n'=a,0,1\n'=a,1,0.5\n")
  })
})

describe('json and names', () => {
  it('writes series with null for non-finite values', () => {
    const j = JSON.parse(linesToJson('c', 'iteration', [{ name: 'a', x: [0, 1], y: [NaN, 2] }]))
    expect(j).toEqual({ chart: 'c', x: 'iteration', series: [{ name: 'a', x: [0, 1], y: [null, 2] }] })
  })
  it('makes safe file names', () => {
    expect(fileSafe('Loss vs. iteration / run 3')).toBe('Loss-vs-iteration-run-3')
    expect(fileSafe('***')).toBe('chart')
  })
})

import { describe, expect, it } from 'vitest'
import { csvCell, seriesToCsv } from './csv'

describe('CSV export', () => {
  it('keeps spreadsheet formulas as text (formula injection) and quotes separators', () => {
    expect(csvCell('=HYPERLINK("http://x")')).toBe(`"'=HYPERLINK(""http://x"")"`)
    expect(csvCell('+1')).toBe("'+1")
    expect(csvCell('@SUM(A1)')).toBe("'@SUM(A1)")
    expect(csvCell('-cmd')).toBe("'-cmd")
    expect(csvCell('\tx')).toBe("'\tx")
    expect(csvCell('a,b')).toBe('"a,b"')
    expect(csvCell('plain')).toBe('plain')
  })

  it('writes numbers with full float64 round-trip precision and NaN as empty', () => {
    const x = 0.1 + 0.2
    expect(Number(csvCell(x))).toBe(x)
    expect(csvCell(-1.5e-300)).toBe('-1.5e-300')
    expect(csvCell(NaN)).toBe('')
  })

  it('writes several runs in long format with the union of their columns', () => {
    const csv = seriesToCsv([
      { runId: 'r1', length: 2, columns: { iteration: Float64Array.of(0, 1), f: Float64Array.of(1, 0.5) } },
      { runId: '=r2', length: 1, columns: { iteration: Float64Array.of(0), g: Float64Array.of(3) } },
    ])
    expect(csv).toBe("run,iteration,f,g\nr1,0,1,\nr1,1,0.5,\n'=r2,0,,3\n")
  })
})

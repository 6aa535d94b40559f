import { describe, expect, it } from 'vitest'
import type { Run } from '../../../src-shared/model'
import { medianBand, phaseGrid, type SweepRun } from './aggregate'
import { bandChartOptions, parallelValue, phaseChartOptions } from './charts'

type S = { type: string; name?: string; data: unknown[] }

describe('band chart', () => {
  it('draws a band polygon and a median line per group, seed curves only when asked, and floors values ≤ 0 on log y', () => {
    const seeds = [
      { x: [1, 2, 3], y: [1, 0.1, 0] },
      { x: [1, 2, 3], y: [1, 0.2, 0.01] },
    ]
    const band = medianBand(seeds, { logX: false, logY: true })
    const input = { xLabel: 'iteration', yLabel: 'loss', logX: false, logY: true, groups: [{ name: 'eta=0.1', color: '#f00', band, seeds }], dark: false }
    const off = bandChartOptions({ ...input, showSeeds: false })
    const s = off.option.series as S[]
    expect(s.map((x) => x.type)).toEqual(['custom', 'line'])
    // 3 grid points → 2 quads; at x = 3 a seed is 0, so the quantiles are linear there: median 0.005 > 0
    expect(s[0].data.length).toBe(2)
    expect(off.points).toBe(3)
    expect(band.median[2]).toBe(0.005)
    expect(off.floored).toBe(0)
    const on = bandChartOptions({ ...input, showSeeds: true })
    expect((on.option.series as S[]).map((x) => x.type)).toEqual(['custom', 'line', 'line', 'line'])
    // a zero median on a log axis is drawn at the floor and counted
    const zero = medianBand([{ x: [1, 2], y: [1, 0] }], { logX: false, logY: true })
    const z = bandChartOptions({ ...input, groups: [{ name: 'g', color: '#000', band: zero, seeds: [] }], showSeeds: false })
    expect(z.floored).toBe(1)
    expect(z.floorY).toBe(0.1)
  })
})

describe('phase chart', () => {
  let n = 0
  const run = (a: number, b: number, status: Run['status'], v?: number): SweepRun => ({
    id: `r${n++}`, params: { a, b }, seed: 0, paramsHash: `${a}|${b}|${n}`, status, summary: v === undefined ? {} : { v }, claims: [], createdAt: n,
  })
  it('colours cells with a value, marks failed cells, and leaves pending cells grey', () => {
    const runs = [run(1, 1, 'done', 2), run(2, 1, 'done', 8), run(2, 1, 'diverged'), run(1, 2, 'failed'), run(2, 2, 'running')]
    const grid = phaseGrid(runs, 'a', 'b', { kind: 'summary', key: 'v' })
    const built = phaseChartOptions({ grid, xLabel: 'a', yLabel: 'b', valueLabel: 'v', logColor: true, dark: false, formatParam: String })
    expect(built).toMatchObject({ valued: 2, failedCells: 2, emptyCells: 1, nonPositive: 0 })
    const s = built.option.series as S[]
    // log colour: the heatmap carries log10 of the value
    expect(s[0].data.map((d) => (d as number[])[2])).toEqual([Math.log10(2), Math.log10(8)])
    expect(s[1].data).toEqual([[0, 1, 1, 2], [1, 1, 0, 3]])
    expect(s[2].data).toEqual([[1, 0, 1]])
  })
})

describe('parallel values', () => {
  it('keeps categories as text and drops NaN and, on log axes, values ≤ 0', () => {
    expect(parallelValue('adam', { log: false, categories: ['adam'] })).toBe('adam')
    expect(parallelValue(NaN, { log: false })).toBe(null)
    expect(parallelValue(0, { log: true })).toBe(null)
    expect(parallelValue(0, { log: false })).toBe(0)
  })
})

describe('parallel colours', () => {
  it('colours by log10 of a log axis through an extra column no axis shows', async () => {
    const { parallelOptions } = await import('./charts')
    const o = parallelOptions({
      dims: [{ id: 'p:a', label: 'a', log: false }, { id: 's:loss', label: 'loss', log: true }],
      rows: [{ runId: 'r1', values: [1, 1e-6] }, { runId: 'r2', values: [2, 1e-2] }],
      colorBy: 1,
      dark: false,
    })
    const vm = o.visualMap as { dimension: number; min: number; max: number }
    expect(vm).toMatchObject({ dimension: 2, min: -6, max: -2 })
    expect((o.series as { data: unknown[] }[])[0].data).toEqual([[1, 1e-6, -6], [2, 1e-2, -2]])
  })
})

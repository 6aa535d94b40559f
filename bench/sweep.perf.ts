/**
 * Sweep-page aggregation (npm run bench): the median and Q1–Q3 band over seeds for a sweep of
 * 100 param points × 5 seeds of 2,000 points each (what `runs:series` returns per run), on a
 * log x grid with interpolation, and the phase grid over 10,000 runs. Median of several reps.
 */
import { it } from 'vitest'
import { medianBand, phaseGrid, type SweepRun } from '../src-renderer/src/sweep/aggregate'
import { report } from './report'

const median = (xs: number[]): number => xs.sort((a, b) => a - b)[xs.length >> 1]
function time(reps: number, f: () => void): number {
  const ts: number[] = []
  for (let r = 0; r < reps; r++) {
    const t0 = performance.now()
    f()
    ts.push(performance.now() - t0)
  }
  return Math.round(median(ts) * 10) / 10
}

it('aggregates a sweep of 100 param points × 5 seeds and a 10,000-run phase grid', () => {
  const POINTS = 2000
  // seeds record at different x (decimation keeps different rows per run): interpolation is exercised
  const groups = Array.from({ length: 100 }, (_, g) =>
    Array.from({ length: 5 }, (_, s) => {
      const x = Float64Array.from({ length: POINTS }, (_, i) => 1 + i * (1 + 0.01 * s))
      const y = Float64Array.from(x, (v) => Math.exp(-(0.001 + 1e-5 * g) * v) * (1 + 0.01 * s))
      return { x, y }
    }),
  )
  const bandMs = time(5, () => {
    for (const curves of groups) medianBand(curves, { logX: true, logY: true })
  })
  const runs: SweepRun[] = Array.from({ length: 10_000 }, (_, i) => ({
    id: `r${i}`,
    params: { lr: 10 ** (-4 + (i % 25) / 8), width: 8 << i % 4 },
    seed: Math.floor(i / 100),
    paramsHash: `${i % 100}`,
    status: i % 17 ? 'done' : 'diverged',
    summary: { loss: i },
    claims: [],
    createdAt: i,
  }))
  const phaseMs = time(5, () => phaseGrid(runs, 'lr', 'width', { kind: 'summary', key: 'loss' }))
  report('sweep aggregation', [
    ['median+IQR bands, 100 groups × 5 seeds × 2,000 points, log x/y (ms)', bandMs, '< 300 ms (one redraw)'],
    ['phase grid, 10,000 runs, 25 × 4 cells (ms)', phaseMs, '< 50 ms'],
  ])
})

/**
 * Run-history throughput (npm run bench; not part of the test suite). Targets from the
 * foundation issue: ≥ 1,000,000 metric points a second into the store, one 100,000-point
 * series read back in ≤ 20 ms.
 */
import { rmSync } from 'node:fs'
import { it } from 'vitest'
import { RunStore } from '../src-main/store/store'
import { tempDb } from '../src-main/testing/host'
import { report } from './report'

it('writes metric batches and reads a series back', () => {
  const path = tempDb()
  const store = new RunStore(path)
  const run = store.createRun({
    projectId: 'default', sweepId: null, study: 'bench', figure: null, label: null, params: {}, seed: 0,
    paramsHash: 'x', codeHash: 'x', appVersion: '0', platform: 'bench',
  })
  // 10 columns, batches of 10,000 rows (a run recording 100k iterations/s flushing 10×/s)
  const columns = 10
  const rowsPerBatch = 10_000
  const batches = 10
  const batch: Record<string, Float64Array> = {}
  for (let c = 0; c < columns; c++) batch[`m${c}`] = Float64Array.from({ length: rowsPerBatch }, (_, i) => Math.sin(i + c))
  const t0 = performance.now()
  for (let b = 0; b < batches; b++) store.appendBatch(run.id, b * rowsPerBatch, rowsPerBatch, batch, b / batches, [])
  const writeMs = performance.now() - t0
  const points = columns * rowsPerBatch * batches
  store.finishRun(run.id, { status: 'done', endedAt: Date.now(), durationMs: 0, error: null, errorStep: null, summary: {}, claims: [] })

  // read one 100,000-point column of a finished (compacted) run, best of 20
  let best = Infinity
  for (let i = 0; i < 20; i++) {
    const t = performance.now()
    const s = store.readSeries(run.id, ['m3'])
    best = Math.min(best, performance.now() - t)
    if (s.columns.m3.length !== rowsPerBatch * batches) throw new Error('short read')
  }
  // and the same read while the run is live (one chunk per batch)
  const live = store.createRun({
    projectId: 'default', sweepId: null, study: 'bench', figure: null, label: null, params: {}, seed: 0,
    paramsHash: 'x', codeHash: 'x', appVersion: '0', platform: 'bench',
  })
  const small = Object.fromEntries(Object.entries(batch).map(([k, v]) => [k, v.subarray(0, 1000)]))
  for (let b = 0; b < 100; b++) store.appendBatch(live.id, b * 1000, 1000, small, 0, [])
  let bestLive = Infinity
  for (let i = 0; i < 20; i++) {
    const t = performance.now()
    store.readSeries(live.id, ['m3'])
    bestLive = Math.min(bestLive, performance.now() - t)
  }
  store.close()
  rmSync(path, { force: true })
  report('store', [
    ['metric points written per second', Math.round(points / (writeMs / 1000)), '≥ 1,000,000'],
    ['read one 100,000-point series (finished run), ms', +best.toFixed(2), '≤ 20'],
    ['read one 100,000-point series (live run, 100 chunks), ms', +bestLive.toFixed(2), '≤ 20'],
  ])
})

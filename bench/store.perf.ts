/**
 * Run-history throughput (npm run bench; not part of the test suite). Targets from the
 * foundation issue: ≥ 1,000,000 metric points a second into the store, one 100,000-point
 * series read back in ≤ 20 ms.
 */
import { rmSync } from 'node:fs'
import { it } from 'vitest'
import { RunStore } from '../src-main/store/store'
import { tempDb } from '../src-main/testing/host'
import { insertSyntheticRuns } from '../src-main/testing/runs'
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

it('pages the runs table at 10,000 runs', () => {
  const path = tempDb()
  const store = new RunStore(path)
  insertSyntheticRuns(store, 10_000, { tags: (i) => (i % 100 === 0 ? ['keep'] : []) })
  // median of 15 page queries (100 rows + the total count) per query shape
  const median = (q: () => unknown): number => {
    const times: number[] = []
    for (let i = 0; i < 15; i++) {
      const t = performance.now()
      q()
      times.push(performance.now() - t)
    }
    return +times.sort((a, b) => a - b)[7].toFixed(2)
  }
  const page = { limit: 100, desc: true }
  const rows: [string, number, string][] = [
    ['page 1, newest first, ms', median(() => store.listRuns({ ...page, sort: 'createdAt', offset: 0 })), '≤ 50'],
    ['page 50 (offset 4,900), newest first, ms', median(() => store.listRuns({ ...page, sort: 'createdAt', offset: 4900 })), '≤ 50'],
    ['page 50 sorted by a param (json_extract), ms', median(() => store.listRuns({ ...page, sort: 'params.lr', offset: 4900 })), '≤ 100'],
    ['page 1 sorted by a summary value, ms', median(() => store.listRuns({ ...page, sort: 'summary.finalLoss', offset: 0 })), '≤ 100'],
    ['filter: tag + claims passed + param range, ms', median(() => store.listRuns({ ...page, sort: 'createdAt', offset: 0, tag: 'keep', claims: 'passed', ranges: [{ field: 'params.width', min: 100, max: 9000 }] })), '≤ 100'],
    ['free-text search, ms', median(() => store.listRuns({ ...page, sort: 'createdAt', offset: 0, search: 'synthetic 99' })), '≤ 100'],
    ['all matching ids (select all), ms', median(() => store.listRunIds({ sort: 'createdAt', desc: true })), '≤ 100'],
  ]
  store.close()
  rmSync(path, { force: true })
  report('runs table at 10,000 runs (SQL page of 100 rows + total count)', rows)
})

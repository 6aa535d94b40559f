import { describe, expect, it } from 'vitest'
import type { Run } from '../../src-shared/model'
import { SweepDispatcher, sweepControl, sweepState } from './sweep-control'

/** a pool that starts what it is given and frees a slot when told */
function fakePool(maxWorkers: number) {
  const started: string[] = []
  const pool = {
    activeCount: 0,
    queuedCount: 0,
    maxWorkers,
    start(id: string) {
      started.push(id)
      pool.activeCount++
    },
    end() {
      pool.activeCount--
    },
  }
  return { pool, started }
}

describe('SweepDispatcher', () => {
  it('hands runs to the pool only while it has free slots, in plan order', () => {
    const { pool, started } = fakePool(2)
    const d = new SweepDispatcher(pool)
    for (const id of ['a', 'b', 'c', 'd']) d.enqueue('s1', id, () => pool.start(id))
    expect(started).toEqual(['a', 'b'])
    expect(d.heldCount('s1')).toBe(2)
    pool.end()
    d.pump()
    expect(started).toEqual(['a', 'b', 'c'])
  })

  it('pause holds the runs that have not started; resume dispatches them', () => {
    const { pool, started } = fakePool(1)
    const d = new SweepDispatcher(pool)
    for (const id of ['a', 'b', 'c']) d.enqueue('s1', id, () => pool.start(id))
    d.pause('s1')
    expect(d.mode('s1')).toBe('paused')
    pool.end()
    d.pump()
    expect(started).toEqual(['a'])
    d.resume('s1')
    expect(started).toEqual(['a', 'b'])
    expect(d.mode('s1')).toBe(null)
  })

  it('a paused sweep does not block another sweep', () => {
    const { pool, started } = fakePool(1)
    const d = new SweepDispatcher(pool)
    d.enqueue('s1', 'a', () => pool.start('a'))
    d.enqueue('s1', 'b', () => pool.start('b'))
    d.enqueue('s2', 'x', () => pool.start('x'))
    d.pause('s1')
    pool.end()
    d.pump()
    expect(started).toEqual(['a', 'x'])
  })

  it('take removes one held run so it never reaches the pool', () => {
    const { pool, started } = fakePool(1)
    const d = new SweepDispatcher(pool)
    for (const id of ['a', 'b', 'c']) d.enqueue('s1', id, () => pool.start(id))
    expect(d.take('b')).toBe(true)
    expect(d.take('a')).toBe(false)
    pool.end()
    d.pump()
    expect(started).toEqual(['a', 'c'])
  })

  it('drain returns the held runs and marks the sweep cancelled until it is enqueued again', () => {
    const { pool } = fakePool(1)
    const d = new SweepDispatcher(pool)
    for (const id of ['a', 'b', 'c']) d.enqueue('s1', id, () => pool.start(id))
    expect(d.drain('s1')).toEqual(['b', 'c'])
    expect(d.mode('s1')).toBe('cancelled')
    expect(d.heldCount('s1')).toBe(0)
    pool.end()
    d.enqueue('s1', 'b2', () => pool.start('b2'))
    expect(d.mode('s1')).toBe(null)
  })
})

type R = Pick<Run, 'status' | 'durationMs' | 'progress'>
const run = (status: Run['status'], durationMs: number | null = null, progress = 0): R => ({ status, durationMs, progress })

describe('sweepState', () => {
  const run = (status: Run['status'], paramsHash = 'p', seed = 0) => ({ status, paramsHash, seed })
  it('reads running, paused, stopped, cancelled and done', () => {
    expect(sweepState('running', null, [run('done'), run('queued')])).toBe('running')
    expect(sweepState('running', 'paused', [run('done'), run('queued')])).toBe('paused')
    expect(sweepState('running', null, [run('done'), run('interrupted')])).toBe('stopped')
    expect(sweepState('running', 'cancelled', [run('running')])).toBe('cancelled')
    expect(sweepState('done', null, [run('done'), run('cancelled', 'q')])).toBe('cancelled')
    expect(sweepState('done', null, [run('done'), run('diverged', 'q')])).toBe('done')
    // cancelled, then resumed to the end: done
    expect(sweepState('done', null, [run('cancelled', 'q'), run('interrupted', 'p', 1), run('done', 'q'), run('done', 'p', 1)])).toBe('done')
  })
})

describe('sweepControl', () => {
  it('counts runs by status and estimates the ETA from finished durations over the workers', () => {
    // two runs took 100 and 300 ms (mean 200); 4 queued and one running half-way, on 2 workers
    const runs = [run('done', 100), run('diverged', 300), run('cancelled', 5), run('running', null, 0.5), ...Array.from({ length: 4 }, () => run('queued'))]
    const c = sweepControl('running', runs, 2, 1234)
    expect(c).toMatchObject({ total: 8, finished: 3, done: 1, failed: 1, cancelled: 1, running: 1, queued: 4, workers: 2, at: 1234 })
    expect(c.meanRunMs).toBe(200)
    // (4 × 200 + 0.5 × 200) / min(2, 5)
    expect(c.etaMs).toBe(450)
  })

  it('paused: waits only for the running runs; no finished run yet: no estimate', () => {
    const runs = [run('done', 200), run('running', null, 0.25), run('running', null, 0.75), run('queued')]
    expect(sweepControl('paused', runs, 4, 0).etaMs).toBe(150)
    expect(sweepControl('running', [run('running', null, 0.5), run('queued')], 4, 0).etaMs).toBe(null)
    expect(sweepControl('done', [run('done', 10)], 4, 0).etaMs).toBe(0)
  })
})

/**
 * Sweep dispatch: a sweep's runs are created at once (so its page shows the whole plan) but are
 * handed to the worker pool only while the pool has a free slot, so that pausing a sweep holds
 * back every run that has not started, and cancelling it can end them without a worker.
 * Like MATLAB's Experiment Manager "stop" and W&B's sweep "pause": running runs finish, nothing
 * new starts; resume dispatches again.
 */
import type { SweepControl, SweepState } from '../../src-shared/api'
import { isTerminal, type Run } from '../../src-shared/model'

export interface PoolLoad {
  readonly activeCount: number
  readonly queuedCount: number
  readonly maxWorkers: number
}

interface Held {
  runId: string
  submit: () => void
}

export class SweepDispatcher {
  /** runs created but not yet handed to the pool, per sweep, in plan order */
  private readonly held = new Map<string, Held[]>()
  private readonly paused = new Set<string>()
  /** sweeps cancelled in this process whose last running runs may still be ending */
  private readonly cancelled = new Set<string>()

  constructor(private readonly pool: PoolLoad) {}

  /** Queue a run of a sweep; it goes to the pool as soon as a slot is free and the sweep is not paused. */
  enqueue(sweepId: string, runId: string, submit: () => void): void {
    this.cancelled.delete(sweepId)
    const list = this.held.get(sweepId) ?? []
    list.push({ runId, submit })
    this.held.set(sweepId, list)
    this.pump()
  }

  /** Hand held runs to the pool while it has free slots, one sweep after another in turn. */
  pump(): void {
    let progressed = true
    while (progressed && this.pool.activeCount + this.pool.queuedCount < this.pool.maxWorkers) {
      progressed = false
      for (const [sweepId, list] of this.held) {
        if (this.paused.has(sweepId)) continue
        const next = list.shift()
        if (!list.length) this.held.delete(sweepId)
        if (!next) continue
        next.submit()
        progressed = true
        if (this.pool.activeCount + this.pool.queuedCount >= this.pool.maxWorkers) return
      }
    }
  }

  pause(sweepId: string): void {
    this.paused.add(sweepId)
  }

  resume(sweepId: string): void {
    this.paused.delete(sweepId)
    this.pump()
  }

  /** what this process was told to do with the sweep: hold it, end it, or nothing */
  mode(sweepId: string): 'paused' | 'cancelled' | null {
    return this.cancelled.has(sweepId) ? 'cancelled' : this.paused.has(sweepId) ? 'paused' : null
  }

  heldCount(sweepId: string): number {
    return this.held.get(sweepId)?.length ?? 0
  }

  /** Remove one held run (a run cancelled on its own before it started); false when it is not held. */
  take(runId: string): boolean {
    for (const [sweepId, list] of this.held) {
      const i = list.findIndex((h) => h.runId === runId)
      if (i < 0) continue
      list.splice(i, 1)
      if (!list.length) this.held.delete(sweepId)
      return true
    }
    return false
  }

  /** Remove and return the ids of the sweep's held runs (cancel ends them without a worker). */
  drain(sweepId: string): string[] {
    const list = this.held.get(sweepId) ?? []
    this.held.delete(sweepId)
    this.paused.delete(sweepId)
    this.cancelled.add(sweepId)
    return list.map((h) => h.runId)
  }
}

/**
 * The state a sweep is in, from its stored status, what this process was told (pause, cancel)
 * and its runs. A finished sweep was cancelled when some configuration (params and seed) ended
 * cancelled or interrupted and was not run to the end later (a resume re-runs it).
 */
export function sweepState(stored: 'running' | 'done', mode: 'paused' | 'cancelled' | null, runs: readonly Pick<Run, 'status' | 'paramsHash' | 'seed'>[]): SweepState {
  if (stored === 'done') {
    const key = (r: Pick<Run, 'paramsHash' | 'seed'>): string => `${r.paramsHash}|${r.seed}`
    const settled = new Set(runs.filter((r) => r.status === 'done').map(key))
    return runs.some((r) => (r.status === 'cancelled' || r.status === 'interrupted') && !settled.has(key(r))) ? 'cancelled' : 'done'
  }
  if (mode) return mode
  return runs.some((r) => !isTerminal(r.status)) ? 'running' : 'stopped'
}

/**
 * Progress and ETA. The mean duration of the runs that ended on their own (done, failed,
 * diverged) estimates each remaining run; the remaining work (a running run counts its
 * unfinished fraction) is spread over min(workers, runs left). Paused: only the running runs
 * remain to wait for. No finished run yet: no estimate.
 */
export function sweepControl(
  state: SweepState,
  runs: readonly Pick<Run, 'status' | 'durationMs' | 'progress'>[],
  workers: number,
  now: number,
): SweepControl {
  let done = 0
  let failed = 0
  let cancelled = 0
  let running = 0
  let queued = 0
  let finished = 0
  let sum = 0
  let timed = 0
  for (const r of runs) {
    if (isTerminal(r.status)) finished++
    if (r.status === 'done') done++
    else if (r.status === 'failed' || r.status === 'diverged') failed++
    else if (r.status === 'cancelled') cancelled++
    else if (r.status === 'running') running++
    else if (r.status === 'queued') queued++
    if ((r.status === 'done' || r.status === 'failed' || r.status === 'diverged') && r.durationMs !== null && Number.isFinite(r.durationMs)) {
      sum += r.durationMs
      timed++
    }
  }
  const meanRunMs = timed ? sum / timed : null
  let etaMs: number | null = null
  if (meanRunMs !== null) {
    const left = (r: Pick<Run, 'progress'>): number => meanRunMs * (1 - Math.min(1, Math.max(0, r.progress)))
    const active = runs.filter((r) => r.status === 'running')
    if (state === 'paused') {
      etaMs = active.reduce((m, r) => Math.max(m, left(r)), 0)
    } else if (state === 'running') {
      const work = queued * meanRunMs + active.reduce((a, r) => a + left(r), 0)
      etaMs = work / Math.max(1, Math.min(workers, queued + running))
    } else {
      etaMs = 0
    }
  }
  return { state, total: runs.length, finished, done, failed, cancelled, running, queued, meanRunMs, etaMs, workers, at: now }
}

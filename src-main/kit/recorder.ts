/**
 * The solver side of a run: a SolveContext that buffers recorded rows column-wise and hands
 * them out as batches of Float64Arrays (about ten a second), never one message per iteration.
 * Used by the worker thread and, in tests, in-process.
 */
import type { RunEvent } from '../../src-shared/model'
import { Rng } from '../numeric/rng'
import type { SolveContext, StudyDefinition } from './define'

export class DivergedError extends Error {
  constructor(
    readonly step: number,
    readonly metric: string,
    readonly value: number,
  ) {
    super(`${metric} became ${value} at iteration ${step}`)
    this.name = 'DivergedError'
  }
}

/** A solver's own exception, with the last iteration it recorded before throwing. */
export class SolverError extends Error {
  constructor(
    readonly step: number | null,
    readonly original: unknown,
  ) {
    const e = original as Error
    super(`${e?.message ?? String(original)}${step === null ? ' (before the first recorded iteration)' : ` (after iteration ${step})`}`)
    this.name = 'SolverError'
    this.stack = `${this.message}\n${e?.stack?.split('\n').slice(1).join('\n') ?? ''}`
  }
}

export class CancelledError extends Error {
  constructor() {
    super('cancelled')
    this.name = 'CancelledError'
  }
}

/** One flushed slice of rows: every column has `count` values, NaN where a row did not set it. */
export interface MetricBatch {
  /** index of the first row of this batch in the run */
  start: number
  count: number
  columns: Record<string, Float64Array>
  events: RunEvent[]
  progress: number
}

export interface RecorderOptions {
  seed: number
  oracles: string[]
  /** true once cancellation was requested (read synchronously, e.g. from a SharedArrayBuffer) */
  isCancelled: () => boolean
  /** receives each batch; called from inside `record` when flushIntervalMs has passed */
  onBatch: (batch: MetricBatch) => void
  flushIntervalMs?: number
  now?: () => number
  /** called at every flush; throws to end the run (the worker's memory guard) */
  checkResources?: (iteration: number) => void
}

const INITIAL_CAPACITY = 256

export class Recorder implements SolveContext {
  readonly seed: number
  readonly rng: Rng
  private readonly opts: Required<Omit<RecorderOptions, 'oracles'>>
  private readonly oracleNames: string[]
  private readonly counts = new Map<string, number>()
  private readonly buffers = new Map<string, Float64Array>()
  /** columns in first-seen order: iteration, wallMs, oracle:* then metrics */
  readonly columnOrder: string[] = []
  private rows = 0
  private capacity = INITIAL_CAPACITY
  private flushedRows = 0
  private pendingEvents: RunEvent[] = []
  private lastFlush: number
  private readonly t0: number
  private fraction = 0
  private lastIteration = -Infinity

  constructor(opts: RecorderOptions) {
    this.seed = opts.seed
    this.rng = Rng.stream(opts.seed, 'main')
    this.oracleNames = opts.oracles
    this.opts = {
      flushIntervalMs: 100,
      now: () => performance.now(),
      checkResources: () => undefined,
      ...opts,
    }
    this.t0 = this.opts.now()
    this.lastFlush = this.t0
    for (const o of this.oracleNames) this.counts.set(o, 0)
    for (const c of ['iteration', 'wallMs', ...this.oracleNames.map((o) => `oracle:${o}`)]) this.addColumn(c)
  }

  get cancelled(): boolean {
    return this.opts.isCancelled()
  }

  stream(name: string): Rng {
    return Rng.stream(this.seed, name)
  }

  count(oracle: string, n = 1): void {
    const c = this.counts.get(oracle)
    if (c === undefined) throw new Error(`unknown oracle "${oracle}"; declared: ${this.oracleNames.join(', ') || 'none'}`)
    this.counts.set(oracle, c + n)
  }

  progress(fraction: number): void {
    this.fraction = Math.min(1, Math.max(0, fraction))
  }

  event(name: string, iteration: number, message?: string): void {
    this.pendingEvents.push(message === undefined ? { name, iteration } : { name, iteration, message })
  }

  record(iteration: number, values: Record<string, number | ArrayLike<number>>): void {
    if (!(iteration >= this.lastIteration)) {
      throw new Error(`record: iteration ${iteration} is before the last recorded ${this.lastIteration}`)
    }
    this.lastIteration = iteration
    if (this.rows - this.flushedRows === this.capacity) this.grow()
    const row = this.rows - this.flushedRows
    this.put('iteration', row, iteration)
    this.put('wallMs', row, this.opts.now() - this.t0)
    for (const o of this.oracleNames) this.put(`oracle:${o}`, row, this.counts.get(o)!)
    for (const key in values) {
      const v = values[key]
      if (typeof v === 'number') {
        if (!Number.isFinite(v)) throw new DivergedError(iteration, key, v)
        this.put(key, row, v)
      } else {
        for (let i = 0; i < v.length; i++) {
          const name = `${key}[${i}]`
          if (!Number.isFinite(v[i])) throw new DivergedError(iteration, name, v[i])
          this.put(name, row, v[i])
        }
      }
    }
    this.rows++
    const now = this.opts.now()
    if (now - this.lastFlush >= this.opts.flushIntervalMs) {
      this.flush()
      this.opts.checkResources(iteration)
    }
  }

  /** Hand the buffered rows and events to onBatch (also called once at the end of a run). */
  flush(): void {
    this.lastFlush = this.opts.now()
    const count = this.rows - this.flushedRows
    if (count === 0 && this.pendingEvents.length === 0) return
    const columns: Record<string, Float64Array> = {}
    for (const name of this.columnOrder) columns[name] = this.buffers.get(name)!.slice(0, count)
    const batch: MetricBatch = {
      start: this.flushedRows,
      count,
      columns,
      events: this.pendingEvents,
      progress: this.fraction,
    }
    this.pendingEvents = []
    this.flushedRows = this.rows
    for (const buf of this.buffers.values()) buf.fill(NaN, 0, count)
    this.opts.onBatch(batch)
  }

  /** the last iteration passed to record (null before the first) */
  get lastRecordedIteration(): number | null {
    return this.lastIteration === -Infinity ? null : this.lastIteration
  }

  get rowCount(): number {
    return this.rows
  }

  private put(name: string, row: number, value: number): void {
    let buf = this.buffers.get(name)
    if (!buf) buf = this.addColumn(name)
    buf[row] = value
  }

  private addColumn(name: string): Float64Array {
    const buf = new Float64Array(this.capacity).fill(NaN)
    this.buffers.set(name, buf)
    this.columnOrder.push(name)
    return buf
  }

  private grow(): void {
    this.capacity *= 2
    for (const [name, buf] of this.buffers) {
      const next = new Float64Array(this.capacity).fill(NaN)
      next.set(buf)
      this.buffers.set(name, next)
    }
  }
}

/**
 * Run a study's solver to completion with a Recorder. Errors propagate (DivergedError,
 * CancelledError or the solver's own); the caller decides the run's status from them.
 */
export async function executeSolve(
  study: StudyDefinition,
  params: Record<string, unknown>,
  opts: RecorderOptions,
): Promise<Recorder> {
  const rec = new Recorder(opts)
  try {
    await study.solve(params as never, rec)
  } catch (err) {
    if (err instanceof DivergedError || err instanceof CancelledError) throw err
    throw new SolverError(rec.lastRecordedIteration, err)
  } finally {
    rec.flush()
  }
  if (opts.isCancelled()) throw new CancelledError()
  return rec
}

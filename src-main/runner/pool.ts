/**
 * The worker pool: runs queue here and start on a fresh worker thread as a slot frees (one
 * slot per core by default). Cancel sets a shared flag the solver polls and, if the solver has
 * not returned within the grace period, terminates the thread: cancel takes effect within
 * 100 ms either way. Memory is capped per worker (V8 resource limits), time per run optionally.
 *
 * Why not piscina: it reuses workers across tasks, so a solver's leaked state or exhausted heap
 * would carry into the next run; here every run gets a new isolate and ends with it.
 */
import { availableParallelism, totalmem } from 'node:os'
import { Worker } from 'node:worker_threads'
import type { MetricBatch } from '../kit/recorder'
import type { WorkerJob, WorkerMessage } from './protocol'

export type Outcome =
  | { status: 'done' }
  | { status: 'failed' | 'diverged' | 'cancelled'; message: string; step: number | null }

export interface PoolJob {
  study: string
  params: Record<string, unknown>
  seed: number
  onStart: () => void
  onBatch: (batch: MetricBatch) => void
  onEnd: (outcome: Outcome) => void
}

export interface PoolOptions {
  workerPath: string | URL
  maxWorkers?: number
  /** V8 old-generation cap per worker, in MB */
  maxMemoryMb?: number
  /** hard wall-clock limit per run (0: none) */
  timeLimitMs?: number
  flushIntervalMs?: number
  cancelGraceMs?: number
}

interface Slot {
  job: PoolJob
  worker: Worker | null
  cancelFlag: Int32Array
  ended: boolean
  timer: NodeJS.Timeout | null
  /** when the worker last sent a batch: a solver allocating without recording goes silent */
  lastHeard: number
}

export class WorkerPool {
  readonly maxWorkers: number
  private readonly queue: { key: string; job: PoolJob }[] = []
  private readonly active = new Map<string, Slot>()
  private readonly opts: Required<PoolOptions>
  private closed = false
  private watchdog: NodeJS.Timeout | null = null
  private readonly rssCapBytes: number

  constructor(opts: PoolOptions) {
    const given = Object.fromEntries(Object.entries(opts).filter(([, v]) => v !== undefined)) as PoolOptions
    this.opts = {
      maxWorkers: Math.max(1, availableParallelism()),
      maxMemoryMb: 2048,
      timeLimitMs: 0,
      flushIntervalMs: 100,
      cancelGraceMs: 50,
      ...given,
    }
    this.maxWorkers = this.opts.maxWorkers
    this.rssCapBytes = Math.min(
      0.8 * totalmem(),
      process.memoryUsage.rss() + (this.opts.maxWorkers * this.opts.maxMemoryMb + 512) * 2 ** 20,
    )
  }

  /**
   * The process-wide guard behind the per-worker one: a solver that allocates typed arrays in
   * a loop without recording never reaches the worker's own check, so when the process's
   * resident memory passes the cap, the worker silent for longest is terminated.
   */
  private watchMemory(): void {
    if (this.watchdog || this.active.size === 0) return
    this.watchdog = setInterval(() => {
      if (this.active.size === 0) {
        clearInterval(this.watchdog!)
        this.watchdog = null
        return
      }
      const rss = process.memoryUsage.rss()
      if (rss <= this.rssCapBytes) return
      let victim: [string, Slot] | null = null
      for (const entry of this.active) if (!victim || entry[1].lastHeard < victim[1].lastHeard) victim = entry
      if (victim) {
        void this.end(victim[0], {
          status: 'failed',
          message: `exceeded the memory limit (the process reached ${(rss / 2 ** 20).toFixed(0)} MB while this solver allocated without recording) and was terminated`,
          step: null,
        })
      }
    }, 100)
    this.watchdog.unref()
  }

  get activeCount(): number {
    return this.active.size
  }

  get queuedCount(): number {
    return this.queue.length
  }

  submit(key: string, job: PoolJob): void {
    if (this.closed) throw new Error('the worker pool is closed')
    this.queue.push({ key, job })
    this.pump()
  }

  /** Cancel a queued or running job. Returns false when the key is unknown. */
  cancel(key: string): boolean {
    const qi = this.queue.findIndex((q) => q.key === key)
    if (qi >= 0) {
      const [q] = this.queue.splice(qi, 1)
      q.job.onEnd({ status: 'cancelled', message: 'cancelled before it started', step: null })
      return true
    }
    const slot = this.active.get(key)
    if (!slot) return false
    Atomics.store(slot.cancelFlag, 0, 1)
    setTimeout(() => this.end(key, { status: 'cancelled', message: 'cancelled', step: null }), this.opts.cancelGraceMs)
    return true
  }

  /** Terminate everything (app shutdown). Running jobs end as cancelled. */
  async close(): Promise<void> {
    this.closed = true
    for (const q of this.queue.splice(0)) q.job.onEnd({ status: 'cancelled', message: 'the app is closing', step: null })
    await Promise.all([...this.active.keys()].map((k) => this.end(k, { status: 'cancelled', message: 'the app is closing', step: null })))
  }

  private pump(): void {
    while (!this.closed && this.active.size < this.opts.maxWorkers && this.queue.length) {
      const { key, job } = this.queue.shift()!
      this.launch(key, job)
    }
  }

  private launch(key: string, job: PoolJob): void {
    const shared = new SharedArrayBuffer(4)
    const slot: Slot = { job, worker: null, cancelFlag: new Int32Array(shared), ended: false, timer: null, lastHeard: performance.now() }
    this.active.set(key, slot)
    const data: WorkerJob = {
      study: job.study,
      params: job.params,
      seed: job.seed,
      cancelFlag: shared,
      flushIntervalMs: this.opts.flushIntervalMs,
      maxMemoryMb: this.opts.maxMemoryMb,
    }
    let worker: Worker
    try {
      worker = new Worker(this.opts.workerPath, {
        workerData: data,
        resourceLimits: { maxOldGenerationSizeMb: this.opts.maxMemoryMb },
        stdout: false,
        stderr: false,
      })
    } catch (err) {
      void this.end(key, { status: 'failed', message: `could not start a worker: ${(err as Error).message}`, step: null })
      return
    }
    slot.worker = worker
    job.onStart()
    this.watchMemory()
    if (this.opts.timeLimitMs > 0) {
      slot.timer = setTimeout(
        () => void this.end(key, { status: 'failed', message: `exceeded the time limit of ${this.opts.timeLimitMs} ms and was terminated`, step: null }),
        this.opts.timeLimitMs,
      )
    }
    worker.on('message', (m: WorkerMessage) => {
      if (slot.ended) return
      slot.lastHeard = performance.now()
      if (m.type === 'batch') {
        try {
          job.onBatch(m.batch)
        } catch (err) {
          // a failing consumer (e.g. the database refusing the batch) ends this run, not the process
          void this.end(key, { status: 'failed', message: `could not take the metrics: ${(err as Error).message}`, step: null })
        }
      } else if (m.type === 'done') void this.end(key, { status: 'done' })
      else void this.end(key, { status: m.kind, message: m.message, step: m.step })
    })
    worker.on('error', (err: Error & { code?: string }) => {
      const message =
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? `exceeded the memory limit of ${this.opts.maxMemoryMb} MB and was terminated`
          : `the solver crashed: ${err.message}`
      void this.end(key, { status: 'failed', message, step: null })
    })
    worker.on('exit', (code) => {
      void this.end(key, { status: 'failed', message: `the worker exited unexpectedly (code ${code})`, step: null })
    })
  }

  private async end(key: string, outcome: Outcome): Promise<void> {
    const slot = this.active.get(key)
    if (!slot || slot.ended) return
    slot.ended = true
    if (slot.timer) clearTimeout(slot.timer)
    this.active.delete(key)
    const worker = slot.worker
    try {
      slot.job.onEnd(outcome)
    } catch (err) {
      // never let one run's bookkeeping failure take the process (and every other run) down
      process.stderr.write(`descent: run ${key} ended (${outcome.status}) but could not be recorded: ${(err as Error).message}\n`)
    } finally {
      this.pump()
    }
    if (worker) await worker.terminate().catch(() => undefined)
  }
}

/** Messages between the worker pool (main thread) and a solver worker thread. */
import type { MetricBatch } from '../kit/recorder'

export interface WorkerJob {
  study: string
  params: Record<string, unknown>
  seed: number
  /** Int32Array[1] over a SharedArrayBuffer: set to 1 to request cancellation */
  cancelFlag: SharedArrayBuffer
  flushIntervalMs: number
  /** cap on this isolate's JS heap plus typed-array memory, in MB */
  maxMemoryMb: number
}

export type WorkerMessage =
  | { type: 'batch'; batch: MetricBatch }
  | { type: 'done' }
  | { type: 'error'; kind: 'failed' | 'diverged' | 'cancelled'; message: string; step: number | null }

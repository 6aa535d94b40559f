/**
 * A solver worker thread: runs one study solve and streams its metric batches to the pool.
 * One thread per run, so a solver that throws, leaks or never yields cannot touch another run.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { CancelledError, DivergedError, executeSolve } from '../kit/recorder'
import { getStudy } from '../studies/registry'
import type { WorkerJob, WorkerMessage } from './protocol'

const job = workerData as WorkerJob
const port = parentPort!
const cancel = new Int32Array(job.cancelFlag)
const send = (m: WorkerMessage, transfer: ArrayBuffer[] = []): void => port.postMessage(m, transfer)

async function main(): Promise<void> {
  try {
    const { definition } = getStudy(job.study)
    await executeSolve(definition, job.params, {
      seed: job.seed,
      oracles: Object.keys(definition.oracles ?? {}),
      isCancelled: () => Atomics.load(cancel, 0) !== 0,
      flushIntervalMs: job.flushIntervalMs,
      onBatch: (batch) =>
        send(
          { type: 'batch', batch },
          Object.values(batch.columns).map((c) => c.buffer as ArrayBuffer),
        ),
    })
    send({ type: 'done' })
  } catch (err) {
    if (err instanceof CancelledError) send({ type: 'error', kind: 'cancelled', message: 'cancelled', step: null })
    else if (err instanceof DivergedError) send({ type: 'error', kind: 'diverged', message: err.message, step: err.step })
    else {
      const e = err as Error
      send({ type: 'error', kind: 'failed', message: e?.stack ?? String(err), step: null })
    }
  }
}

void main()

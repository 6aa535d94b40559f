/**
 * A solver worker thread: runs one study solve and streams its metric batches to the pool.
 * One thread per run, so a solver that throws, leaks or never yields cannot touch another run.
 */
import { parentPort, workerData } from 'node:worker_threads'
import { CancelledError, DivergedError, executeSolve, SolverError } from '../kit/recorder'
import { getStudy } from '../studies/registry'
import { installMemoryGuard, usedMemoryMb } from './memory-guard'
import type { WorkerJob, WorkerMessage } from './protocol'
import { lowerThisThreadPriority } from './thread-priority'

const job = workerData as WorkerJob
// solvers yield the CPU to the host's main thread (api, store writes) when cores are scarce
lowerThisThreadPriority()
installMemoryGuard(job.maxMemoryMb)
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
      // V8's resourceLimits cap the JS heap only; typed arrays live outside it, so count both.
      checkResources: (iteration) => {
        const usedMb = usedMemoryMb()
        if (usedMb > job.maxMemoryMb) {
          throw new Error(`exceeded the memory limit of ${job.maxMemoryMb} MB (${usedMb.toFixed(0)} MB in use at iteration ${iteration})`)
        }
      },
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
    else if (err instanceof SolverError) send({ type: 'error', kind: 'failed', message: err.stack ?? err.message, step: err.step })
    else send({ type: 'error', kind: 'failed', message: (err as Error)?.stack ?? String(err), step: null })
  }
}

void main()

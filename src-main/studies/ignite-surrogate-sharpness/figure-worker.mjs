// A worker thread of the claims test (ignite-surrogate-sharpness.claims.test.ts): loads the study
// through Vite's module runner (TypeScript, no build step), then runs one figure run per message
// with the in-process harness and posts back what a RunView is rebuilt from.
import { fileURLToPath } from 'node:url'
import { parentPort } from 'node:worker_threads'
import { runnerImport } from 'vite'

const { module } = await runnerImport(fileURLToPath(new URL('./figure-worker.ts', import.meta.url)), { configFile: false, logLevel: 'error' })

parentPort.on('message', async (job) => {
  const t0 = performance.now()
  const r = await module.runLocal(module.study, job.params, job.seed, job.label)
  parentPort.postMessage({
    i: job.i,
    ms: performance.now() - t0,
    label: job.label,
    seed: job.seed,
    params: r.view.params,
    status: r.status,
    error: r.error,
    summary: r.summary,
    events: r.events,
    columns: r.columns,
  })
})
parentPort.postMessage({ ready: true })

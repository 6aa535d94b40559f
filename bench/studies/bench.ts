/**
 * Each study's solver step (one iteration of its main update at the study's default size)
 * against the same computation written in numpy (bench/studies/<id>_step.py), in one run,
 * interleaved (Descent rep, numpy rep, Descent rep, …), printing the median ratio
 * numpy_time / descent_time (> 1: Descent is faster).
 *   node bench/studies/run.mjs [--json] [--reps N] [--min-ms MS] [--only SUBSTRING] [--numpy-threads N]
 * --json prints one JSON array [{name, descentMs, numpyMs, ratio}] on stdout (the load average
 * goes to stderr). Times are process CPU time per step, not wall time: the machine is shared.
 * Without python3 + numpy, prints Descent's own times and says so.
 */
import { appendFileSync, mkdirSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ROOT } from '../../src-main/testing/host'
import { median, startNumpy } from '../numpy-worker'
import type { StepCase } from './types'
import { parseBenchArgs } from '../args'

/** Every `bench/studies/<study-id>.step.ts` exports `steps(): StepCase[]`; found by name, sorted. */
const stepModules = import.meta.glob<{ steps: () => StepCase[] }>('./*.step.ts', { eager: true })

export type { StepCase } from './types'

function allSteps(): StepCase[] {
  return Object.keys(stepModules)
    .sort()
    .flatMap((k) => stepModules[k]!.steps())
}

/** Process CPU milliseconds (user + system) since an arbitrary origin. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * CPU milliseconds per call: repeat f until at least minMs of CPU time has passed. The clock is
 * read between doubling batches of calls, not after each call: process.cpuUsage() costs a few
 * microseconds, a sizeable share of a 10 µs step (numpy_worker.py batches the same way).
 */
async function timeCpu(f: () => void, isAsync: boolean, minMs: number): Promise<number> {
  let calls = 0
  let batch = 1
  const t0 = cpuMs()
  for (;;) {
    for (let i = 0; i < batch; i++) {
      if (isAsync) await f()
      else f()
    }
    calls += batch
    const elapsed = cpuMs() - t0
    if (elapsed >= minMs) return elapsed / calls
    batch *= 2
  }
}

export interface StepRow {
  name: string
  descentMs: number
  numpyMs: number | null
  ratio: number | null
  error?: string
}

const fmtLoad = () => loadavg().map((x) => x.toFixed(2)).join(' ')

export async function main(argv: string[]): Promise<StepRow[]> {
  const { json, reps, minMs, only, numpyThreads } = parseBenchArgs(argv)
  const threads = String(numpyThreads)
  const selected = allSteps().filter((s) => !only || s.name.includes(only))
  const numpy = await startNumpy(join(dirname(fileURLToPath(import.meta.url)), 'numpy_worker.py'), threads)
  const log = (s: string) => (json ? console.error(s) : console.log(s))
  log(`\nstudy solver steps vs numpy (bench/studies): load average ${fmtLoad()} (1, 5, 15 min) on ${cpus().length} CPUs`)
  log(
    numpy
      ? `numpy ${numpy.version} via python3 (BLAS threads: ${threads}); CPU ms per step, median of ${reps} interleaved reps of ≥ ${minMs} ms each; ratio = numpy / descent (≥ 1: Descent as fast or faster)`
      : `python3 with numpy not found: Descent's own times only (CPU ms per step, median of ${reps} reps of ≥ ${minMs} ms)`,
  )
  const rows: StepRow[] = []
  // npm run bench passes --only to the kernel bench too: a kernel name matches no step here
  if (selected.length === 0) log(`no study step matches --only ${JSON.stringify(only)}; the steps are:\n  ${allSteps().map((s) => s.name).join('\n  ')}`)
  for (const c of selected) {
    const perCall = c.perCall ?? 1
    try {
      const f = await c.setup()
      // Warm-up: let V8 tier the step up before timing (two calls, or ~200 ms).
      const w0 = performance.now()
      for (let i = 0; i < 2 || performance.now() - w0 < 200; i++) {
        if (c.async) await f()
        else f()
      }
      const descent: number[] = []
      const np: number[] = []
      for (let r = 0; r < reps; r++) {
        descent.push((await timeCpu(f, c.async ?? false, minMs)) / perCall)
        if (numpy) np.push(await numpy.worker.time({ py: c.py, case: c.pyCase, minMs }, `${c.py} ${c.pyCase}`))
      }
      const d = median(descent)
      const p = np.length ? median(np) : null
      const row: StepRow = { name: c.name, descentMs: d, numpyMs: p, ratio: p === null ? null : p / d }
      rows.push(row)
      log(
        `${row.name.padEnd(64)} descent ${d.toFixed(4).padStart(10)} ms   numpy ${p === null ? '         -' : p.toFixed(4).padStart(10)} ms   ratio ${row.ratio === null ? '-' : row.ratio.toFixed(2)}${row.ratio !== null && row.ratio < 1 ? '  (miss)' : ''}`,
      )
      if (argv.includes('--verbose')) log(`    ${c.note}`)
    } catch (e) {
      const row: StepRow = { name: c.name, descentMs: NaN, numpyMs: null, ratio: null, error: String(e) }
      rows.push(row)
      log(`${c.name.padEnd(64)} FAILED: ${row.error}`)
    }
  }
  numpy?.worker.close()
  log(`load average after: ${fmtLoad()}`)
  // appended to test-results/bench.json like the other bench tables (bench/report.ts)
  mkdirSync(join(ROOT, 'test-results'), { recursive: true })
  appendFileSync(
    join(ROOT, 'test-results', 'bench.json'),
    JSON.stringify({ name: 'studies: solver step vs numpy', at: new Date().toISOString(), loadavg: loadavg(), numpy: numpy?.version ?? null, rows }) + '\n',
  )
  if (json) console.log(JSON.stringify(rows.map(({ name, descentMs, numpyMs, ratio }) => ({ name, descentMs, numpyMs, ratio }))))
  return rows
}

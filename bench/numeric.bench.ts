/**
 * Numeric-core benchmark: times Descent's kernels against the same computation in numpy, in one
 * run, interleaved (Descent rep, numpy rep, Descent rep, ...), and prints the median ratio
 * numpy_ms / descent_ms per kernel (> 1 means Descent is faster).
 *
 *   node bench/numeric.mjs [--json] [--reps N] [--min-ms MS] [--only NAME] [--mlmatrix] [--numpy-threads N]
 *
 * numpy runs in one long-lived python3 subprocess (bench/numeric_numpy.py) that times each
 * request itself, so process start-up and JSON transfer are not counted. Both sides report
 * process CPU time per call (the machine this was written on is shared; wall time there
 * measured the neighbours), with numpy's BLAS on one thread by default. Without python3 and
 * numpy the bench prints Descent's own times and says so. Not part of the test suite.
 */
import { fileURLToPath } from 'node:url'
import { dirname, join } from 'node:path'
import { Matrix, EigenvalueDecomposition, SingularValueDecomposition } from 'ml-matrix'
import { gemm, gemv } from '../src-main/numeric/dense'
import { cholesky, qr, singularValues, solve, svd, symEig } from '../src-main/numeric/linalg'
import { Rng } from '../src-main/numeric/rng'
import { median, startNumpy } from './numpy-worker'
import { parseBenchArgs } from './args'

interface Kernel {
  name: string
  n: number
  /** Builds inputs once and returns the timed closure. */
  setup: () => () => void
}

function symmetric(n: number, rng: Rng): Float64Array {
  const G = rng.gaussianMatrix(n, n)
  const A = new Float64Array(n * n)
  for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) A[i * n + j] = G[i * n + j] + G[j * n + i]
  return A
}

function kernels(): Kernel[] {
  const rng = Rng.stream(1, 'bench')
  const list: Kernel[] = []
  // Study-step sizes first: one call per iteration on d ≤ 100, where per-call overhead matters.
  for (const n of [16, 64, 256, 512]) {
    list.push({
      name: 'dgemm',
      n,
      setup: () => {
        const A = rng.gaussianMatrix(n, n)
        const B = rng.gaussianMatrix(n, n)
        const C = new Float64Array(n * n)
        return () => gemm(false, false, n, n, n, 1, A, B, 0, C)
      },
    })
  }
  list.push({
    name: 'dgemm_nt',
    n: 256,
    setup: () => {
      const A = rng.gaussianMatrix(256, 256)
      const B = rng.gaussianMatrix(256, 256)
      const C = new Float64Array(256 * 256)
      return () => gemm(false, true, 256, 256, 256, 1, A, B, 0, C)
    },
  })
  for (const n of [64, 512]) {
    list.push({
      name: 'dgemv',
      n,
      setup: () => {
        const A = rng.gaussianMatrix(n, n)
        const x = rng.gaussianMatrix(n, 1)
        const y = new Float64Array(n)
        return () => gemv(false, n, n, 1, A, x, 0, y)
      },
    })
  }
  for (const n of [16, 64, 256]) {
    list.push({ name: 'symEig', n, setup: () => { const A = symmetric(n, rng); return () => symEig(A, n) } })
    list.push({ name: 'svd', n, setup: () => { const A = rng.gaussianMatrix(n, n); return () => svd(A, n, n) } })
    list.push({ name: 'singularValues', n, setup: () => { const A = rng.gaussianMatrix(n, n); return () => singularValues(A, n, n) } })
  }
  for (const n of [32, 256]) {
    list.push({
      name: 'cholesky',
      n,
      setup: () => {
        const G = rng.gaussianMatrix(n, n)
        const A = gemm(false, true, n, n, n, 1, G, G, 0, new Float64Array(n * n))
        for (let i = 0; i < n; i++) A[i * n + i] += n
        return () => cholesky(A, n)
      },
    })
    list.push({ name: 'solve', n, setup: () => { const A = rng.gaussianMatrix(n, n); const b = rng.gaussianMatrix(n, 1); return () => solve(A, b, n) } })
    list.push({ name: 'qr', n, setup: () => { const A = rng.gaussianMatrix(n, n); return () => qr(A, n, n) } })
  }
  return list
}

/** The same decompositions through ml-matrix, for the README's library-vs-kernel choice. */
function mlMatrixKernels(): Kernel[] {
  const rng = Rng.stream(1, 'bench-ml')
  const toMatrix = (A: Float64Array, n: number): Matrix => {
    const M = new Matrix(n, n)
    for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) M.set(i, j, A[i * n + j])
    return M
  }
  const list: Kernel[] = []
  for (const n of [64, 256]) {
    list.push({ name: 'ml-matrix mmul', n, setup: () => { const A = toMatrix(rng.gaussianMatrix(n, n), n); const B = toMatrix(rng.gaussianMatrix(n, n), n); return () => A.mmul(B) } })
    list.push({ name: 'ml-matrix symEig', n, setup: () => { const A = toMatrix(symmetric(n, rng), n); return () => new EigenvalueDecomposition(A, { assumeSymmetric: true }) } })
    list.push({ name: 'ml-matrix svd', n, setup: () => { const A = toMatrix(rng.gaussianMatrix(n, n), n); return () => new SingularValueDecomposition(A) } })
  }
  return list
}


/** Process CPU milliseconds (user + system) since an arbitrary origin. */
function cpuMs(): number {
  const u = process.cpuUsage()
  return (u.user + u.system) / 1000
}

/**
 * CPU milliseconds per call: repeat f until at least minMs of CPU time has passed. CPU time, not
 * wall time, because on a shared machine the wall clock mostly measures the neighbours' load.
 * The clock is read after batches of calls that double in size (1, 2, 4, …): reading it costs
 * about a microsecond, as much as a 16×16 product, and numeric_numpy.py batches the same way.
 */
function timeCpu(f: () => void, minMs: number): number {
  let calls = 0
  let batch = 1
  const t0 = cpuMs()
  for (;;) {
    for (let i = 0; i < batch; i++) f()
    calls += batch
    batch *= 2
    const elapsed = cpuMs() - t0
    if (elapsed >= minMs) return elapsed / calls
  }
}

export interface BenchRow {
  name: string
  descentMs: number
  numpyMs: number | null
  ratio: number | null
}

export async function main(argv: string[]): Promise<BenchRow[]> {
  const { json, reps, only, minMs, numpyThreads } = parseBenchArgs(argv)
  const threads = String(numpyThreads)
  const withMl = argv.includes('--mlmatrix')
  const numpy = await startNumpy(join(dirname(fileURLToPath(import.meta.url)), 'numeric_numpy.py'), threads)
  // With --json, stdout carries only the JSON array; the human table goes to stderr.
  const log = (s: string) => (json ? console.error(s) : console.log(s))
  log(numpy ? `numpy ${numpy.version} via python3 (BLAS threads: ${threads}); CPU time per call, median of ${reps} interleaved reps of ≥ ${minMs} ms each` : 'python3 with numpy not found: Descent times only')
  const list = [...kernels(), ...(withMl ? mlMatrixKernels() : [])].filter((k) => !only || k.name === only || `${k.name}:${k.n}` === only)
  const rows: BenchRow[] = []
  // npm run bench passes --only to the study bench too: a step name matches no kernel here
  if (list.length === 0) log(`no kernel matches --only ${JSON.stringify(only)} (a kernel name, or NAME:SIZE)`)
  for (const k of list) {
    const f = k.setup()
    // Warm-up: let V8 tier the kernel up before timing (two calls, or ~200 ms).
    const w0 = performance.now()
    for (let i = 0; i < 2 || performance.now() - w0 < 200; i++) f()
    const isMl = k.name.startsWith('ml-matrix')
    const descent: number[] = []
    const np: number[] = []
    for (let r = 0; r < reps; r++) {
      descent.push(timeCpu(f, minMs))
      if (numpy && !isMl) np.push(await numpy.worker.time({ name: k.name, n: k.n, seed: 1, minMs }, k.name))
    }
    const d = median(descent)
    const p = np.length ? median(np) : null
    const row: BenchRow = { name: `${k.name} ${k.n}`, descentMs: d, numpyMs: p, ratio: p === null ? null : p / d }
    rows.push(row)
    log(`${row.name.padEnd(24)} descent ${d.toFixed(3).padStart(10)} ms   numpy ${p === null ? '         -' : p.toFixed(3).padStart(10)} ms   ratio ${row.ratio === null ? '-' : row.ratio.toFixed(3)}`)
  }
  numpy?.worker.close()
  if (json) console.log(JSON.stringify(rows))
  return rows
}

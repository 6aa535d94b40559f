/**
 * The numpy side of the benches: a long-lived python3 worker answering one JSON request per line
 * with the CPU milliseconds of the requested computation, plus the median both benches report.
 * Shared by bench/numeric.bench.ts (kernels) and bench/studies/bench.ts (study solver steps).
 */
import { spawn, type ChildProcessByStdio } from 'node:child_process'
import type { Readable, Writable } from 'node:stream'

export class NumpyWorker {
  private proc: ChildProcessByStdio<Writable, Readable, null>
  private buffer = ''
  private waiting: ((line: string) => void)[] = []
  private lines: string[] = []

  constructor(script: string, threads: string) {
    // One BLAS thread by default: Descent is single-threaded, and on a shared machine
    // multithreaded BLAS timings swing with the neighbours' load.
    const env = { ...process.env, OPENBLAS_NUM_THREADS: threads, OMP_NUM_THREADS: threads, MKL_NUM_THREADS: threads }
    this.proc = spawn('python3', [script], { stdio: ['pipe', 'pipe', 'inherit'], env })
    this.proc.once('error', () => this.flush())
    this.proc.once('exit', () => this.flush())
    this.proc.stdout.setEncoding('utf8')
    this.proc.stdout.on('data', (chunk: string) => {
      this.buffer += chunk
      let nl: number
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl)
        this.buffer = this.buffer.slice(nl + 1)
        const w = this.waiting.shift()
        if (w) w(line)
        else this.lines.push(line)
      }
    })
  }

  private flush(): void {
    for (const w of this.waiting.splice(0)) w('{"error":"python3 exited"}')
  }

  next(): Promise<string> {
    const l = this.lines.shift()
    if (l !== undefined) return Promise.resolve(l)
    if (this.proc.exitCode !== null) return Promise.resolve('{"error":"python3 exited"}')
    return new Promise((resolve) => this.waiting.push(resolve))
  }

  /** Send one request; resolves with the worker's `ms` (throws with its `error`, naming `what`). */
  async time(request: object, what: string): Promise<number> {
    this.proc.stdin.write(JSON.stringify(request) + '\n')
    const reply = JSON.parse(await this.next()) as { ms?: number; error?: string }
    if (reply.ms === undefined) throw new Error(`numpy ${what}: ${reply.error}`)
    return reply.ms
  }

  close(): void {
    this.proc.stdin.end()
  }
}

/** Start the worker script; null when python3 with numpy is not there (it says hello with its version). */
export async function startNumpy(script: string, threads: string): Promise<{ worker: NumpyWorker; version: string } | null> {
  try {
    const worker = new NumpyWorker(script, threads)
    const hello = await Promise.race([
      worker.next(),
      new Promise<string>((_, reject) => setTimeout(() => reject(new Error('timeout')), 20_000)),
    ])
    const version = (JSON.parse(hello) as { numpy?: string }).numpy
    if (version) return { worker, version }
    worker.close()
    return null
  } catch {
    return null
  }
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b)
  const h = s.length >> 1
  return s.length % 2 ? s[h] : 0.5 * (s[h - 1] + s[h])
}


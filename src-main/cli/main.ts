/**
 * `descent`: the workbench from the command line. Usage: `descent help`.
 */
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { api, ApiError, parseInput, type Channel } from '../../src-shared/api'
import { UnknownStudyError } from '../studies/registry'
import { StoreError } from '../store/store'
import { resolveDbPath } from '../workbench/paths'
import { describeStorageError } from '../store/storage-error'
import { APP_VERSION, Workbench } from '../workbench/workbench'
import { startWebHost } from '../web/server'
import { intFlag, parse, UsageError } from './args'
import { cmdExportSelection } from './export'
import { cmdPlot, PLOT_FLAGS } from './plot'
import { cmdReplay } from './replay'
import { cmdExport, cmdReproduce, cmdRun, cmdRuns, cmdShow, cmdStudies, cmdSweep, cmdMerge, type Io } from './commands'

const USAGE = `descent ${APP_VERSION}: optimization papers as reproducible studies

usage: descent COMMAND [flags]

  studies                                   list studies, their params, figures and claims
  run STUDY [--set NAME=VALUE]... [--seed N] [--project ID]
                                            one run; prints its summary and claim results
  reproduce STUDY [--figure ID] [--seed N] [--strict]
                                            run a paper figure (every figure without --figure) on
                                            its declared seeds, or on seed N
  sweep STUDY --grid NAME=v1,v2,... [--random NAME=lo:hi[:log] --samples K]
        [--seeds 1..5] [--set NAME=VALUE]... [--shard I/N]
                                            a grid or random sweep times seeds; re-running the same
                                            command runs only what is missing; --shard I/N runs the
                                            I-th of N disjoint slices (Slurm/Kubernetes job arrays)
  merge OUT IN...                           join run databases (e.g. the shards of a sweep) into OUT
  runs [--study S] [--status S] [--limit N] list stored runs, newest first
  show RUN                                  one run's params, provenance, summary and claims
  export RUN... [--format csv|json|sqlite] [--out FILE]
                                            series as CSV (one row per iteration) or JSON, or the runs
                                            as a self-contained .sqlite that imports and merges back
  export --runs ID,... | --project NAME | --sweep ID --format csv|json|sqlite --out FILE
                                            checked runs, a project or a sweep: long-format CSV/JSON
                                            (run, metric, x, value, params, provenance) or .sqlite
  replay RUN [--workers N]                  re-run RUN with its params and seed; prints the largest
                                            |old − new| over its curves (exit 1 unless exactly 0)
  plot RUN... [--metric M] [--x iteration|oracle|time] [--logx] [--logy] --out FILE.svg|FILE.png
        [--scale 2|3] [--width W] [--height H]
                                            the app's chart of the runs, headless: SVG (text as text)
                                            or PNG at the given pixel ratio
  serve [--port P] [--open]                 the workbench in a browser, on 127.0.0.1 with a token

every command: --db PATH (default: DESCENT_DB, else the desktop app's database), --json
(exactly one JSON document on stdout), --workers N (default: one per core), --help
solver limits: DESCENT_WORKER_MEMORY_MB (default 2048 per worker), DESCENT_RUN_TIME_LIMIT_S (default none)`

const io: Io = {
  out: (t) => process.stdout.write(t + '\n'),
  err: (t) => process.stderr.write(t + '\n'),
}

const COMMAND_FLAGS = {
  studies: {},
  run: { set: { type: 'string', multiple: true }, seed: { type: 'string' }, project: { type: 'string' }, workers: { type: 'string' } },
  reproduce: { figure: { type: 'string' }, seed: { type: 'string' }, project: { type: 'string' }, workers: { type: 'string' }, strict: { type: 'boolean', default: false } },
  sweep: {
    grid: { type: 'string', multiple: true },
    random: { type: 'string', multiple: true },
    samples: { type: 'string' },
    seeds: { type: 'string' },
    shard: { type: 'string' },
    set: { type: 'string', multiple: true },
    project: { type: 'string' },
    workers: { type: 'string' },
  },
  runs: { study: { type: 'string' }, status: { type: 'string' }, project: { type: 'string' }, limit: { type: 'string' } },
  show: {},
  merge: {},
  export: { format: { type: 'string', default: 'csv' }, out: { type: 'string' }, runs: { type: 'string' }, project: { type: 'string' }, sweep: { type: 'string' } },
  plot: PLOT_FLAGS,
  replay: { workers: { type: 'string' } },
  serve: { port: { type: 'string' }, open: { type: 'boolean', default: false }, workers: { type: 'string' } },
} as const

type Command = keyof typeof COMMAND_FLAGS

/** Resource limits of solver workers: DESCENT_WORKER_MEMORY_MB, DESCENT_RUN_TIME_LIMIT_S. */
function envLimit(name: string): number | undefined {
  const v = process.env[name]
  if (v === undefined || v === '') return undefined
  if (!/^\d+(\.\d+)?$/.test(v) || Number(v) <= 0) throw new UsageError(`${name}=${v}: expected a positive number`)
  return Number(v)
}

function openWorkbench(db: string | undefined, workers: string | undefined, transport: 'web' = 'web'): Workbench {
  const timeLimitS = envLimit('DESCENT_RUN_TIME_LIMIT_S')
  return new Workbench({
    dbPath: resolveDbPath(db),
    workerPath: new URL('./worker.js', import.meta.url),
    maxWorkers: intFlag('workers', workers, 1, 256),
    maxMemoryMb: envLimit('DESCENT_WORKER_MEMORY_MB'),
    timeLimitMs: timeLimitS === undefined ? undefined : timeLimitS * 1000,
    transport,
  })
}

/**
 * The workbench, opened on first use: a call whose flags are refused before it needs the run
 * database (a bad --seed, an unknown param) leaves no database file behind.
 */
function lazyWorkbench(open: () => Workbench): { wb: Workbench; close(): Promise<void> } {
  let real: Workbench | null = null
  // an api call's payload is checked against the api's schema before the database is opened
  const firstCall = async (channel: Channel, payload: unknown): Promise<unknown> => {
    if (Object.prototype.hasOwnProperty.call(api, channel)) parseInput(channel, payload)
    real ??= open()
    return real.call(channel, payload)
  }
  const wb = new Proxy({} as Workbench, {
    get(_target, prop) {
      if (prop === 'call' && !real) return firstCall
      real ??= open()
      const value: unknown = Reflect.get(real, prop, real)
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(real) : value
    },
  })
  return { wb, close: async () => void (real && (await real.close())) }
}

function findChromium(): string | null {
  for (const p of ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome', '/snap/bin/chromium']) {
    if (existsSync(p)) return p
  }
  return null
}

async function serve(wb: Workbench, port: string | undefined, open: boolean, json: boolean): Promise<never> {
  const host = await startWebHost(wb, {
    port: intFlag('port', port, 0, 65535),
    rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
  })
  if (json) io.out(JSON.stringify({ url: host.url, port: host.port, token: host.token, db: wb.store.path }))
  else {
    io.out(`Descent ${APP_VERSION} is serving the workbench at\n\n  ${host.url}\n`)
    io.out(`run database: ${wb.store.path}\nCtrl+C stops it.`)
  }
  if (open) {
    const chromium = findChromium()
    if (chromium) {
      const child = spawn(chromium, [`--app=${host.url}`, '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'], {
        stdio: 'ignore',
        detached: true,
      })
      child.on('error', () => io.err('could not open Chromium; open the URL above in a browser'))
      child.unref()
    } else if (!json) io.out('(no Chromium found: open the URL above in a browser)')
  }
  const stop = async (): Promise<void> => {
    await host.close()
    await wb.close()
    process.exit(0)
  }
  process.once('SIGINT', () => void stop())
  process.once('SIGTERM', () => void stop())
  return new Promise<never>(() => undefined)
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.out(USAGE)
    return 0
  }
  if (command === '--version' || command === 'version') {
    io.out(APP_VERSION)
    return 0
  }
  if (!Object.prototype.hasOwnProperty.call(COMMAND_FLAGS, command)) {
    throw new UsageError(`unknown command "${command}"; commands: ${Object.keys(COMMAND_FLAGS).join(', ')} (descent help)`)
  }
  const cmd = command as Command
  const { values, positionals } = parse(rest, COMMAND_FLAGS[cmd], cmd)
  const v = values as Record<string, string | string[] | boolean | undefined>
  const json = v.json === true
  if (v.help) {
    io.out(USAGE)
    return 0
  }
  const arity = (min: number, max: number, what: string): void => {
    if (positionals.length < min || positionals.length > max) {
      throw new UsageError(`${cmd}: expected ${what}, got ${positionals.length ? positionals.map((p) => JSON.stringify(p)).join(' ') : 'nothing'}`)
    }
  }
  if (cmd === 'studies') {
    arity(0, 0, 'no arguments')
    return cmdStudies(json, io)
  }
  if (cmd === 'merge') {
    arity(2, 10_000, 'OUT and one or more IN databases')
    return cmdMerge({ out: positionals[0], inputs: positionals.slice(1), json }, io)
  }
  const lazy = lazyWorkbench(() => openWorkbench(v.db as string | undefined, v.workers as string | undefined))
  const wb = lazy.wb
  let interrupted = false
  const onSigint = (): void => {
    if (interrupted) process.exit(130)
    interrupted = true
    io.err('interrupted: cancelling runs (Ctrl+C again to quit at once)')
    void lazy.close().then(() => process.exit(130))
  }
  if (cmd !== 'serve') process.once('SIGINT', onSigint)
  try {
    switch (cmd) {
      case 'run':
        arity(1, 1, 'one STUDY')
        return await cmdRun(wb, { study: positionals[0], sets: (v.set as string[]) ?? [], seed: v.seed as string, project: v.project as string, json }, io)
      case 'reproduce':
        arity(1, 1, 'one STUDY')
        return await cmdReproduce(wb, { study: positionals[0], figure: v.figure as string, seed: v.seed as string, project: v.project as string, json, strict: v.strict === true }, io)
      case 'sweep':
        arity(1, 1, 'one STUDY')
        return await cmdSweep(
          wb,
          {
            study: positionals[0],
            grid: (v.grid as string[]) ?? [],
            random: (v.random as string[]) ?? [],
            samples: v.samples as string,
            seeds: v.seeds as string,
            shard: v.shard as string,
            sets: (v.set as string[]) ?? [],
            project: v.project as string,
            json,
          },
          io,
        )
      case 'runs':
        arity(0, 0, 'no arguments')
        return await cmdRuns(wb, { study: v.study as string, status: v.status as string, project: v.project as string, limit: v.limit as string, json }, io)
      case 'show':
        arity(1, 1, 'one RUN id')
        return await cmdShow(wb, positionals[0], json, io)
      case 'export':
        if (v.runs !== undefined || v.project !== undefined || v.sweep !== undefined) {
          arity(0, 0, 'no RUN arguments with --runs, --project or --sweep')
          return cmdExportSelection(wb, { runs: v.runs as string, project: v.project as string, sweep: v.sweep as string, format: v.format as string, out: v.out as string, json }, io)
        }
        arity(1, 10_000, 'one or more RUN ids, or --runs ID,..., --project NAME or --sweep ID')
        return await cmdExport(wb, { ids: positionals, format: v.format as string, out: v.out as string, json }, io)
      case 'replay':
        arity(1, 1, 'one RUN id')
        return await cmdReplay(wb, positionals[0], json, io)
      case 'plot':
        arity(1, 50, 'one or more RUN ids (at most 50)')
        return await cmdPlot(wb, { ids: positionals, metric: v.metric as string, x: v.x as string, logx: v.logx as boolean | undefined, logy: v.logy as boolean | undefined, out: v.out as string, scale: v.scale as string, width: v.width as string, height: v.height as string, json }, io)
      case 'serve':
        arity(0, 0, 'no arguments')
        return await serve(wb, v.port as string, v.open === true, json)
    }
  } finally {
    if (cmd !== 'serve') await lazy.close()
  }
  return 0
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err: unknown) => {
    if (err instanceof UsageError || err instanceof UnknownStudyError) {
      io.err(`descent: ${err.message}`)
      process.exit(2)
    }
    if (err instanceof ApiError) {
      io.err(`descent: ${err.message}`)
      process.exit(err.code === 'invalid-input' || err.code === 'not-found' ? 2 : 1)
    }
    if (err instanceof StoreError) {
      io.err(`descent: ${err.message}`)
      process.exit(1)
    }
    if (typeof (err as { code?: unknown })?.code === 'string' && (err as { code: string }).code.startsWith('SQLITE_')) {
      // a storage fault after the database opened (locked, read-only, full): name the file and the cause
      const argv = process.argv.slice(2)
      const at = argv.indexOf('--db')
      const db = at >= 0 ? argv[at + 1] : argv.find((a) => a.startsWith('--db='))?.slice(5)
      io.err(`descent: ${describeStorageError(err, resolveDbPath(db))}`)
      process.exit(1)
    }
    io.err(`descent: ${(err as Error)?.stack ?? String(err)}`)
    process.exit(1)
  },
)

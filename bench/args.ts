/**
 * The flags both numpy benches take (bench/numeric.bench.ts, bench/studies/bench.ts), parsed
 * once: a malformed value throws naming the flag and what it takes (the runners print the
 * message and exit 2).
 */
export interface BenchArgs {
  json: boolean
  reps: number
  minMs: number
  /** --only: a kernel name (numeric) or part of a step name (studies); null: everything */
  only: string | null
  numpyThreads: number
}

export function parseBenchArgs(argv: string[]): BenchArgs {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag)
    if (i < 0) return undefined
    const v = argv[i + 1]
    if (v === undefined || v.startsWith('--')) throw new Error(`${flag} needs a value`)
    return v
  }
  const positive = (flag: string, fallback: number, integer: boolean): number => {
    const raw = value(flag)
    if (raw === undefined) return fallback
    const v = Number(raw)
    if (!(v > 0) || !Number.isFinite(v) || (integer && !Number.isInteger(v))) throw new Error(`${flag} takes a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(raw)}`)
    return v
  }
  const only = value('--only') ?? null
  if (only === '') throw new Error('--only takes a non-empty name, got ""')
  return {
    json: argv.includes('--json'),
    reps: positive('--reps', 7, true),
    minMs: positive('--min-ms', 30, false),
    only,
    numpyThreads: positive('--numpy-threads', 1, true),
  }
}

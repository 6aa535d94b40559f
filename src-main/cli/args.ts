/** Command-line parsing with clear errors: each names the flag or value and what is allowed. */
import { parseArgs, type ParseArgsConfig } from 'node:util'

export class UsageError extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'UsageError'
  }
}

export const GLOBAL_OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
} as const satisfies ParseArgsConfig['options']

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(argv: string[], options: O, command: string) {
  try {
    return parseArgs({ args: argv, options: { ...GLOBAL_OPTIONS, ...options }, allowPositionals: true, strict: true })
  } catch (err) {
    const allowed = Object.keys({ ...GLOBAL_OPTIONS, ...options }).map((k) => `--${k}`).join(', ')
    throw new UsageError(`${command}: ${(err as Error).message.replace(/\. To specify.*$/s, '')}; allowed flags: ${allowed}`)
  }
}

/** A non-negative integer flag such as --seed or --workers. */
export function intFlag(name: string, value: string | undefined, min = 0, max = 2 ** 31 - 1): number | undefined {
  if (value === undefined) return undefined
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) {
    throw new UsageError(`--${name} ${JSON.stringify(value)}: expected an integer in [${min}, ${max}]`)
  }
  return Number(value)
}

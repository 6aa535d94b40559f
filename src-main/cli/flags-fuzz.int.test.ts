/**
 * CLI flag fuzzing (fast-check, fixed seed, printed):
 * - in process, 10,000 generated flag values through the CLI's own parsers and validators
 *   (`parse` with a command's flags, `--seed/--workers/--limit/--samples/--port`, `--set`,
 *   `--grid`, `--random`, `--seeds`, `--shard`): each is accepted or rejected with a usage error
 *   naming the flag and what is allowed; nothing else is thrown, nothing hangs;
 * - 30 generated invocations as real processes of the built CLI: exit 2 with `descent: ` and the
 *   flag named on stderr, no run stored.
 * (The whole `main` is not called in process: its module starts the CLI when imported.)
 */
import { existsSync } from 'node:fs'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { runCli, tempDb } from '../testing/host'
import { SweepSpecError, parseGridArg, parseRandomArg, parseSeeds, parseShard } from '../workbench/sweep'
import { intFlag, parse, UsageError } from './args'
import { parseSets } from './commands'

process.env.DESCENT_PROBE_STUDY = '1'
const { getStudy } = await import('../studies/registry')
const probe = getStudy('probe').manifest.params

const SEED = 8_2026
const junk = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'grapheme', maxLength: 20 }),
  fc.constantFrom('', ' ', '-1', '1e309', 'NaN', 'Infinity', '0x10', '1.5', '١٢', '9'.repeat(400), '--', '=', 'rho=', '=1', 'rho==1', 'T=1e3', '1..', '..3', '3..1', '0/0', '1/0', '2/1', '\u0000', 'x'.repeat(100_000)),
  fc.integer({ min: -1e12, max: 1e12 }).map(String),
  fc.double().map(String),
)
const param = fc.constantFrom(...Object.keys(probe), 'nope', '', 'ρ', '__proto__', 'constructor')
const assign = fc.tuple(param, junk).map(([k, v]) => `${k}=${v}`)

type Case = { flag: string; value: string }
const cases = fc.oneof(
  fc.record({ flag: fc.constantFrom('seed', 'workers', 'limit', 'samples', 'port'), value: junk }),
  fc.record({ flag: fc.constant('set'), value: fc.oneof(assign, junk) }),
  fc.record({ flag: fc.constant('grid'), value: fc.oneof(fc.tuple(param, fc.array(junk, { maxLength: 4 })).map(([k, v]) => `${k}=${v.join(',')}`), junk) }),
  fc.record({ flag: fc.constant('random'), value: fc.oneof(fc.tuple(param, junk, junk, fc.constantFrom('', ':log', ':lin')).map(([k, a, b, l]) => `${k}=${a}:${b}${l}`), junk) }),
  fc.record({ flag: fc.constantFrom('seeds', 'shard'), value: junk }),
  fc.record({ flag: fc.constant('argv'), value: fc.array(fc.oneof(junk, fc.constantFrom('--seed', '--nope', '--json', '--db', '-h', '--set', '--=x', '---x')), { maxLength: 6 }).map((a) => JSON.stringify(a)) }),
)

const RUN_FLAGS = { set: { type: 'string', multiple: true }, seed: { type: 'string' }, project: { type: 'string' }, workers: { type: 'string' } } as const

/** Apply one case the way the CLI does; returns the rejection message, or null when accepted. */
function apply(c: Case): string | null {
  try {
    switch (c.flag) {
      case 'seed':
        intFlag('seed', c.value)
        break
      case 'workers':
        intFlag('workers', c.value, 1, 256)
        break
      case 'limit':
        intFlag('limit', c.value, 1, 1000)
        break
      case 'samples':
        intFlag('samples', c.value, 1, 100_000)
        break
      case 'port':
        intFlag('port', c.value, 0, 65535)
        break
      case 'set':
        parseSets('probe', [c.value])
        break
      case 'grid':
        parseGridArg(probe, c.value)
        break
      case 'random':
        parseRandomArg(probe, c.value)
        break
      case 'seeds':
        parseSeeds(c.value)
        break
      case 'shard':
        parseShard(c.value)
        break
      case 'argv':
        parse(JSON.parse(c.value) as string[], RUN_FLAGS, 'run')
        break
    }
    return null
  } catch (err) {
    if (!(err instanceof UsageError || err instanceof SweepSpecError)) throw err
    return err.message
  }
}

describe('CLI flag fuzzing', () => {
  it('10,000 generated flag values: each accepted, or rejected naming the flag and what is allowed', () => {
    let rejected = 0
    const started = performance.now()
    fc.assert(
      fc.property(cases, (c) => {
        const t0 = performance.now()
        const message = apply(c)
        expect(performance.now() - t0).toBeLessThan(2000) // no hang (generous: 4x load)
        if (message === null) return
        rejected++
        const named = c.flag === 'argv' ? /^run: .*(allowed flags: --db|Unknown option|argument missing|positional)/s : new RegExp(`--${c.flag}\\b|param "|unknown param`)
        expect(message).toMatch(named)
        expect(message).toMatch(/allowed|expected|must|unknown|at most|only|choices|Unknown option|argument missing|minimum|maximum|not a valid/i)
      }),
      { seed: SEED, numRuns: 10_000 },
    )
    console.log(`CLI flag fuzz (seed ${SEED}): 10,000 cases, ${rejected} rejected with a message naming the flag, in ${((performance.now() - started) / 1000).toFixed(1)} s`)
  })

  it('30 generated invocations as real processes: exit 2, the flag named, no run stored', { timeout: 240_000 }, async () => {
    // argv cannot carry NUL bytes (the OS refuses them before the CLI sees them)
    const argJunk = junk.filter((v) => v.length < 1000 && !v.includes('\u0000'))
    const bad = fc.sample(
      fc.oneof(
        fc.tuple(argJunk.filter((v) => !/^\d+$/.test(v))).map(([v]) => ['run', 'probe', '--seed', v]),
        fc.tuple(argJunk).map(([v]) => ['run', 'probe', '--set', `rho=${v}x`]),
        fc.tuple(argJunk).map(([v]) => ['sweep', 'probe', '--seeds', `${v}..x`, '--grid', 'T=5']),
        fc.constantFrom(['run', 'probe', '--nope'], ['runs', '--limit', '0'], ['sweep', 'probe', '--shard', '3/2', '--grid', 'T=5'], ['run', 'probe', '--set']),
      ),
      { seed: SEED, numRuns: 30 },
    )
    for (let i = 0; i < bad.length; i += 3) {
      await Promise.all(
        bad.slice(i, i + 3).map(async (args) => {
          const db = tempDb()
          const r = await runCli([...args, '--db', db])
          expect(r.code, `${JSON.stringify(args)}: ${r.stderr}`).toBe(2)
          expect(r.stderr).toMatch(/^descent: /)
          expect(r.stderr).toMatch(/--(seed|set|seeds|nope|limit|shard)|param "rho"|allowed flags/)
          expect(r.stderr).not.toMatch(/\n\s+at /) // no stack trace: a handled rejection
          // flags are checked before the run database is opened: a rejected call leaves no file
          expect(existsSync(db), `${JSON.stringify(args)} created ${db}`).toBe(false)
        }),
      )
    }
  })
})

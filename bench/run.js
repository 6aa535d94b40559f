#!/usr/bin/env node
// npm run bench: performance figures (kept out of the timed test suite). Results print and are
// appended to test-results/bench.json.
//   npm run bench [-- --json] [-- --reps N]
// Runs, in sequence: the vitest perf benches, the numeric kernels vs numpy (bench/numeric.mjs)
// and the study solver steps vs numpy (bench/studies/run.mjs); arguments after -- pass through to
// the last two. With --json, stdout is ONE JSON array [{name, descentMs, numpyMs, ratio}] merging
// the rows of both scripts; every human-readable table (vitest's included) goes to stderr.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const args = process.argv.slice(2)
const json = args.includes('--json')
const script = (rel) => new URL(rel, import.meta.url).pathname
const steps = [{ cmd: 'npx', args: ['vitest', 'run', '--project', 'bench'], rows: false }]
for (const rel of ['./numeric.mjs', './studies/run.mjs']) {
  if (existsSync(script(rel))) steps.push({ cmd: 'node', args: [script(rel), ...args], rows: true })
}

/** The JSON array a --json script printed: its last stdout line that parses as an array. */
function rowsFrom(stdout, label) {
  const lines = stdout.split('\n').map((l) => l.trim()).filter((l) => l.startsWith('['))
  for (let i = lines.length - 1; i >= 0; i--) {
    try {
      const rows = JSON.parse(lines[i])
      if (Array.isArray(rows)) return rows
    } catch {
      // not the JSON line; keep looking
    }
  }
  process.stderr.write(`bench: ${label} printed no JSON array\n`)
  return null
}

let failed = 0
const merged = []
for (const step of steps) {
  const label = [step.cmd, ...step.args.map((a) => a.replace(/^.*\/bench\//, 'bench/'))].join(' ')
  if (!json) {
    const r = spawnSync(step.cmd, step.args, { stdio: 'inherit' })
    if (r.status !== 0) failed++
    continue
  }
  // --json: tables to stderr; only the scripts' row arrays reach stdout, merged.
  const r = spawnSync(step.cmd, step.args, {
    stdio: ['ignore', step.rows ? 'pipe' : process.stderr.fd, 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 << 20,
  })
  if (r.status !== 0) failed++
  if (step.rows) {
    const rows = rowsFrom(r.stdout ?? '', label)
    if (rows) merged.push(...rows)
    else failed++
  }
}
if (json) process.stdout.write(JSON.stringify(merged) + '\n')
process.exit(failed ? 1 : 0)

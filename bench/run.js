#!/usr/bin/env node
// npm run bench: performance figures (kept out of the timed test suite). Results print and are
// appended to test-results/bench.json.
import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'

const steps = [['npx', ['vitest', 'run', '--project', 'bench']]]
if (existsSync(new URL('./numeric.mjs', import.meta.url))) steps.push(['node', [new URL('./numeric.mjs', import.meta.url).pathname]])
// Study solver steps vs numpy (bench/studies/run.mjs); arguments after -- (e.g. --json) pass through.
if (existsSync(new URL('./studies/run.mjs', import.meta.url))) steps.push(['node', [new URL('./studies/run.mjs', import.meta.url).pathname, ...process.argv.slice(2)]])
let failed = 0
for (const [cmd, args] of steps) {
  const r = spawnSync(cmd, args, { stdio: 'inherit' })
  if (r.status !== 0) failed++
}
process.exit(failed ? 1 : 0)

// Study solver steps against numpy (npm run bench runs it; see bench/studies/bench.ts). Runs the
// TypeScript under Vite's module runner: no build step.
//   node bench/studies/run.mjs [--json] [--reps N] [--min-ms MS] [--only SUBSTRING] [--numpy-threads N]
import { runnerImport } from 'vite'

const { module } = await runnerImport(new URL('./bench.ts', import.meta.url).pathname, { configFile: false, logLevel: 'error' })
try {
  const rows = await module.main(process.argv.slice(2))
  process.exit(rows.some((r) => r.error) ? 1 : 0)
} catch (err) {
  // a malformed flag: say which and what it takes, without a stack
  console.error(`bench/studies: ${err instanceof Error ? err.message : err}`)
  process.exit(2)
}

// Runs the numeric benchmark (or, with --accuracy, the accuracy table) under Vite's module
// runner: TypeScript without a build step.
//   node bench/numeric.mjs [--json] [--reps N] [--only NAME] [--mlmatrix] [--numpy-threads N]
//   node bench/numeric.mjs --accuracy
import { runnerImport } from 'vite'

const args = process.argv.slice(2)
const file = args.includes('--accuracy') ? './numeric.accuracy.ts' : './numeric.bench.ts'
const { module } = await runnerImport(new URL(file, import.meta.url).pathname, { configFile: false, logLevel: 'error' })
try {
  await module.main(args)
} catch (err) {
  // a malformed flag: say which and what it takes, without a stack
  console.error(`bench/numeric: ${err instanceof Error ? err.message : err}`)
  process.exit(2)
}

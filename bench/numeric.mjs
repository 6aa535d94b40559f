// Runs bench/numeric.bench.ts under Vite's module runner (TypeScript without a build step).
//   node bench/numeric.mjs [--json] [--reps N] [--only NAME] [--mlmatrix]
import { runnerImport } from 'vite'

const { module } = await runnerImport(new URL('./numeric.bench.ts', import.meta.url).pathname, { configFile: false, logLevel: 'error' })
await module.main(process.argv.slice(2))

#!/usr/bin/env node
// The `descent` command: runs the built CLI (npm install builds it; `npm run build` rebuilds).
import { existsSync } from 'node:fs'
import { resolve } from 'node:path'
import { pathToFileURL } from 'node:url'

// DESCENT_OUT: the build folder when it is not out/ (see electron.vite.config.ts)
const cli = process.env.DESCENT_OUT
  ? pathToFileURL(resolve(process.env.DESCENT_OUT, 'main', 'cli.js'))
  : new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('descent: not built yet; run `npm run build` in the Descent folder\n')
  process.exit(1)
}
await import(cli.href)

#!/usr/bin/env node
// The `descent` command: runs the built CLI (npm install builds it; `npm run build` rebuilds).
import { existsSync } from 'node:fs'

const cli = new URL('../out/main/cli.js', import.meta.url)
if (!existsSync(cli)) {
  process.stderr.write('descent: not built yet; run `npm run build` in the Descent folder\n')
  process.exit(1)
}
await import(cli.href)

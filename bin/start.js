#!/usr/bin/env node
// `npm start`: the Electron window where Electron's binary is installed; otherwise the same
// workbench served on 127.0.0.1 (printed URL, opened in a Chromium app window if there is one).
import { spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createRequire } from 'node:module'

const require = createRequire(import.meta.url)
const args = process.argv.slice(2)

function electronBinary() {
  try {
    const path = require('electron') // the electron package exports its binary's path
    return typeof path === 'string' && existsSync(path) ? path : null
  } catch {
    return null
  }
}

const electron = electronBinary()
const child = electron
  ? spawn(electron, ['.', ...args], { stdio: 'inherit' })
  : (process.stdout.write('Electron is not installed here; serving the workbench in the browser instead.\n'),
    spawn(process.execPath, [new URL('./descent.js', import.meta.url).pathname, 'serve', '--open', ...args], { stdio: 'inherit' }))
child.on('exit', (code) => process.exit(code ?? 0))
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))

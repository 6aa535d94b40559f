#!/usr/bin/env node
// `npm start`: the Electron window where Electron's binary is installed; otherwise the same
// workbench served on 127.0.0.1 (printed URL, opened in a Chromium app window if there is one).
import { spawn } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { electronBinary } from './electron-path.js'

const args = process.argv.slice(2)
const root = fileURLToPath(new URL('..', import.meta.url))

const electron = electronBinary()
const child = electron
  ? spawn(electron, [root, ...args], { stdio: 'inherit' })
  : (process.stdout.write('Electron is not installed here; serving the workbench in the browser instead.\n'),
    spawn(process.execPath, [fileURLToPath(new URL('./descent.js', import.meta.url)), 'serve', '--open', ...args], { stdio: 'inherit' }))
child.on('exit', (code) => process.exit(code ?? 0))
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig))

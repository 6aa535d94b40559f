// The installed Electron binary, or null. Reads node_modules/electron/path.txt like the
// electron package does, but never triggers its lazy download (which cannot succeed offline).
import { existsSync, readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

export function electronBinary() {
  let dir
  try {
    dir = dirname(createRequire(import.meta.url).resolve('electron/package.json'))
  } catch {
    return null
  }
  const pathFile = join(dir, 'path.txt')
  const name = existsSync(pathFile) ? readFileSync(pathFile, 'utf8').trim() : null
  if (process.env.ELECTRON_OVERRIDE_DIST_PATH) {
    const p = join(process.env.ELECTRON_OVERRIDE_DIST_PATH, name || 'electron')
    return existsSync(p) ? p : null
  }
  if (!name) return null
  const full = join(dir, 'dist', name)
  return existsSync(full) ? full : null
}

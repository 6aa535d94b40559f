/** Where the shared run database lives: the desktop app, the web host and the CLI all use it. */
import { homedir } from 'node:os'
import { join } from 'node:path'

/** The platform's app-data folder for Descent (what Electron's app.getPath('userData') gives). */
export function appDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'Descent')
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'Descent')
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'Descent')
}

/** `--db PATH` wins, then DESCENT_DB, then the default file in the app-data folder. */
export function resolveDbPath(flag?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (flag) return flag
  if (env.DESCENT_DB) return env.DESCENT_DB
  return join(appDataDir(env), 'descent.sqlite')
}

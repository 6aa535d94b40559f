/**
 * The Electron entry: one window on the built renderer, the workbench in this main process,
 * the api map registered on ipcMain (each payload validated by the workbench before use).
 * The only module besides the preload that imports 'electron'.
 */
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { app, BrowserWindow, ipcMain, Menu, session, shell } from 'electron'
import { ApiError, channels } from '../../src-shared/api'
import { resolveDbPath } from '../workbench/paths'
import { Workbench } from '../workbench/workbench'
import { CSP } from '../web/server'

const here = fileURLToPath(new URL('.', import.meta.url))
let workbench: Workbench | null = null

function dbFlag(): string | undefined {
  const i = process.argv.indexOf('--db')
  return i >= 0 ? process.argv[i + 1] : undefined
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    title: 'Descent',
    show: false,
    webPreferences: {
      preload: join(here, '../preload/index.cjs'),
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
    },
  })
  win.once('ready-to-show', () => win.show())
  // Links open in the system browser; the window never navigates away from the app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  void win.loadFile(join(here, '../renderer/index.html'))
  return win
}

async function start(): Promise<void> {
  await app.whenReady()
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  workbench = new Workbench({
    dbPath: resolveDbPath(dbFlag()),
    workerPath: new URL('./worker.js', import.meta.url),
    transport: 'electron',
  })
  for (const channel of channels) {
    ipcMain.handle(channel, async (_event, payload: unknown) => {
      try {
        return { ok: true, output: await workbench!.call(channel, payload) }
      } catch (err) {
        const e = err instanceof ApiError ? err : new ApiError('internal', (err as Error).message)
        return { ok: false, error: e.toPayload() }
      }
    })
  }
  workbench.on((event, payload) => {
    for (const w of BrowserWindow.getAllWindows()) w.webContents.send(`event:${event}`, payload)
  })
  Menu.setApplicationMenu(
    Menu.buildFromTemplate([
      { role: 'fileMenu' },
      { role: 'editMenu' },
      { role: 'viewMenu' },
      { role: 'windowMenu' },
    ]),
  )
  createWindow()
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) createWindow()
  })
}

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit()
})
app.on('will-quit', () => {
  void workbench?.close()
})

void start()

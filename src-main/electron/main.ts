/**
 * The Electron entry: one window on the built renderer, the workbench in this main process,
 * the api map registered on ipcMain (each payload validated by the workbench before use).
 * The only module besides the preload that imports 'electron'.
 */
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { app, BrowserWindow, ipcMain, Menu, session, shell } from 'electron'
import { ApiError, channels } from '../../src-shared/api'
import { resolveDbPath } from '../workbench/paths'
import { Workbench } from '../workbench/workbench'
import { CSP } from '../web/server'

const here = fileURLToPath(new URL('.', import.meta.url))
let workbench: Workbench | null = null

const rendererUrl = pathToFileURL(join(here, '../renderer/index.html')).href

/** An IPC sender is trusted only when it is the top page of the built renderer (file URL). */
function trustedSender(url: string | undefined): boolean {
  if (!url) return false
  try {
    const u = new URL(url)
    return u.protocol === 'file:' && u.host === '' && u.pathname === new URL(rendererUrl).pathname
  } catch {
    return false
  }
}

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
      // a middle click must not open a link in a new window (Electronegativity AUXCLICK_JS_CHECK)
      disableBlinkFeatures: 'Auxclick',
    },
  })
  win.once('ready-to-show', () => win.show())
  // Links open in the system browser; the window never navigates away from the app.
  win.webContents.setWindowOpenHandler(({ url }) => {
    if (/^https:\/\//.test(url)) void shell.openExternal(url)
    return { action: 'deny' }
  })
  win.webContents.on('will-navigate', (e) => e.preventDefault())
  win.webContents.on('will-redirect', (e) => e.preventDefault())
  win.webContents.on('will-attach-webview', (e) => e.preventDefault())
  void win.loadFile(join(here, '../renderer/index.html'))
  return win
}

async function start(): Promise<void> {
  await app.whenReady()
  // the workbench needs no camera, notifications, geolocation...: every permission is denied
  session.defaultSession.setPermissionRequestHandler((_webContents, _permission, callback) => callback(false))
  session.defaultSession.setPermissionCheckHandler(() => false)
  // Exports (runs page, charts) arrive as blob downloads: a save dialog, starting in Downloads
  session.defaultSession.on('will-download', (_event, item) => {
    item.setSaveDialogOptions({ title: 'Save export', defaultPath: join(app.getPath('downloads'), item.getFilename()) })
  })
  session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
    callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [CSP] } })
  })
  workbench = new Workbench({
    dbPath: resolveDbPath(dbFlag()),
    workerPath: new URL('./worker.js', import.meta.url),
    transport: 'electron',
  })
  for (const channel of channels) {
    ipcMain.handle(channel, async (event, payload: unknown) => {
      // only our own page may call: a frame from anywhere else (an injected iframe, a page the
      // window was somehow navigated to) is refused before the payload is looked at
      if (!trustedSender(event.senderFrame?.url)) {
        return { ok: false, error: new ApiError('invalid-input', 'refused: the call did not come from the Descent window').toPayload() }
      }
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

/**
 * The preload: exposes exactly one object, the typed Client built from the api map, as
 * `window.descent`. No other Node or Electron API reaches the page.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron'
import { ApiError, channels, type EventName } from '../../src-shared/api'
import { createClient } from '../../src-shared/client'

const client = createClient({
  async invoke(channel, input) {
    if (!(channels as string[]).includes(channel)) throw new Error(`unknown channel ${channel}`)
    const r = (await ipcRenderer.invoke(channel, input)) as
      | { ok: true; output: unknown }
      | { ok: false; error: { code: ApiError['code']; message: string; issues?: { path: string; message: string }[] } }
    if (r.ok) return r.output
    throw new ApiError(r.error.code, r.error.message, r.error.issues)
  },
  subscribe(event: EventName, handler) {
    const listener = (_e: IpcRendererEvent, payload: unknown): void => handler(payload)
    ipcRenderer.on(`event:${event}`, listener)
    return () => ipcRenderer.removeListener(`event:${event}`, listener)
  },
})

contextBridge.exposeInMainWorld('descent', client)

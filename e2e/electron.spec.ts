/**
 * The Electron shell, where Electron's binary exists (it cannot be downloaded on these machines:
 * there this spec skips, saying so). Checks the window opens on the catalog through the preload's
 * typed client, with Node kept out of the page.
 */
import { _electron as electron } from 'playwright-core'
import { describe, expect, it } from 'vitest'
import { electronBinary } from '../bin/electron-path.js'
import { ROOT, tempDb } from '../src-main/testing/host'

const binary = electronBinary()
if (!binary) console.warn('e2e: the Electron binary is not installed (ELECTRON_SKIP_BINARY_DOWNLOAD); Electron specs skipped')

describe.skipIf(!binary)('the Electron window', () => {
  it('opens the catalog with the typed client and no Node in the page', async () => {
    const app = await electron.launch({ executablePath: binary!, args: [ROOT, '--db', tempDb()], env: { ...process.env, DESCENT_PROBE_STUDY: '1' } })
    try {
      const win = await app.firstWindow()
      await win.getByTestId('catalog-card-probe').waitFor()
      expect(await win.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe('undefined')
      expect(await win.evaluate(() => typeof (window as unknown as { descent: { 'studies:list': unknown } }).descent['studies:list'])).toBe('function')
    } finally {
      await app.close()
    }
  })
})

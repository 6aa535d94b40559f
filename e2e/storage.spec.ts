/**
 * A storage fault seen in the browser (issue 8): with the run database locked by another process,
 * launching a run shows a banner naming the file and the cause; once the lock is released the
 * next launch works and the banner goes away, without a restart.
 */
import Database from 'better-sqlite3'
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startServe, tempDb, type ServeHandle } from '../src-main/testing/host'
import { CHROMIUM, launchChromium } from './browser'

const inCi = process.env.CI === 'true'
const suite = CHROMIUM || inCi ? describe : describe.skip

let db: string
let host: ServeHandle
let browser: Browser
let page: Page

suite('a locked run database in the browser', () => {
  beforeAll(async () => {
    db = tempDb()
    host = await startServe(db)
    browser = await launchChromium()
    page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
  }, 120_000)
  afterAll(async () => {
    await browser?.close()
    await host?.stop()
  })

  it('shows a banner naming the file while it is locked, and clears it once a write succeeds', { timeout: 120_000 }, async () => {
    await page.goto(`${host.url}#/study/probe`)
    await page.getByTestId('launch-form').waitFor()
    await page.getByTestId('param-T').fill('20')
    // another process holds the write lock: the host waits its 5 s busy timeout, then reports
    const holder = new Database(db)
    holder.exec('BEGIN EXCLUSIVE')
    try {
      await page.getByTestId('launch-button').click()
      const banner = page.getByTestId('storage-banner')
      await banner.waitFor({ timeout: 30_000 })
      const text = await page.getByTestId('storage-banner-message').textContent()
      expect(text).toContain(db)
      expect(text).toMatch(/locked/)
    } finally {
      holder.exec('COMMIT')
      holder.close()
    }
    // the form is still there: launch again
    await page.getByTestId('launch-button').click()
    await expect.poll(() => page.getByTestId('storage-banner').count(), { timeout: 30_000 }).toBe(0)
    await page.getByTestId('run-status').waitFor({ timeout: 30_000 })
  })
})

/** Debian's Chromium driven by playwright-core (Playwright's own browser download fails here). */
import { existsSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser } from 'playwright-core'
import { ROOT } from '../src-main/testing/host'

export const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p) => existsSync(p)) ?? null
export const ARTIFACTS = join(ROOT, 'test-results', 'e2e')
mkdirSync(ARTIFACTS, { recursive: true })

export function launchChromium(): Promise<Browser> {
  if (!CHROMIUM) throw new Error('Debian chromium is not installed: apt-get install -y chromium (.ci/run does it)')
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  })
}

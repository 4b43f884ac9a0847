import { existsSync } from 'node:fs'
import type { Context } from 'mocha'
import type { Browser } from 'playwright-core'
import { requireOrSkip } from './requirements.ts'

/** Debian's chromium, or `CHROMIUM_PATH`. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** Skips the suite without a browser (fails it in CI, like every required component). */
export function requireChromiumOrSkip(context: Context): void {
  requireOrSkip(
    context,
    'chromium',
    existsSync(CHROMIUM),
    `no browser at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`,
  )
}

/** Headless chromium through playwright-core, with nothing of its own on the network. */
export async function launchChromium(): Promise<Browser> {
  const { chromium } = await import('playwright-core')
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-quic',
      '--no-first-run',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

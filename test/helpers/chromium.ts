// Debian's Chromium through playwright-core (never a downloaded browser). The install script puts
// it at /usr/bin/chromium; a machine without it fails the browser tests instead of skipping them.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for every browser the tests and benchmarks start. Pages are served on loopback
 * addresses, so the browser has no name to look up: every lookup fails without a query (its
 * sign-in and update services would otherwise ask the host's resolver for Google's names), and
 * its background services are off.
 */
export const CHROMIUM_ARGS = [
  '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-domain-reliability',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.*, EXCLUDE ::1',
];

/** A headless browser with a throwaway profile, closed and removed after the test. */
export async function launchChromium(t: { after: (fn: () => unknown) => void }): Promise<BrowserContext> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: install the system packages (scripts/install-system-packages.sh installs chromium)`);
  const profile = mkdtempSync(join(tmpdir(), 'ewsrv-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_ARGS,
  });
  t.after(async () => {
    await context.close();
    rmSync(profile, { recursive: true, force: true });
  });
  return context;
}

/**
 * browser.ts — test helpers for the web visualizer: build web-dist/ when missing, serve it, and drive
 * Debian's Chromium (/usr/bin/chromium) with playwright-core (never a downloaded browser).
 * Exports `ensureWebBuilt`, `launchChromium`, `CHROMIUM`, `ARTIFACTS`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext } from 'playwright-core';

/** The system Chromium the tests drive. */
export const CHROMIUM = process.env.HEAPKIT_CHROMIUM ?? '/usr/bin/chromium';
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
/** Screenshots go here (gitignored). */
export const ARTIFACTS = join(ROOT, 'test-artifacts');

/** Builds web-dist/ with Vite when it is missing (or when HEAPKIT_REBUILD_WEB is set). */
export function ensureWebBuilt(): string {
  const dist = join(ROOT, 'web-dist');
  if (!existsSync(join(dist, 'index.html')) || process.env.HEAPKIT_REBUILD_WEB) {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/vite/bin/vite.js'), 'build', '--config', join(ROOT, 'vite.config.ts')], {
      cwd: ROOT,
      stdio: 'inherit',
    });
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  return dist;
}

/** Launches headless Chromium with a fresh profile (user-data-dir) and no network services of its own. */
export async function launchChromium(): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'heapkit-chromium-'));
  return chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
    viewport: { width: 1440, height: 900 },
  });
}

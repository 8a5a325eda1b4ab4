/**
 * browser.ts — test helpers for the web visualizer: build web-dist/ when missing, serve it, and drive
 * Debian's Chromium (/usr/bin/chromium) with playwright-core (never a downloaded browser).
 * Exports `ensureWebBuilt`, `launchChromium`, `uiSession`, `CHROMIUM`, `ARTIFACTS`.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { startUiServer, type UiServer } from '../../src/cli/commands/ui.js';

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

/** One test file's server and browser: started in `before`, closed in `after`. */
export interface UiSession {
  /** `false`, or why the browser tests are skipped (no Chromium installed). */
  readonly skip: false | string;
  readonly server: UiServer;
  readonly browser: BrowserContext;
  /** Opens the app at `query`, waits until it has drawn, and fails on any page error. */
  open(query?: string): Promise<Page>;
}

/** Registers the before/after hooks of a browser test file and returns its session. */
export function uiSession(): UiSession {
  const hasChromium = existsSync(CHROMIUM);
  const session = {
    skip: hasChromium ? (false as const) : `no browser at ${CHROMIUM} (apt-get install chromium)`,
    server: undefined as unknown as UiServer,
    browser: undefined as unknown as BrowserContext,
    async open(query = ''): Promise<Page> {
      const page = await session.browser.newPage();
      const errors: string[] = [];
      page.on('pageerror', (e) => errors.push(e.message));
      await page.goto(session.server.url + query);
      await page.waitForSelector('body[data-ready="true"]', { timeout: 20_000 });
      assert.deepEqual(errors, []);
      return page;
    },
  };
  before(async () => {
    ensureWebBuilt();
    session.server = await startUiServer({ port: 0 });
    if (hasChromium) session.browser = await launchChromium();
  });
  after(async () => {
    await session.browser?.close();
    await session.server?.close();
  });
  return session;
}

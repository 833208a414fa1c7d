/**
 * Real-browser harness for end-to-end tests: a Vite dev server on a free loopback port and
 * Debian's Chromium driven by playwright-core. Headless with --enable-unsafe-webgpu, Chromium
 * offers a software (SwiftShader) WebGPU adapter on machines without a GPU.
 */
import { existsSync } from 'node:fs';
import { afterAll, beforeAll } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { build, createServer, preview, type PreviewServer, type ViteDevServer } from 'vite';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export function chromiumAvailable(): boolean {
  return existsSync(CHROMIUM_PATH);
}

export async function startApp(): Promise<{ server: ViteDevServer; url: string }> {
  const server = await createServer({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    server: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  await server.listen();
  const address = server.httpServer?.address();
  if (!address || typeof address === 'string') throw new Error('dev server has no address');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

/**
 * The production build served as users get it: `vite build` into `outDir`, then `vite preview`
 * on a free loopback port.
 */
export async function startProductionApp(
  outDir = 'dist',
): Promise<{ server: PreviewServer; url: string }> {
  await build({ configFile: 'vite.config.ts', logLevel: 'error', build: { outDir } });
  const server = await preview({
    configFile: 'vite.config.ts',
    logLevel: 'error',
    build: { outDir },
    preview: { host: '127.0.0.1', port: 0, strictPort: false },
  });
  const address = server.httpServer.address();
  if (!address || typeof address === 'string') throw new Error('preview server has no address');
  return { server, url: `http://127.0.0.1:${address.port}/` };
}

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--enable-unsafe-webgpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * Collects what `page` logs as an error from now on: console errors, uncaught page errors and
 * Content-Security-Policy violations (logged as console errors by an init script, so register
 * before the first `goto`). The returned array fills as the page runs.
 */
export async function recordPageErrors(page: Page): Promise<string[]> {
  const errors: string[] = [];
  await page.addInitScript({
    content: `document.addEventListener('securitypolicyviolation', (e) =>
      console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI));`,
  });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  return errors;
}

/** Registers beforeAll/afterAll that start `serve()` and one Chromium; returns the live handles. */
function useServedApp(
  serve: () => Promise<{ server: { close(): Promise<void> }; url: string }>,
  timeoutMs: number,
): { readonly url: string; readonly browser: Browser } {
  let server: { close(): Promise<void> } | undefined;
  const app = { url: '', browser: undefined as unknown as Browser };
  beforeAll(async () => {
    if (!chromiumAvailable())
      throw new Error(
        `Chromium not found at ${CHROMIUM_PATH}: \`npm test\` installs Debian's chromium first ` +
          '(node scripts/test-setup.mjs), or set CHROMIUM_PATH to another Chromium',
      );
    let url: string;
    ({ server, url } = await serve());
    app.url = url;
    app.browser = await launchChromium();
  }, timeoutMs);
  afterAll(async () => {
    await app.browser?.close();
    await server?.close();
  });
  return app;
}

/**
 * The usual set-up of an e2e file: the production build (into its own `outDir`, so files running
 * in parallel do not overwrite each other's build) served by `vite preview`, and one Chromium.
 * Registers beforeAll/afterAll; read `app.url` and `app.browser` inside the tests.
 */
export function useProductionApp(outDir: string): {
  readonly url: string;
  readonly browser: Browser;
} {
  return useServedApp(() => startProductionApp(outDir), 300_000);
}

/**
 * The Vite dev server (serves the sources, test pages included) and one Chromium for an e2e file.
 * Registers beforeAll/afterAll; read `app.url` and `app.browser` inside the tests.
 */
export function useDevServer(): { readonly url: string; readonly browser: Browser } {
  return useServedApp(startApp, 120_000);
}

/**
 * `npm run screenshot [-- <out.png>]`: the README's picture (docs/screenshot.png by default) of
 * the Prune view as the app opens, taken as the e2e tests see the app: the production build
 * (`vite build` into dist-e2e-screenshot/, then `vite preview` on a free loopback port) in
 * Debian's headless Chromium (CHROMIUM_PATH for another; `node scripts/test-setup.mjs` installs
 * it). Waits for the view tests/e2e/readme-view.ts describes; writes nothing when the page logged
 * an error (Content-Security-Policy violations included) or a piece never appeared.
 */
import { writeFile } from 'node:fs/promises';
import {
  CHROMIUM_PATH,
  chromiumAvailable,
  launchChromium,
  recordPageErrors,
  startProductionApp,
} from '../tests/e2e/browser';
import { README_VIEW, waitForReadmeView } from '../tests/e2e/readme-view';

async function main(): Promise<void> {
  const out = process.argv[2] ?? 'docs/screenshot.png';
  if (!chromiumAvailable())
    throw new Error(
      `Chromium not found at ${CHROMIUM_PATH}: run \`node scripts/test-setup.mjs\` (installs ` +
        "Debian's chromium) or set CHROMIUM_PATH to another Chromium",
    );
  console.log('building and serving the app (vite build, vite preview)...');
  const { server, url } = await startProductionApp('dist-e2e-screenshot');
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport: README_VIEW.viewport });
    const errors = await recordPageErrors(page);
    console.log(`opening ${url}?${README_VIEW.query} and waiting for the figures and curves...`);
    await page.goto(`${url}?${README_VIEW.query}`);
    await waitForReadmeView(page);
    if (errors.length) throw new Error(`the page logged errors:\n${errors.join('\n')}`);
    await writeFile(out, await page.screenshot({ fullPage: false }));
    console.log(`wrote ${out}`);
  } finally {
    await browser.close();
    await server.close();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});

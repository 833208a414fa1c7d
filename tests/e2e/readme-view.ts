/**
 * The view the README's screenshot shows: the Prune view as a new user opens it (the default
 * model on the shipped anomaly end-to-end path at 90%, on WASM). Shared by the e2e test that
 * checks it renders (tests/e2e/dashboard.test.ts) and `npm run screenshot`
 * (scripts/screenshot.ts), which takes the picture. Playwright's own waits, no vitest: the script
 * runs outside the test runner.
 */
import type { Page } from 'playwright-core';

/** The page's query and viewport. */
export const README_VIEW = {
  query: 'backend=wasm&evalN=500',
  viewport: { width: 1280, height: 900 },
} as const;

/**
 * Waits until `page` (opened at README_VIEW.query) shows the path's 90% checkpoint, the clean,
 * robust and transfer figures ready and the accuracy-sparsity curves (they arrive after the
 * slider has been still for a moment), then lets the charts' animation settle.
 * @throws playwright's TimeoutError when a piece does not appear in time
 */
export async function waitForReadmeView(page: Page): Promise<void> {
  await page
    .getByTestId('path-position')
    .filter({ hasText: /checkpoint at 90/ })
    .waitFor({ timeout: 120_000 });
  for (const id of ['clean-accuracy', 'robust-accuracy', 'transfer-accuracy'])
    await page.locator(`[data-testid="${id}"][data-state="ready"]`).waitFor({ timeout: 240_000 });
  // a third curve in the chart (a locator: the page's Content-Security-Policy allows no eval)
  await page
    .locator('.recharts-line-curve')
    .nth(2)
    .waitFor({ state: 'attached', timeout: 180_000 });
  await page.waitForTimeout(1000);
}

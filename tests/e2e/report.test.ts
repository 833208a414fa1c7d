/**
 * The Reports view end to end in Debian's headless Chromium (Vite dev server): open a committed
 * CLI report with the file picker and check its card, evaluation figures, training, pruning and
 * transfer sections against the JSON itself; a corrupt file and a file with a bad field raise
 * the alert naming the file while the open report stays; a second report dropped anywhere on the
 * view adds the compare chart; a sweep report built from two real reports shows its summary
 * (mean ± std computed here) and opens a cell as a single report. The project's own merged study
 * reports (docs/experiments/*.sweep.json, bundled) are listed on the tab and open with one click.
 */
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { ExperimentReport } from '@/engine/experiment/report';
import { useDevServer } from './browser';
import { sweepOf } from '../ui/report-fixtures';

const RESULTS = path.resolve('docs/results');
const STUDIES = path.resolve('docs/experiments');
const FULL = 'fmnist-transfer-standard.report.json'; // training, pruning at 3 sparsities, transfer
const SECOND = 'fmnist-pgd-at.report.json';

const app = useDevServer();
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'advprune-report-e2e-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

const load = async (file: string) =>
  JSON.parse(await readFile(path.join(RESULTS, file), 'utf8')) as ExperimentReport;
const pct = (v: number) => `${(v * 100).toFixed(1)}%`;

/** Text of the cells of row `row` (a data-row value) in the card's evaluation table. */
async function evalRow(page: Page, card: number, row: string): Promise<string[]> {
  return page
    .getByTestId('report-card')
    .nth(card)
    .getByTestId('report-eval-table')
    .locator(`tr[data-row="${row}"] td`)
    .allTextContents();
}

describe('Reports view (Chromium)', () => {
  it('opens CLI reports and sweeps, refuses bad files, compares runs', async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${app.url}?backend=wasm&tab=reports`);
    await expect
      .poll(() => page.getByRole('tab', { name: 'Reports' }).getAttribute('aria-selected'), {
        timeout: 60_000,
      })
      .toBe('true');
    const input = page.getByTestId('report-file-input');
    await expect.poll(() => input.count(), { timeout: 60_000 }).toBe(1);
    expect(await page.getByText('Open report').count()).toBe(1);

    // 1. a committed CLI report: header, evaluation, training, pruning, transfer
    const full = await load(FULL);
    await input.setInputFiles(path.join(RESULTS, FULL));
    const cards = page.getByTestId('report-card');
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(1);
    const card = cards.first();
    expect(await card.locator('h2').textContent()).toContain(full.name);
    const meta = (await card.locator('.report-meta').textContent()) ?? '';
    expect(meta).toContain(full.environment.backend.name);
    expect(meta).toContain(full.model.architecture);
    expect(meta).toContain(`${full.data.train} train`);
    expect((await evalRow(page, 0, 'clean'))[2]).toBe(pct(full.evaluation.cleanAccuracy));
    for (const a of full.evaluation.attacks) {
      const cells = await evalRow(page, 0, a.name);
      expect(cells[2]).toBe(pct(a.robustAccuracy));
      expect(cells[3]).toBe(pct(a.cumulativeAccuracy));
      expect(cells[4]).toBe(String(a.evaluated));
    }
    expect((await evalRow(page, 0, 'worst-case'))[2]).toBe(pct(full.evaluation.worstCaseAccuracy));
    // training: accuracy chart (val clean, val PGD, train clean[, train adversarial]) and loss + lr
    const charts = card.getByTestId('report-training-charts');
    const epochs = full.training?.epochs ?? [];
    expect(epochs.length).toBeGreaterThan(1);
    const trainAdv = epochs.some((e) => e.trainAdvAcc !== null) ? 1 : 0;
    await expect
      .poll(() => charts.locator('.recharts-line').count(), { timeout: 10_000 })
      .toBe(3 + trainAdv + 2);
    // the val PGD curve passes through one point per epoch
    const d =
      (await charts.locator('path.recharts-line-curve[name="val PGD"]').getAttribute('d')) ?? '';
    expect(d.split(/[ML]/).filter((x) => x.trim() !== '')).toHaveLength(epochs.length);
    const prune = card.getByTestId('report-prune-table');
    const pruning = full.pruning ?? [];
    expect(await prune.locator('tbody tr').count()).toBe(pruning.length + 1);
    const v = pruning[pruning.length - 1];
    const vRow = await prune
      .locator(`tr[data-row="${v.method}@${v.sparsity}"] td`)
      .allTextContents();
    expect(vRow).toContain(pct(v.evaluation.worstCaseAccuracy));
    expect(vRow[2]).toBe(pct(v.sparsity));
    // robust and clean per criterion
    const methods = new Set(pruning.map((p) => p.method)).size;
    expect(await card.getByTestId('report-prune-chart').locator('.recharts-line').count()).toBe(
      2 * methods,
    );
    const transfer = card.getByTestId('transfer-table');
    const t = full.transfer;
    if (!t) throw new Error('fixture has no transfer benchmark');
    expect(await transfer.locator('tbody tr').count()).toBe(
      t.base.perAttack.length + t.cells.length,
    );

    // 2. a corrupt file: the alert names it, the open report stays
    const alert = page.getByRole('alert');
    await input.setInputFiles({
      name: 'broken.report.json',
      mimeType: 'application/json',
      buffer: Buffer.from('{"format": "advprune-report", "version": 1, "name": '),
    });
    await expect
      .poll(() => alert.textContent(), { timeout: 10_000 })
      .toContain('broken.report.json');
    expect(await alert.textContent()).toContain('not valid JSON');
    expect(await cards.count()).toBe(1);
    await page.getByRole('button', { name: 'Dismiss error' }).click();
    // a well-formed file with one bad field: its JSON path is named
    const bad = structuredClone(full);
    bad.evaluation.attacks[0].robustAccuracy = 1.7;
    const badPath = path.join(dir, 'bad-field.report.json');
    await writeFile(badPath, JSON.stringify(bad));
    await input.setInputFiles(badPath);
    await expect
      .poll(() => alert.textContent(), { timeout: 10_000 })
      .toContain('bad-field.report.json');
    expect(await alert.textContent()).toContain('evaluation.attacks[0].robustAccuracy');
    expect(await cards.count()).toBe(1);
    await page.getByRole('button', { name: 'Dismiss error' }).click();

    // 3. a second report dropped anywhere on the view: two cards, the compare chart
    const second = await readFile(path.join(RESULTS, SECOND), 'utf8');
    // (the page's DOM types are not in the Node tsconfig: the script is a string, as in
    // dashboard.test.ts; it drops on the view's heading, outside the drop zone)
    await page.evaluate(`(() => {
      const dt = new DataTransfer();
      dt.items.add(new File([${JSON.stringify(second)}], 'dropped.report.json', { type: 'application/json' }));
      const el = document.querySelector('[data-testid="reports-view"] h2');
      el.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    })()`);
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(2);
    const compare = page.getByTestId('report-compare-chart');
    await expect.poll(() => compare.locator('.recharts-line').count(), { timeout: 10_000 }).toBe(2);
    const pgdAt = JSON.parse(second) as ExperimentReport;
    expect((await evalRow(page, 1, 'worst-case'))[2]).toBe(pct(pgdAt.evaluation.worstCaseAccuracy));

    // 4. a sweep over two seeds (two real reports) with one missing cell
    const r0 = await load('fmnist-prune-90.report.json');
    const r1 = await load('fmnist-prune-90-layerwise.report.json');
    const sweep = sweepOf('two-seeds', [r0, r1], 1);
    const sweepPath = path.join(dir, 'sweep.report.json');
    await writeFile(sweepPath, JSON.stringify(sweep));
    await input.setInputFiles(sweepPath);
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(3);
    const sweepCard = cards.nth(2);
    expect(await sweepCard.getAttribute('data-kind')).toBe('sweep');
    expect(await sweepCard.getByTestId('report-missing').textContent()).toContain('cell 2');
    const summary = sweepCard.getByTestId('report-summary-table');
    const rows = summary.locator('tbody tr');
    expect(await rows.count()).toBe(sweep.summary.length);
    // mean ± sample std written out here from the two reports
    const expected = (values: number[]) => {
      const mean = values.reduce((a, b) => a + b, 0) / values.length;
      const std =
        values.length > 1
          ? Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1))
          : 0;
      return `${pct(mean)} ± ${pct(std)}`;
    };
    const checks: [string, string, number[]][] = [
      ['base', 'clean', [r0.evaluation.cleanAccuracy, r1.evaluation.cleanAccuracy]],
      ['base', 'worst-case', [r0.evaluation.worstCaseAccuracy, r1.evaluation.worstCaseAccuracy]],
    ];
    for (const m of ['magnitude', 'anomaly-activation']) {
      const pick = (r: ExperimentReport) =>
        r.pruning?.find((p) => p.method === m)?.evaluation.worstCaseAccuracy;
      const vals = [pick(r0), pick(r1)].filter((x): x is number => x !== undefined);
      const sp = r0.pruning?.find((p) => p.method === m)?.sparsity;
      checks.push([`${m}@${sp}`, 'worst-case', vals]);
    }
    for (const [variant, metric, values] of checks) {
      const row = rows
        .filter({
          has: page.locator('td:nth-child(2)', { hasText: new RegExp(`^${variant}$`) }),
        })
        .filter({ has: page.locator('td:nth-child(3)', { hasText: new RegExp(`^${metric}$`) }) });
      // the table may still be re-rendering (the charts' metric select settles after mount)
      await expect.poll(() => row.count(), { timeout: 10_000 }).toBe(1);
      const cells = await row.locator('td').allTextContents();
      expect(cells[3]).toBe(expected(values));
      expect(cells[4]).toBe(String(values.length));
    }
    // clicking a cell opens its run as a single report
    await sweepCard.getByTestId('report-cells-table').locator('tbody tr').nth(1).click();
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(4);
    const cell = cards.nth(3);
    expect(await cell.getAttribute('data-kind')).toBe('single');
    expect(await cell.locator('h2').textContent()).toContain('sweep.report.json › cell 1');
    expect(await page.getByRole('list', { name: 'Open reports' }).textContent()).toContain(
      'dropped.report.json',
    );
    expect(await cell.getByTestId('report-prune-table').locator('tbody tr').count()).toBe(
      (r1.pruning?.length ?? 0) + 1,
    );

    // 5. a sweep whose runs trained and pruned at several sparsities: its charts
    const trained = sweepOf('trained', [full, pgdAt]);
    const trainedPath = path.join(dir, 'trained-sweep.report.json');
    await writeFile(trainedPath, JSON.stringify(trained));
    await input.setInputFiles(trainedPath);
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(5);
    const metricCard = cards.nth(4).getByTestId('report-sweep-metric');
    await metricCard.getByRole('combobox', { name: 'Metric' }).selectOption('worst-case');
    // x: the variants' sparsity; one line per pruning method
    await expect
      .poll(() => metricCard.locator('.recharts-line').count(), { timeout: 10_000 })
      .toBe(new Set(pruning.map((p) => p.method)).size);
    // the mean validation PGD curve over both runs spans the longer run's epochs
    const curve = cards.nth(4).getByTestId('report-sweep-curves');
    const longest = Math.max(epochs.length, pgdAt.training?.epochs.length ?? 0);
    const dMean = (await curve.locator('path.recharts-line-curve').getAttribute('d')) ?? '';
    expect(dMean.split(/[ML]/).filter((x) => x.trim() !== '')).toHaveLength(longest);

    // remove: the first card goes, the others stay
    await page.getByRole('button', { name: `Remove ${FULL}` }).click();
    await expect.poll(() => cards.count(), { timeout: 10_000 }).toBe(4);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);

  it("lists the project's study reports and opens one with a click", async () => {
    const page = await app.browser.newPage({ viewport: { width: 1280, height: 900 } });
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    await page.goto(`${app.url}?backend=wasm&tab=reports`);
    // every merged study report of docs/experiments, by name, with what it is
    const studies = (await readdir(STUDIES)).filter((f) => f.endsWith('.sweep.json')).sort();
    expect(studies.length).toBeGreaterThanOrEqual(5);
    const list = page.getByTestId('project-reports').locator('ul[data-group="study"]');
    const rows = list.getByTestId('project-report');
    await expect.poll(() => rows.count(), { timeout: 60_000 }).toBe(studies.length);
    expect(await rows.evaluateAll((els) => els.map((e) => e.getAttribute('data-path')))).toEqual(
      studies.map((f) => `docs/experiments/${f}`),
    );
    const file = 'prune.sweep.json';
    const sweep = JSON.parse(await readFile(path.join(STUDIES, file), 'utf8')) as {
      name: string;
      runs: unknown[];
      summary: unknown[];
    };
    const row = list.locator(`li[data-path="docs/experiments/${file}"]`);
    await expect
      .poll(() => row.textContent(), { timeout: 30_000 })
      .toContain(`sweep of ${sweep.runs.length} runs`);
    expect(await row.locator('strong').textContent()).toBe(sweep.name);
    // nothing open yet; one click opens it as a sweep card with its summary table
    const cards = page.getByTestId('report-card');
    expect(await cards.count()).toBe(0);
    await row.getByRole('button', { name: `Open ${file}` }).click();
    await expect.poll(() => cards.count(), { timeout: 30_000 }).toBe(1);
    const card = cards.first();
    expect(await card.getAttribute('data-kind')).toBe('sweep');
    expect(await card.locator('h2').textContent()).toContain(sweep.name);
    await expect
      .poll(() => card.getByTestId('report-summary-table').locator('tbody tr').count(), {
        timeout: 30_000,
      })
      .toBe(sweep.summary.length);
    expect(await page.getByRole('list', { name: 'Open reports' }).textContent()).toContain(file);
    expect(await page.getByRole('alert').count()).toBe(0);
    expect(errors).toEqual([]);
    await page.close();
  }, 120_000);
});

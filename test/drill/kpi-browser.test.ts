import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { KpiReport, renderKpiHtml } from '../../lib/drill/kpi';
import { launchChromium, serveDirectory } from '../helpers/chromium';
import { trackedTempDir } from '../helpers/temp-dirs';

/**
 * The KPI page in Debian's Chromium (the status page test's setup): no console output (its own CSP
 * included), no axe violation. Opened from disk, as an operator opens it (like the drill report); the
 * broken page goes through the status site's server.
 */
const report: KpiReport = {
  recordsDir: 'drill-reports',
  files: { drill: 6, chaos: 2, status: 1, skipped: [] },
  slaObjectivePercent: 99.9,
  scenarios: [
    {
      scenario: 'drill:failover',
      source: 'drill',
      runs: 6,
      passed: 6,
      timeToDetectSeconds: { count: 6, p50: 55, p90: 62, max: 64 },
      timeToRecoverSeconds: { count: 6, p50: 150, p90: 170, max: 171 },
    },
    {
      scenario: 'chaos:primary-down',
      source: 'chaos',
      runs: 2,
      passed: 2,
      timeToDetectSeconds: { count: 2, p50: 70, p90: 70, max: 70 },
      timeToRecoverSeconds: { count: 2, p50: 170, p90: 170, max: 170 },
      warning: 'only 2 samples (fewer than 5): the percentiles say little; run more drills before trusting them',
    },
  ],
  months: [{ month: '2030-01', availabilityPercent: 99.95, daysWithData: 31, slaMet: true, incidents: 1 }],
  incidentsPerMonth: 1,
};
const root = trackedTempDir('wallet-kpi-browser-');
let browser: Browser;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  mkdirSync(path.join(root, 'kpi'), { recursive: true });
  writeFileSync(path.join(root, 'kpi', 'index.html'), renderKpiHtml(report));
  mkdirSync(path.join(root, 'broken'), { recursive: true });
  writeFileSync(
    path.join(root, 'broken', 'index.html'),
    '<!doctype html><html><body><table><tr><td></td></tr></table><img src="x.png"></body></html>',
  );
  browser = await launchChromium();
  server = await serveDirectory(root);
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(url: string): Promise<{ page: Page; messages: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
  const messages: string[] = [];
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return { page, messages };
}

async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as axe.AxeResults;
  return result.violations.map((v) => v.id);
}

test('the KPI page renders its tables, logs nothing and has no accessibility violation', async () => {
  const { page, messages } = await open(`file://${path.join(root, 'kpi', 'index.html')}`);
  const rows = await page.locator('tbody tr th').allTextContents();
  expect(rows).toEqual(['drill:failover', 'chaos:primary-down', '2030-01']);
  expect(await page.locator('.warn').count()).toBe(1);
  expect(await axeViolations(page)).toEqual([]);
  expect(messages).toEqual([]);
  await page.close();
});

test('fails a page with accessibility problems (the check is not vacuous)', async () => {
  const { page } = await open(`${server.url}/broken/index.html`);
  expect(await axeViolations(page)).toEqual(expect.arrayContaining(['image-alt']));
  await page.close();
});

import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import axe from 'axe-core';
import type { Browser, Page } from 'playwright-core';
import { settingsFromConfig } from '../../lib/drill/settings';
import { pageInfo } from '../../lib/status/cli';
import { renderSite } from '../../lib/status/documents';
import { componentStates } from '../../lib/status/model';
import { EXPECTED_INDICATOR, RENDER_SCENARIOS, scenarioState } from '../../lib/status/scenarios';
import { launchChromium, serveDirectory } from '../helpers/chromium';
import { testConfig } from '../helpers/config';
import { trackedTempDir } from '../helpers/temp-dirs';

/**
 * Each rendering opened in Debian's Chromium (playwright-core), served with the CloudFront headers:
 * the component states on the page are the model's, nothing is logged to the console (CSP
 * violations included), axe-core finds no violation, and at phone width nothing scrolls sideways.
 */
const config = testConfig();
const root = trackedTempDir('wallet-status-browser-');
let browser: Browser;
let server: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  for (const scenario of RENDER_SCENARIOS) {
    for (const d of renderSite(scenarioState(scenario, pageInfo(config), settingsFromConfig(config)))) {
      const file = path.join(root, scenario, d.path);
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, d.body);
    }
  }
  // A deliberately broken page, to prove the console and axe checks can fail.
  mkdirSync(path.join(root, 'broken'), { recursive: true });
  writeFileSync(
    path.join(root, 'broken', 'index.html'),
    '<!doctype html><html><head><title>x</title></head><body><img src="x.png"><script>console.log("hi")</script></body></html>',
  );
  browser = await launchChromium();
  server = await serveDirectory(root);
});

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

async function open(url: string, width = 1024): Promise<{ page: Page; messages: string[] }> {
  const page = await browser.newPage({ viewport: { width, height: 800 } });
  const messages: string[] = [];
  page.on('console', (m) => messages.push(`${m.type()}: ${m.text()}`));
  page.on('pageerror', (e) => messages.push(`pageerror: ${e.message}`));
  await page.goto(url, { waitUntil: 'load' });
  return { page, messages };
}

/** axe-core evaluated through the DevTools protocol (the page's CSP forbids script tags, rightly). */
async function axeViolations(page: Page): Promise<string[]> {
  await page.evaluate(axe.source);
  const result = (await page.evaluate("axe.run(document, { resultTypes: ['violations'] })")) as axe.AxeResults;
  return result.violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
}

describe.each(RENDER_SCENARIOS)('status page %s', (scenario) => {
  const state = scenarioState(scenario, pageInfo(config), settingsFromConfig(config));

  test('shows every component state of the model, passes axe, fits a phone, logs nothing', async () => {
    const { page, messages } = await open(`${server.url}/${scenario}/index.html`);
    const shown = await page.$$eval('[data-component]', (els) =>
      Object.fromEntries(els.map((e) => [e.getAttribute('data-component'), e.getAttribute('data-state')])),
    );
    expect(shown).toEqual(componentStates(state));
    expect(await page.getAttribute('#overall', 'data-indicator')).toBe(EXPECTED_INDICATOR[scenario]);
    // Every state is also written in words (not colour alone).
    for (const text of await page.$$eval('[data-component] .state', (els) => els.map((e) => e.textContent ?? ''))) {
      expect(text.trim().length).toBeGreaterThan(3);
    }
    expect(await axeViolations(page)).toEqual([]);
    await page.setViewportSize({ width: 360, height: 740 });
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(360);
    // The incident pages (with the postmortem, for `resolved`) pass the same checks.
    if (scenario === 'resolved' || scenario === 'major-outage') {
      const links = await page.$$eval('a[href^="incidents/"]', (els) => [
        ...new Set(els.map((e) => e.getAttribute('href')!)),
      ]);
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) {
        await page.goto(`${server.url}/${scenario}/${link}`, { waitUntil: 'load' });
        expect(await axeViolations(page)).toEqual([]);
        if (scenario === 'resolved') expect(await page.textContent('.postmortem')).toContain('Action items');
      }
    }
    await page.close();
    expect(messages).toEqual([]);
  });
});

test('fails a page that logs, breaks the CSP or has accessibility violations', async () => {
  const { page, messages } = await open(`${server.url}/broken/index.html`);
  const violations = await axeViolations(page);
  await page.close();
  expect(violations.map((v) => v.split(':')[0])).toEqual(expect.arrayContaining(['image-alt', 'html-has-lang']));
  // The inline script is blocked by the CSP, and the block is reported on the console.
  expect(messages.join('\n')).toMatch(/Content Security Policy/);
});

/**
 * Screenshots of the status page for the README (docs/images/status-*.png): renders two scenarios
 * offline and opens them in Debian's Chromium (playwright-core), served with the CloudFront headers.
 *
 *   npx tsx scripts/status-screenshots.ts
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfigFile } from '../lib/config/load';
import { settingsFromConfig } from '../lib/drill/settings';
import { pageInfo } from '../lib/status/cli';
import { renderSite } from '../lib/status/documents';
import { RenderScenario, scenarioState } from '../lib/status/scenarios';
import { launchChromium, serveDirectory } from '../test/helpers/chromium';

const SHOTS: Array<{ scenario: RenderScenario; width: number; file: string }> = [
  { scenario: 'major-outage', width: 390, file: 'status-major-outage-phone.png' },
  { scenario: 'resolved', width: 900, file: 'status-resolved.png' },
];

async function main(): Promise<void> {
  const config = loadConfigFile('config/example.json');
  const dir = mkdtempSync(path.join(tmpdir(), 'status-shots-'));
  const out = path.join(__dirname, '..', 'docs', 'images');
  mkdirSync(out, { recursive: true });
  const browser = await launchChromium();
  const server = await serveDirectory(dir);
  try {
    for (const shot of SHOTS) {
      for (const d of renderSite(scenarioState(shot.scenario, pageInfo(config), settingsFromConfig(config)))) {
        const file = path.join(dir, shot.scenario, d.path);
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, d.body);
      }
      const page = await browser.newPage({ viewport: { width: shot.width, height: 900 } });
      await page.goto(`${server.url}/${shot.scenario}/index.html`);
      await page.screenshot({ path: path.join(out, shot.file), fullPage: false });
      await page.close();
      console.log(`docs/images/${shot.file}`);
    }
  } finally {
    await browser.close();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

void main();

import { runDrill } from '../../lib/drill/drill';
import { DrillRecord } from '../../lib/drill/record';
import { renderHtml, renderJson, renderMarkdown, renderTimelineSvg, verdict } from '../../lib/drill/report';
import { testConfig } from '../helpers/config';
import { simTarget, START } from './helpers';

/** The reports: complete, honest about what was measured, self-contained HTML. */
let completed: DrillRecord;
let aborted: DrillRecord;

beforeAll(async () => {
  const a = simTarget();
  completed = await runDrill({
    target: a,
    config: a.world.config,
    direction: 'failover',
    actor: 't',
    signal: new AbortController().signal,
  });
  // Alias records (60 s TTL): with the example's 5 s CNAME TTL this drill completes before the Ctrl-C.
  const b = simTarget({
    scenario: 'primary-down',
    config: testConfig({ dns: { recordType: 'ALIAS', recordTtlSeconds: undefined } }),
  });
  const ctrlC = new AbortController();
  b.world.at(START + 5_000, () => ctrlC.abort());
  aborted = await runDrill({
    target: b,
    config: b.world.config,
    direction: 'failover',
    actor: 't',
    signal: ctrlC.signal,
  });
});

test('JSON is the record itself', () => {
  expect(JSON.parse(renderJson(completed))).toEqual(JSON.parse(JSON.stringify(completed)));
});

test('Markdown: verdict, every measurement against its target, the timeline and the pre-checks', () => {
  const md = renderMarkdown(completed);
  expect(md).toMatch(/^# Drill failover: example us-east-2 -> us-west-2: PASS/);
  expect(md).toContain(
    `| RTO (switch -> us-west-2 canary served through the public name) | ${completed.measurements.rtoSeconds} s | 300 s | yes |`,
  );
  expect(md).toContain('| Observed RPO (replication lag at the lease handover) | 0 s | 0 s | yes |');
  for (const e of completed.timeline) expect(md).toContain(`| ${e.offsetSeconds} | ${e.at} | ${e.label} |`);
  expect(md).toContain('| Route 53 failover health checks exist | ok |');
  expect(md).toContain('| write | cloudwatch PutMetricDataCommand (us-west-2) | 1 |');
});

test('Markdown of an aborted drill that could not restore carries the manual steps', () => {
  expect(verdict(aborted)).toBe('ABORTED (NOT restored)');
  const md = renderMarkdown(aborted);
  expect(md).toContain('## Restore');
  expect(md).toContain('### Manual steps');
  expect(md).toContain('aws dynamodb update-item --region us-east-2');
});

test('HTML is self-contained: no scripts, no external resources, a restrictive CSP', () => {
  const html = renderHtml(completed);
  expect(html).toContain(
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
  );
  expect(html).not.toMatch(/<script|<link|<iframe|@import|url\(|\ssrc=|\shref=/i);
  // The only URL is the SVG namespace, which loads nothing.
  expect(html.match(/https?:\/\/[^\s"']+/g)).toEqual(['http://www.w3.org/2000/svg']);
});

test('the SVG timeline has a marker per event, a bar per phase and the RTO target line', () => {
  const svg = renderTimelineSvg(completed);
  expect(svg.match(/<circle /g)).toHaveLength(completed.timeline.length);
  for (const label of ['detection (Route 53)', 'DNS cut-over', 'resolver cache + canary', 'RTO target 300 s']) {
    expect(svg).toContain(label);
  }
});

test('text from the environment is escaped', () => {
  const evil: DrillRecord = {
    ...completed,
    message: '<img src=x onerror=alert(1)>',
    timeline: completed.timeline.map((e) => ({ ...e, evidence: '<script>alert(1)</script>' })),
  };
  const html = renderHtml(evil);
  expect(html).not.toContain('<script>alert(1)</script>');
  expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  expect(html).not.toContain('<img src=x');
});

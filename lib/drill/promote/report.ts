import { mkdirSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { Paint } from '../ui';
import { PromotionRecord } from './run';

/** The promote-keys reports: JSON (the record) and Markdown (for the incident or change ticket). */

const VERDICT: Record<PromotionRecord['outcome'], string> = {
  planned: 'DRY RUN',
  refused: 'REFUSED',
  'nothing-to-do': 'NOTHING TO DO',
  promoted: 'PROMOTED',
  failed: 'FAILED',
  'timed-out': 'TIMED OUT',
  interrupted: 'INTERRUPTED',
  cancelled: 'CANCELLED',
};

export const promotionVerdict = (r: PromotionRecord): string => VERDICT[r.outcome];

const cell = (s: string | number | boolean | undefined): string =>
  s === undefined ? '' : String(s).replace(/\|/g, '\\|').replace(/\n/g, ' ');

export function renderPromotionMarkdown(r: PromotionRecord): string {
  const lines = [
    `# Promote keys: ${r.envName} ${r.fromRegion} -> ${r.toRegion}: ${promotionVerdict(r)}`,
    '',
    `${r.message}.`,
    '',
    `- Target: ${r.target}${r.scenario === undefined ? '' : ` (scenario ${r.scenario})`}`,
    `- Caller: ${r.caller ?? 'unknown'}`,
    `- ${r.execute ? 'Executed' : 'Dry run'}; started ${r.startedAt}, finished ${r.finishedAt}`,
    `- Outcome: ${r.outcome} (exit ${r.exitCode})`,
    '',
    '## Keys',
    '',
    '| Key | Alias | Key id | Action | Request | Address before | Address after | Same | New primary after |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...r.keys.map(
      (k) =>
        `| ${cell(k.name)} | ${cell(k.alias)} | ${cell(k.keyId)} | ${cell(k.action)} | ${cell(k.request)} | ${cell(k.addressBefore)} | ${cell(k.addressAfter)} | ${k.sameAddress === undefined ? '' : k.sameAddress ? 'yes' : 'NO'} | ${k.waitSeconds === undefined ? '' : `${k.waitSeconds} s`} |`,
    ),
    '',
    '## Pre-checks',
    '',
    '| Check | Level | Result | Detail | Fix |',
    '| --- | --- | --- | --- | --- |',
    ...r.checks.map(
      (c) => `| ${cell(c.title)} | ${c.level} | ${c.ok ? 'ok' : 'FAILED'} | ${cell(c.detail)} | ${cell(c.fix)} |`,
    ),
  ];
  if (r.plan.length > 0) lines.push('', '## Plan', '', ...r.plan.map((s) => `1. ${s}`));
  if (r.manualSteps.length > 0) lines.push('', '## Manual steps', '', ...r.manualSteps.map((s) => `1. ${s}`));
  lines.push(
    '',
    '## AWS calls',
    '',
    '| # | Service | Region | Command | Kind |',
    '| --- | --- | --- | --- | --- |',
    ...r.calls.map((c, i) => `| ${i + 1} | ${c.service} | ${c.region} | ${c.command} | ${c.kind} |`),
    '',
    'See docs/runbooks/key-recovery.md.',
    '',
  );
  return lines.join('\n');
}

export interface WrittenPromotionReports {
  readonly json: string;
  readonly markdown: string;
}

export function writePromotionReports(r: PromotionRecord, dir: string): WrittenPromotionReports {
  mkdirSync(dir, { recursive: true });
  const base = path.join(dir, r.id);
  const out = { json: `${base}.json`, markdown: `${base}.md` };
  writeFileSync(out.json, `${JSON.stringify(r, null, 2)}\n`);
  writeFileSync(out.markdown, renderPromotionMarkdown(r));
  return out;
}

/** The terminal summary. */
export function formatPromotion(r: PromotionRecord, p: Paint): string {
  const colour = r.passed ? p.green : r.outcome === 'refused' ? p.yellow : p.red;
  const lines = [
    p.bold(`Promote keys ${r.envName}: ${r.fromRegion} -> ${r.toRegion}  ${colour(promotionVerdict(r))}`),
    `${r.message}`,
    '',
    'Pre-checks:',
    ...r.checks.map(
      (c) =>
        `  ${c.ok ? p.green('ok  ') : c.level === 'blocker' ? p.red('FAIL') : p.yellow('warn')} ${c.title}: ${c.detail}${c.fix === undefined || c.ok ? '' : `\n       fix: ${c.fix}`}`,
    ),
    ...(r.keys.length === 0 ? [] : ['', 'Keys:']),
    ...r.keys.map(
      (k) =>
        `  ${k.name.padEnd(8)} ${k.keyId ?? '-'}  ${k.action}${k.request === undefined ? '' : ` / ${k.request}`}` +
        (k.addressBefore === undefined ? '' : `  address ${k.addressBefore}`) +
        (k.addressAfter === undefined
          ? ''
          : ` -> ${k.addressAfter} ${k.sameAddress ? p.green('(same)') : p.red('(CHANGED)')}`),
    ),
  ];
  if (r.plan.length > 0)
    lines.push(
      '',
      r.execute ? 'Requests:' : 'Plan (nothing is changed without --execute):',
      ...r.plan.map((s) => `  - ${s}`),
    );
  if (r.manualSteps.length > 0) lines.push('', p.bold('Manual steps:'), ...r.manualSteps.map((s) => `  - ${s}`));
  return lines.join('\n');
}

import { Command } from 'commander';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import * as path from 'node:path';
import { DrillRecord } from '../record';
import { EXIT } from '../exit-codes';
import { writeReports, WrittenReports } from '../report';
import { formatRecord } from '../ui';
import { Cli, CommonOptions, RecordError } from './context';
import { addCommon } from './options';

/** `wallet-drill report [file]`: re-render a drill record, optionally publish its KPI metrics. */
export function registerReport(program: Command, cli: Cli): void {
  const { io, context, loadConfig, makeTarget, guarded } = cli;
  addCommon(program.command('report'))
    .argument('[file]', 'a drill record (.json); default: the newest in --report-dir')
    .option('--report-dir <dir>', 'where drill records are', 'drill-reports')
    .option(
      '--publish',
      "publish the record's measurements as CloudWatch metrics (once per drill, or the KPI series double-counts)",
    )
    .description(
      'render a drill record as Markdown and HTML (timeline chart), print its summary, optionally publish its KPI metrics',
    )
    .addHelpText(
      'after',
      '\nExamples:\n  wallet-drill report\n  wallet-drill report drill-reports/example-failover-2030-01-01T12-00-00-000Z.json --json',
    )
    .action(
      guarded(async (file: string | undefined, opts: CommonOptions & { reportDir: string; publish?: boolean }) => {
        const { p, out } = context(opts);
        const chosen =
          file === undefined ? newestRecord(path.resolve(io.cwd, opts.reportDir)) : path.resolve(io.cwd, file);
        const record = readRecord(chosen);
        const reports: WrittenReports = writeReports(record, path.dirname(chosen));
        let published = false;
        if (opts.publish) {
          const config = loadConfig(opts);
          const target = makeTarget(opts, config, record.direction === 'failback' ? 'standby' : 'primary');
          await target.publishDrillMetrics(record.direction, {
            measuredRtoSeconds: record.measurements.rtoSeconds,
            detectionSeconds: record.measurements.detectionSeconds,
            dnsCutoverSeconds: record.measurements.dnsCutoverSeconds,
            observedRpoSeconds: record.measurements.observedRpoSeconds,
            passed: record.passed,
          });
          published = true;
        }
        if (opts.json)
          out(
            JSON.stringify(
              {
                command: 'report',
                id: record.id,
                verdict: record.passed,
                outcome: record.outcome,
                measurements: record.measurements,
                timeline: record.timeline,
                reports,
                published,
              },
              null,
              2,
            ),
          );
        else
          out(
            `${formatRecord(record, p)}\n${p.dim(`Reports: ${reports.markdown}\n         ${reports.html}`)}${published ? '\nKPI metrics published.' : ''}`,
          );
        return EXIT.ok;
      }) as never,
    );
}

function newestRecord(dir: string): string {
  if (!existsSync(dir)) {
    throw new RecordError(
      `no drill records: ${dir} does not exist. Run a drill first, or pass a record file or --report-dir.`,
    );
  }
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f))
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs);
  if (files.length === 0) {
    throw new RecordError(`no drill records (*.json) in ${dir}. Run a drill first, or pass a record file.`);
  }
  return files[0];
}

function readRecord(file: string): DrillRecord {
  if (!existsSync(file)) throw new RecordError(`${file} does not exist; pass the path of a drill record (.json).`);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RecordError(
      `${file} is not valid JSON (${(e as Error).message}); pass a drill record written by wallet-drill.`,
    );
  }
  const r = raw as Partial<DrillRecord>;
  const missing = ['schemaVersion', 'tool', 'direction', 'timeline', 'measurements', 'checks'].filter(
    (k) => (r as Record<string, unknown>)[k] === undefined,
  );
  if (r.tool !== 'wallet-drill' || r.schemaVersion !== 1 || missing.length > 0) {
    throw new RecordError(
      `${file} is not a wallet-drill record (tool ${JSON.stringify(r.tool)}, schemaVersion ${JSON.stringify(r.schemaVersion)}${missing.length > 0 ? `, missing ${missing.join(', ')}` : ''}); pass a .json written by failover/failback --execute.`,
    );
  }
  return raw as DrillRecord;
}

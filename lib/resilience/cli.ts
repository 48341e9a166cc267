import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import * as path from 'node:path';
import { AssemblyError, groupByEnvironment, readAssembly } from './assembly';
import { DEFAULT_PRICES_FILE, loadPriceBook, PriceFileError } from './prices';
import { renderMarkdown, renderTerminal } from './render';
import { buildReport, ReportInputError, ResilienceReport } from './report';
import { RtoSimulator } from '../failover/rto-simulator';

/**
 * `npm run resilience-report [-- options]`: reads a cloud assembly and prints, per environment,
 * the RTO/RPO budget, coverage and estimated cost; writes `<env>.md` and `<env>.json`.
 */

export const EXIT = {
  ok: 0,
  /** A declared target is not met (or the switch alarm is missing). */
  targetMissed: 1,
  /** Bad arguments or unreadable input (no cdk.out, missing stacks or outputs). */
  usage: 2,
  /** --check: the committed report differs from what the templates give. */
  stale: 3,
} as const;

export const USAGE_TEXT = `Usage: npm run resilience-report -- [options]

Reads the synthesized templates (run \`npm run synth\` first) and reports, per environment:
detection time, DNS cut-over, worst-case and simulated RTO, RPO of the data and backups, backup
and canary coverage, and the estimated monthly cost with every line item and its assumption.

Options:
  --cdk-out <dir>   cloud assembly to read (default: cdk.out)
  --out <dir>       where to write <env>.md and <env>.json (default: <cdk-out>/resilience)
  --json            print the JSON report to stdout (one object; an array if several environments)
  --env <name>      report only this environment
  --runs <n>        Monte Carlo runs per failover path (default: 1000; each run is a full simulated incident)
  --seed <n>        Monte Carlo seed (default: 1): the same seed gives the same figures
  --prices <file>   price file (default: data/prices.json)
  --check <dir>     write nothing; exit 3 if <dir>/<env>.md or .json differ from this run
  -h, --help        this text

Exit codes: 0 every target met; 1 a target is not met (the message names the setting to change);
2 bad usage or missing input; 3 --check found the committed report out of date.`;

export interface Io {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly cwd: string;
}

export interface Deps {
  /**
   * The failover-timing model that gives the p50/p95 figures. bin/resilience-report.ts passes the
   * drill's simulated AWS (lib/drill/resilience-simulator.ts): resilience and drill are siblings, so
   * the wiring lives in bin/.
   */
  readonly simulator: RtoSimulator;
}

interface Args {
  cdkOut: string;
  out?: string;
  json: boolean;
  env?: string;
  runs: number;
  seed: number;
  prices?: string;
  check?: string;
  help: boolean;
}

class UsageError extends Error {}

function parseArgs(argv: readonly string[]): Args {
  const args: Args = { cdkOut: 'cdk.out', json: false, runs: 1_000, seed: 1, help: false };
  const value = (i: number, name: string): string => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith('--')) throw new UsageError(`${name} needs a value`);
    return v;
  };
  const int = (text: string, name: string, min: number): number => {
    const n = Number(text);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`${name} must be a whole number of ${min} or more; received ${JSON.stringify(text)}`);
    return n;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    switch (a) {
      case '--cdk-out':
        args.cdkOut = value(i++, a);
        break;
      case '--out':
        args.out = value(i++, a);
        break;
      case '--json':
        args.json = true;
        break;
      case '--env':
        args.env = value(i++, a);
        break;
      case '--runs':
        args.runs = int(value(i++, a), a, 1);
        break;
      case '--seed':
        args.seed = int(value(i++, a), a, 0);
        break;
      case '--prices':
        args.prices = value(i++, a);
        break;
      case '--check':
        args.check = value(i++, a);
        break;
      case '-h':
      case '--help':
        args.help = true;
        break;
      default:
        throw new UsageError(`unknown option ${JSON.stringify(a)}`);
    }
  }
  return args;
}

/** Runs the report; returns the exit code. */
export function main(argv: readonly string[], io: Io, deps: Deps): number {
  let args: Args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    io.stderr(`resilience-report: ${err.message}\n\n${USAGE_TEXT}`);
    return EXIT.usage;
  }
  if (args.help) {
    io.stdout(USAGE_TEXT);
    return EXIT.ok;
  }
  const cdkOut = path.resolve(io.cwd, args.cdkOut);
  let reports: ResilienceReport[];
  try {
    const pricesFile = args.prices === undefined ? DEFAULT_PRICES_FILE : path.resolve(io.cwd, args.prices);
    const prices = loadPriceBook(pricesFile);
    let envs = groupByEnvironment(readAssembly(cdkOut));
    if (args.env !== undefined) {
      const names = envs.map((e) => e.envName);
      envs = envs.filter((e) => e.envName === args.env);
      if (envs.length === 0) {
        throw new ReportInputError(
          `no environment ${JSON.stringify(args.env)} in ${args.cdkOut} (found: ${names.join(', ')}); synthesize it with \`npx cdk synth -c config=${args.env}\``,
        );
      }
    }
    const options = {
      simulator: deps.simulator,
      runs: args.runs,
      seed: args.seed,
      prices,
      pricesLabel: path
        .relative(path.join(__dirname, '..', '..'), pricesFile)
        .split(path.sep)
        .join('/'),
    };
    reports = envs.map((env) => buildReport(env, options));
  } catch (err) {
    if (err instanceof AssemblyError || err instanceof ReportInputError || err instanceof PriceFileError) {
      io.stderr(`resilience-report: ${err.message}`);
      return EXIT.usage;
    }
    throw err;
  }

  const generatedFrom = `\`${args.cdkOut}\``;
  const files = reports.map((r) => ({
    env: r.environment,
    md: renderMarkdown(r, generatedFrom),
    json: `${JSON.stringify(r, null, 2)}\n`,
  }));

  if (args.check !== undefined) {
    const dir = path.resolve(io.cwd, args.check);
    const stale: string[] = [];
    for (const f of files) {
      for (const [ext, text] of [
        ['md', f.md],
        ['json', f.json],
      ] as const) {
        const file = path.join(dir, `${f.env}.${ext}`);
        if (!existsSync(file) || readFileSync(file, 'utf8') !== text) stale.push(path.relative(io.cwd, file));
      }
    }
    if (stale.length > 0) {
      io.stderr(
        `resilience-report: out of date: ${stale.join(', ')}. Run \`npm run resilience-report -- --out ${args.check}\` and commit the result.`,
      );
      return EXIT.stale;
    }
    io.stderr(`resilience-report: ${args.check} is up to date.`);
  } else {
    const outDir = args.out === undefined ? path.join(cdkOut, 'resilience') : path.resolve(io.cwd, args.out);
    mkdirSync(outDir, { recursive: true });
    for (const f of files) {
      writeFileSync(path.join(outDir, `${f.env}.md`), f.md);
      writeFileSync(path.join(outDir, `${f.env}.json`), f.json);
    }
    const where = path.relative(io.cwd, outDir) || '.';
    (args.json ? io.stderr : io.stdout)(
      `resilience-report: wrote ${files.map((f) => `${where}/${f.env}.{md,json}`).join(', ')}`,
    );
  }

  if (args.json) {
    io.stdout(reports.length === 1 ? files[0].json : `${JSON.stringify(reports, null, 2)}\n`);
  } else {
    for (const r of reports) io.stdout(`\n${renderTerminal(r)}\n`);
  }
  const failures = reports.flatMap((r) =>
    r.findings.filter((f) => f.level === 'fail').map((f) => `${r.environment}: ${f.message}`),
  );
  if (failures.length > 0) {
    io.stderr(
      `resilience-report: ${failures.length} target(s) not met:\n${failures.map((f) => `  - ${f}`).join('\n')}`,
    );
    return EXIT.targetMissed;
  }
  return EXIT.ok;
}

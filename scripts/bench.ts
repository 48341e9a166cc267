/**
 * Benchmarks the project keeps (never timed assertions in tests). Each section prints its
 * figures and the whole run is written to bench-results/latest.json.
 *
 *   npm run bench                 # every section
 *   npm run bench -- synth test   # chosen sections
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const ROOT = path.join(__dirname, '..');
type Result = Record<string, number | string>;

function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  execFileSync(cmd, args, {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
  });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const sections: Record<string, () => Result> = {
  /** Cold `cdk synth` of every stack (cdk.out removed first), all validation plugins on. */
  synth: () => {
    const runs: number[] = [];
    for (let i = 0; i < 3; i++) {
      rmSync(path.join(ROOT, 'cdk.out'), { recursive: true, force: true });
      runs.push(wall('npx', ['cdk', 'synth', '--quiet']));
    }
    return {
      coldSynthSecondsMedianOf3: +median(runs).toFixed(2),
      runs: runs.map((r) => r.toFixed(2)).join(', '),
      targetSeconds: 15,
    };
  },
  /** The whole test suite, as `npm test` runs it. */
  test: () => {
    const seconds = wall('npm', ['test', '--silent']);
    return { testSuiteSeconds: +seconds.toFixed(2), targetSeconds: 60 };
  },
};

function main(): void {
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((c) => !(c in sections));
  if (unknown.length > 0) {
    console.error(`bench: unknown section(s) ${unknown.join(', ')}; choose from ${Object.keys(sections).join(', ')}`);
    process.exit(2);
  }
  const results: Record<string, Result> = {};
  for (const name of chosen.length > 0 ? chosen : Object.keys(sections)) {
    process.stdout.write(`bench ${name} ... `);
    results[name] = sections[name]();
    console.log(JSON.stringify(results[name]));
  }
  const out = {
    at: new Date().toISOString(),
    machine: `${os.cpus().length} cores, ${Math.round(os.totalmem() / 2 ** 30)} GiB, node ${process.version}`,
    results,
  };
  mkdirSync(path.join(ROOT, 'bench-results'), { recursive: true });
  writeFileSync(path.join(ROOT, 'bench-results', 'latest.json'), JSON.stringify(out, null, 2) + '\n');
}

main();

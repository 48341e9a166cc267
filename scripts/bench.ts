/**
 * Benchmarks the project keeps (never timed assertions in tests). Each section prints its
 * figures and the whole run is written to bench-results/latest.json.
 *
 *   npm run bench                      # every section
 *   npm run bench -- synth test        # chosen sections
 *   npm run bench -- bundles signing   # the Lambda runtime figures
 *   npm run bench -- validation        # synth cost of every validation plugin
 *   npm run bench -- moto              # moto_server CPU per request, route memo on and off
 */
import { runtimeSpendingPolicy } from '../lib/config/spending';
import {
  CHAIN_FEE_DEFAULTS,
  CHAIN_HEALTH_DEFAULTS,
  CHAIN_SETTINGS_ENV,
  CHAIN_TIMING_DEFAULTS,
} from '../lib/contract/chain-settings';
import { SPENDING_POLICY_ENV } from '../lib/contract/policy';
import { execFileSync } from 'node:child_process';
import { createHash, createPublicKey, generateKeyPairSync, sign as nodeSign } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { serializeTransaction } from 'viem/utils';
import { RUNTIME_ENV } from '../lib/contract/runtime-env';
import { benchMoto } from './bench-moto';
import {
  buildEip1559,
  finishSignature,
  parseDerSignature,
  parseSpkiPublicKey,
  SECP256K1_HALF_N,
  signingDigest,
  TxRequest,
} from '../lambda/shared/signing';

const ROOT = path.join(__dirname, '..');
type Result = Record<string, number | string>;

/** The Lambda entry files (the CDK code bundles exactly these with NodejsFunction). */
const HANDLERS = ['api', 'health', 'signer', 'deploy-hook'] as const;
const BUNDLE_TARGET_KB = 500;
const COLD_INIT_TARGET_MS = 150;

/**
 * The modules NodejsFunction leaves out of the bundle for a Node 18+ runtime (aws-cdk-lib
 * aws-lambda-nodejs/lib/bundling.js): `@aws-sdk/*`, plus `@smithy/*` when the feature flag
 * `@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages` is on (it is in cdk.json). The runtime
 * ships SDK v3. (With a variable runtime such as NODEJS_LATEST it bundles everything instead.)
 */
function nodejsFunctionExternals(): string[] {
  const context = (
    JSON.parse(readFileSync(path.join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }
  ).context;
  return context['@aws-cdk/aws-lambda-nodejs:sdkV3ExcludeSmithyPackages'] === true
    ? ['@aws-sdk/*', '@smithy/*']
    : ['@aws-sdk/*'];
}

/** Environment a handler entry needs to load (values are placeholders; nothing is called at load). */
const BENCH_ENV: Record<string, string> = {
  AWS_REGION: 'us-east-2',
  [RUNTIME_ENV.tableName]: 'bench-wallet-ledger',
  [RUNTIME_ENV.signingQueueUrl]: 'https://sqs.us-east-2.amazonaws.com/111111111111/bench-signing.fifo',
  [RUNTIME_ENV.chainId]: '1',
  [RUNTIME_ENV.signingKeyArn]: 'arn:aws:kms:us-east-2:111111111111:key/mrk-0123456789abcdef0123456789abcdef',
  [RUNTIME_ENV.regionRole]: 'primary',
  [RUNTIME_ENV.consistency]: 'MRSC',
  // The signer's forward target (lambda/signer/forward.ts): without them its init refuses to load.
  [RUNTIME_ENV.peerRegion]: 'us-west-2',
  [RUNTIME_ENV.peerSigningQueueUrl]: 'https://sqs.us-west-2.amazonaws.com/111111111111/bench-signing.fifo',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  // The spending policy (deposit-only when the config has no "spending") and the chain settings of
  // a deployment with providers: the API and the signer parse both at load.
  [SPENDING_POLICY_ENV]: JSON.stringify(runtimeSpendingPolicy(undefined)),
  [CHAIN_SETTINGS_ENV]: JSON.stringify({
    chainId: 1,
    providers: [{ name: 'bench', url: 'https://rpc.example.com' }],
    health: CHAIN_HEALTH_DEFAULTS,
    ...CHAIN_TIMING_DEFAULTS,
    fees: CHAIN_FEE_DEFAULTS,
  }),
  // The signer's pre-traffic hook (lib/contract/deployment.ts DEPLOY_HOOK_ENV).
  WALLET_DEPLOY_TARGET_VERSION_ARN: 'arn:aws:lambda:us-east-2:111111111111:function:bench-wallet-signer:7',
};

/** Milliseconds to run `requires` (a require() expression list) in a fresh node process. */
function freshRequireMs(requires: string): number {
  const script = `const t=process.hrtime.bigint();${requires};process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
  return Number(
    execFileSync(process.execPath, ['-e', script], {
      cwd: ROOT,
      env: { ...process.env, ...BENCH_ENV },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );
}

const BENCH_REQUEST: TxRequest = {
  to: '0x52908400098527886e0f7030069857d2e4169ee7',
  value: '1000000000000000000',
  gasLimit: '21000',
  maxFeePerGas: '30000000000',
  maxPriorityFeePerGas: '1000000000',
  chainId: 1,
};

function wall(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): number {
  const start = process.hrtime.bigint();
  execFileSync(cmd, args, {
    cwd: ROOT,
    stdio: 'pipe',
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: 'true', ...env },
  });
  return Number(process.hrtime.bigint() - start) / 1e9;
}

/**
 * CPU seconds (user + system) of this process's reaped descendants, from /proc/self/stat (cutime
 * and cstime; Linux only, undefined elsewhere). execFileSync waits for its child, and each process
 * waits for its own, so after a run this includes every process the run started.
 */
function childCpuSeconds(): number | undefined {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    // Fields after the command name (which is in parentheses and may contain spaces).
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // cutime and cstime are fields 16 and 17 of the whole line, 14 and 15 after the name.
    const ticks = Number(fields[13]) + Number(fields[14]);
    const hz = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
    return Number.isFinite(ticks) && hz > 0 ? ticks / hz : undefined;
  } catch {
    return undefined;
  }
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

const sections: Record<string, () => Result | Promise<Result>> = {
  /**
   * Cold `cdk synth` of every stack (cdk.out removed first), all validation plugins on: median of 3
   * with tsx's transform cache as a second run leaves it, and median of 3 with that cache off (a
   * fresh machine's first synth).
   */
  synth: () => {
    const cold = (env: NodeJS.ProcessEnv) => {
      const runs: number[] = [];
      for (let i = 0; i < 3; i++) {
        rmSync(path.join(ROOT, 'cdk.out'), { recursive: true, force: true });
        runs.push(wall('npx', ['cdk', 'synth', '--quiet'], env));
      }
      return runs;
    };
    const loadBefore = os.loadavg()[0];
    const warmTsx = cold({});
    const noTsxCache = cold({ TSX_DISABLE_CACHE: '1' });
    return {
      coldSynthSecondsMedianOf3: +median(warmTsx).toFixed(2),
      runs: warmTsx.map((r) => r.toFixed(2)).join(', '),
      noTsxCacheSecondsMedianOf3: +median(noTsxCache).toFixed(2),
      noTsxCacheRuns: noTsxCache.map((r) => r.toFixed(2)).join(', '),
      loadAverageBefore: +loadBefore.toFixed(2),
      targetSeconds: 15,
    };
  },
  /**
   * Each handler bundled as NodejsFunction would (esbuild, minified, node22, cjs, the same externals),
   * its size, and its module load time in a fresh node process (median of 7).
   */
  bundles: () => {
    const externals = nodejsFunctionExternals();
    const out: Result = {
      externals: externals.join(' '),
      targetKb: BUNDLE_TARGET_KB,
      targetColdInitMs: COLD_INIT_TARGET_MS,
    };
    // Under the project root so the externals resolve from node_modules, as from the runtime's SDK.
    const dir = path.join(ROOT, 'bench-results', 'bundles');
    rmSync(dir, { recursive: true, force: true });
    for (const handler of HANDLERS) {
      const outfile = path.join(dir, handler, 'index.js');
      const built = buildSync({
        entryPoints: [path.join(ROOT, 'lambda', handler, 'index.ts')],
        metafile: true,
        bundle: true,
        minify: true,
        platform: 'node',
        target: 'node22',
        format: 'cjs',
        external: externals,
        outfile,
        logLevel: 'warning',
      });
      out[`${handler}Kb`] = +(statSync(outfile).size / 1024).toFixed(1);
      const runs = Array.from({ length: 7 }, () => freshRequireMs(`require(${JSON.stringify(outfile)})`));
      out[`${handler}ColdInitMsMedianOf7`] = +median(runs).toFixed(1);
      // Of which: loading the SDK modules the bundle leaves external (the runtime's own copy on Lambda).
      const sdk = [
        ...new Set(Object.values(built.metafile!.outputs).flatMap((o) => o.imports.filter((i) => i.external))),
      ].map((i) => `require(${JSON.stringify(i.path)})`);
      const sdkRuns = Array.from({ length: 7 }, () => freshRequireMs(sdk.join(';')));
      out[`${handler}SdkOnlyMsMedianOf7`] = +median(sdkRuns).toFixed(1);
    }
    out.nodeVersionMeasuredOn = process.version;
    return out;
  },
  /**
   * The local signing path after KMS, per signature: build the EIP-1559 transaction and its keccak
   * digest, parse the DER signature, normalize to low s, find the recovery id by recovery against
   * the public key, serialize the signed transaction and hash it. Node's crypto stands in for KMS
   * and produces the DER signatures beforehand (not timed). Node cannot sign a pre-hashed digest,
   * so its signatures are over SHA-256(unsigned tx) and recovery runs against that digest: the work
   * is the same as for KMS's signature over the keccak digest.
   */
  signing: async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'secp256k1' });
    const publicKey = parseSpkiPublicKey(createPublicKey(privateKey).export({ format: 'der', type: 'spki' }));
    const count = 400;
    const prepared = Array.from({ length: count }, (_, nonce) => {
      const unsigned = serializeTransaction(buildEip1559(BENCH_REQUEST, nonce));
      const bytes = Buffer.from(unsigned.slice(2), 'hex');
      return {
        nonce,
        der: nodeSign('sha256', bytes, privateKey),
        digest: `0x${createHash('sha256').update(bytes).digest('hex')}` as const,
      };
    });
    // warm-up (JIT, noble's precomputation)
    for (const p of prepared.slice(0, 20))
      await finishSignature(buildEip1559(BENCH_REQUEST, p.nonce), p.digest, p.der, publicKey);
    const start = process.hrtime.bigint();
    for (const p of prepared) {
      const tx = buildEip1559(BENCH_REQUEST, p.nonce);
      signingDigest(tx);
      await finishSignature(tx, p.digest, p.der, publicKey);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return {
      signatures: count,
      signaturesPerSecond: Math.round(count / seconds),
      microsecondsPerSignature: Math.round((seconds / count) * 1e6),
      highSSignaturesNormalized: prepared.filter((p) => parseDerSignature(p.der).s > SECP256K1_HALF_N).length,
    };
  },
  /**
   * What validation costs at synth: the same in-process synth (no bundling) with and without every
   * validation plugin (5 cdk-nag packs, the Wallet pack, cfn-guard). Median of 3 fresh processes.
   */
  validation: () => {
    const run = (mode: 'on' | 'off') =>
      Number(
        execFileSync('npx', ['tsx', 'scripts/bench-validation-run.ts', mode], { cwd: ROOT, encoding: 'utf8' }).trim(),
      );
    const on = median([run('on'), run('on'), run('on')]);
    const off = median([run('off'), run('off'), run('off')]);
    return {
      synthWithValidationMs: on,
      synthWithoutValidationMs: off,
      validationCostMs: on - off,
      fullSynthTargetSeconds: 20,
    };
  },
  /** moto_server's CPU per request, with and without the shim's route memo (scripts/bench-moto.ts). */
  moto: () => benchMoto(),
  /**
   * The whole test suite, as `npm test` runs it: first with an empty jest cache (as on a fresh clone,
   * where the jest transform (esbuild) compiles every file), then again with the cache that run filled.
   */
  test: () => {
    const cacheDirectory = mkdtempSync(path.join(os.tmpdir(), 'wallet-bench-jest-'));
    try {
      const loadBefore = os.loadavg()[0];
      const run = () => {
        const cpuBefore = childCpuSeconds();
        const seconds = wall('npm', ['test', '--silent', '--', `--cacheDirectory=${cacheDirectory}`]);
        const cpuAfter = childCpuSeconds();
        return { seconds, cpu: cpuBefore === undefined || cpuAfter === undefined ? undefined : cpuAfter - cpuBefore };
      };
      const coldCache = run();
      const warmCache = run();
      return {
        testSuiteSecondsColdCache: +coldCache.seconds.toFixed(2),
        testSuiteSecondsWarmCache: +warmCache.seconds.toFixed(2),
        // CPU seconds (user + system) of the run's processes: jest, its workers, moto, EVM nodes and
        // spawned CLIs. Other people's work on the shared cores inflates the wall time far more than
        // this, so compare CPU across runs taken at different loads.
        ...(coldCache.cpu === undefined ? {} : { testSuiteCpuSecondsColdCache: +coldCache.cpu.toFixed(1) }),
        ...(warmCache.cpu === undefined ? {} : { testSuiteCpuSecondsWarmCache: +warmCache.cpu.toFixed(1) }),
        loadAverageBefore: +loadBefore.toFixed(2),
        loadAverageAfter: +os.loadavg()[0].toFixed(2),
        targetSeconds: 60,
      };
    } finally {
      rmSync(cacheDirectory, { recursive: true, force: true });
    }
  },
};

async function main(): Promise<void> {
  const chosen = process.argv.slice(2);
  const unknown = chosen.filter((c) => !(c in sections));
  if (unknown.length > 0) {
    console.error(`bench: unknown section(s) ${unknown.join(', ')}; choose from ${Object.keys(sections).join(', ')}`);
    process.exit(2);
  }
  const results: Record<string, Result> = {};
  for (const name of chosen.length > 0 ? chosen : Object.keys(sections)) {
    process.stdout.write(`bench ${name} ... `);
    results[name] = await sections[name]();
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

void main();

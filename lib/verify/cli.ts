import { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { KMSClient } from '@aws-sdk/client-kms';
import { Route53Client } from '@aws-sdk/client-route-53';
import { SNSClient } from '@aws-sdk/client-sns';
import { STSClient } from '@aws-sdk/client-sts';
import { loadConfigFile, resolveConfigPath } from '../config/load';
import { coldKeyEnabled } from '../config/cold-key';
import { WalletConfig } from '../config/schema';
import { ConfigError } from '../config/validate';
import { publicApiDomain, regionalApiDomain } from '../contract/health';
import { VerifyClients, VerifyContext, VerifyEnvironment } from './checks';
import { formatReport, runVerify } from './run';
import { startSimulatedTls } from './sim/tls-servers';
import { VERIFY_FAULTS, VerifyFault, VerifyWorld } from './sim/world';

/** Exit codes of `npm run verify` (docs/runbooks/verify.md). */
export const VERIFY_EXIT = { ok: 0, checkFailed: 1, usage: 2 } as const;

export interface VerifyIo {
  readonly argv: readonly string[];
  readonly cwd: string;
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
  /** @default real credentials from the standard chain */
  readonly credentials?: () => Promise<unknown>;
}

const USAGE =
  'usage: npm run verify -- [-c <env name or config path>] [--target aws|simulated] [--fault <name>]... [--json]\n' +
  `  faults (simulated only): ${VERIFY_FAULTS.join(', ')}`;

interface Options {
  config?: string;
  target: 'aws' | 'simulated';
  faults: VerifyFault[];
  json: boolean;
}

function parse(argv: readonly string[]): Options | string {
  const o: Options = { target: 'aws', faults: [], json: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined || v.startsWith('--')) throw new Error(`${a} needs a value`);
      return v;
    };
    try {
      if (a === '-c' || a === '--config') o.config = value().replace(/^config=/, '');
      else if (a.startsWith('config=')) o.config = a.slice('config='.length);
      else if (a === '--target') {
        const t = value();
        if (t !== 'aws' && t !== 'simulated') return `--target must be "aws" or "simulated"; received "${t}"`;
        o.target = t;
      } else if (a === '--fault') {
        const f = value();
        if (!(VERIFY_FAULTS as readonly string[]).includes(f))
          return `--fault must be one of ${VERIFY_FAULTS.join(', ')}; received "${f}"`;
        o.faults.push(f as VerifyFault);
      } else if (a === '--json') o.json = true;
      else if (a === '-h' || a === '--help') return 'help';
      else return `unknown argument "${a}"`;
    } catch (e) {
      return (e as Error).message;
    }
  }
  if (o.faults.length > 0 && o.target !== 'simulated')
    return '--fault needs --target simulated (faults are injected into the simulated AWS only)';
  return o;
}

export function environmentOf(config: WalletConfig): VerifyEnvironment {
  return {
    envName: config.envName,
    account: config.account,
    partition: 'aws',
    primary: config.regions.primary,
    standby: config.regions.standby,
    zoneName: config.dns.zoneName,
    apiSubdomain: config.dns.apiSubdomain,
    breakGlassRoleArn: config.security.breakGlassRoleArn,
    minCheckerRegions: 3,
    notificationsEmail: config.notifications.email,
    ...(coldKeyEnabled(config.security.coldKey)
      ? {
          coldKey: {
            maxSessionSeconds: config.security.coldKey.maxSessionSeconds,
            signerPrincipalArns: config.security.coldKey.signerPrincipalArns,
          },
        }
      : {}),
  };
}

function awsClients(): VerifyClients {
  const cache = new Map<string, unknown>();
  const per =
    <T>(ctor: new (c: { region: string }) => T, name: string) =>
    (region: string): T => {
      const k = `${name}:${region}`;
      if (!cache.has(k)) cache.set(k, new ctor({ region }));
      return cache.get(k) as T;
    };
  return {
    kms: per(KMSClient, 'kms'),
    cloudwatch: per(CloudWatchClient, 'cw'),
    sns: per(SNSClient, 'sns'),
    dynamodb: per(DynamoDBClient, 'ddb'),
    route53: new Route53Client({ region: 'us-east-1' }),
  };
}

/** The whole command; returns the exit code. Never throws for a user error. */
export async function verifyMain(io: VerifyIo): Promise<number> {
  const o = parse(io.argv);
  if (o === 'help') {
    io.out(USAGE);
    return VERIFY_EXIT.ok;
  }
  if (typeof o === 'string') {
    io.err(`wallet verify: ${o}\n${USAGE}`);
    return VERIFY_EXIT.usage;
  }
  let config: WalletConfig;
  try {
    config = loadConfigFile(resolveConfigPath(o.config, io.cwd));
  } catch (err) {
    if (err instanceof ConfigError) {
      io.err(
        `wallet verify: ${err.message}\npass -c <name> for config/<name>.json (e.g. -c example), or -c <path to a config .json>`,
      );
      return VERIFY_EXIT.usage;
    }
    throw err;
  }
  const env = environmentOf(config);
  const now = new Date();
  let close = async () => undefined as void;
  let ctx: VerifyContext;
  if (o.target === 'simulated') {
    const world = new VerifyWorld(env, new Set(o.faults), now);
    const hosts = [
      publicApiDomain(env.apiSubdomain, env.zoneName),
      ...[env.primary, env.standby].map((r) => regionalApiDomain(r, env.apiSubdomain, env.zoneName)),
    ];
    let sim;
    try {
      sim = await startSimulatedTls(hosts, o.faults.includes('tls10-accepted') ? [hosts[0]] : []);
    } catch (err) {
      io.err(`wallet verify: ${(err as Error).message}`);
      return VERIFY_EXIT.usage;
    }
    close = sim.close;
    ctx = { env, clients: world.clients(), tlsEndpoint: sim.endpoint, now };
  } else {
    try {
      await (io.credentials ?? (() => new STSClient({ region: env.primary }).config.credentials()))();
    } catch (err) {
      io.err(
        `wallet verify: no AWS credentials for account ${env.account} (${(err as Error).message}). Set AWS_PROFILE (or ` +
          'AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) for a read-only role of that account: kms:DescribeKey, ' +
          'kms:GetKeyRotationStatus, kms:GetKeyPolicy, kms:GetPublicKey, kms:ListGrants (the cold key), route53:ListHealthChecks, ' +
          'route53:GetHealthCheckStatus, cloudwatch:GetMetricData, sns:ListTopics, sns:ListSubscriptionsByTopic, ' +
          'dynamodb:DescribeContinuousBackups. Or run offline with --target simulated.',
      );
      return VERIFY_EXIT.usage;
    }
    ctx = {
      env,
      clients: awsClients(),
      tlsEndpoint: (host) => ({ host, connectTo: host, port: 443, verifyCertificate: true }),
      now,
    };
  }
  try {
    const report = await runVerify(ctx, o.target);
    io.out(o.json ? JSON.stringify(report, null, 2) : formatReport(report));
    return report.ok ? VERIFY_EXIT.ok : VERIFY_EXIT.checkFailed;
  } finally {
    await close();
  }
}

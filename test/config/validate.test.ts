import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfigFile, resolveConfigPath } from '../../lib/config/load';
import { ConfigError, validateConfig } from '../../lib/config/validate';
import { EXAMPLE_CONFIG_PATH, rawConfig } from '../helpers/config';

function problemsOf(raw: unknown): ConfigError['problems'] {
  try {
    validateConfig(raw, 'test.json');
  } catch (err) {
    if (err instanceof ConfigError) return err.problems;
    throw err;
  }
  throw new Error('expected the config to be rejected, but it was accepted');
}

describe('config validation', () => {
  test('the example config is valid and gets the safe consistency default', () => {
    // Prepare
    const raw = rawConfig({ data: undefined });
    // Act
    const config = validateConfig(raw);
    // Assess
    expect(config.data.consistency).toBe('MRSC');
    expect(config.regions).toEqual({ primary: 'us-east-2', standby: 'us-west-2', witness: 'us-east-1' });
  });

  test.each([
    ['account is not 12 digits', { account: '12345' }, 'account', 'must be exactly 12 digits', '"12345"'],
    ['account is a number', { account: 111111111111 }, 'account', 'must be a string', '111111111111'],
    ['envName has capitals', { envName: 'Prod' }, 'envName', 'lower-case', '"Prod"'],
    [
      'a region code is malformed',
      { regions: { primary: 'ohio' } },
      'regions.primary',
      'not an AWS region code',
      '"ohio"',
    ],
    ['zone id format', { dns: { zoneId: 'zone-1' } }, 'dns.zoneId', 'not a Route 53 hosted zone id', '"zone-1"'],
    [
      'zone name with trailing dot',
      { dns: { zoneName: 'wallet.example.com.' } },
      'dns.zoneName',
      'without a trailing dot',
      '"wallet.example.com."',
    ],
    [
      'api subdomain with a dot',
      { dns: { apiSubdomain: 'api.v1' } },
      'dns.apiSubdomain',
      'single lower-case DNS label',
      '"api.v1"',
    ],
    ['TTL below range', { dns: { recordTtlSeconds: -5 } }, 'dns.recordTtlSeconds', 'must be 0 or more', '-5'],
    [
      'TTL above range',
      { dns: { recordTtlSeconds: 2147483648 } },
      'dns.recordTtlSeconds',
      'at most 2147483647',
      '2147483648',
    ],
    [
      'TTL other than the alias target TTL with ALIAS records (they take their target TTL: the field has no effect)',
      { dns: { recordType: 'ALIAS', recordTtlSeconds: 30 } },
      'dns.recordTtlSeconds',
      'has no effect with dns.recordType "ALIAS"',
      '30',
    ],
    ['record type neither CNAME nor ALIAS', { dns: { recordType: 'A' } }, 'dns.recordType', 'Invalid', '"A"'],
    [
      'interval not 10 or 30',
      { dns: { healthCheck: { intervalSeconds: 20 } } },
      'dns.healthCheck.intervalSeconds',
      'must be 10 or 30',
      '20',
    ],
    [
      'threshold 0',
      { dns: { healthCheck: { failureThreshold: 0 } } },
      'dns.healthCheck.failureThreshold',
      'between 1 and 10',
      '0',
    ],
    [
      'threshold 11',
      { dns: { healthCheck: { failureThreshold: 11 } } },
      'dns.healthCheck.failureThreshold',
      'between 1 and 10',
      '11',
    ],
    [
      'fewer than 3 checker regions',
      { dns: { healthCheck: { regions: ['us-east-1', 'eu-west-1'] } } },
      'dns.healthCheck.regions',
      'at least 3',
      '["us-east-1","eu-west-1"]',
    ],
    [
      'a checker region Route 53 lacks',
      { dns: { healthCheck: { regions: ['us-east-1', 'eu-west-1', 'eu-north-1'] } } },
      'dns.healthCheck.regions.2',
      'Invalid option',
      '"eu-north-1"',
    ],
    [
      'repeated checker region',
      { dns: { healthCheck: { regions: ['us-east-1', 'us-east-1', 'eu-west-1'] } } },
      'dns.healthCheck.regions',
      'must not repeat',
      '["us-east-1","us-east-1","eu-west-1"]',
    ],
    ['unknown consistency', { data: { consistency: 'STRONG' } }, 'data.consistency', 'Invalid option', '"STRONG"'],
    [
      'canary schedule not a rate',
      { canary: { schedule: 'every minute' } },
      'canary.schedule',
      'not a supported rate expression',
      '"every minute"',
    ],
    [
      'backup schedule not cron',
      { backup: { dailySchedule: 'daily' } },
      'backup.dailySchedule',
      'six-field EventBridge cron',
      '"daily"',
    ],
    ['unknown remediation mode', { remediation: { mode: 'yolo' } }, 'remediation.mode', 'Invalid option', '"yolo"'],
    ['bad e-mail', { notifications: { email: 'oncall' } }, 'notifications.email', 'not an e-mail address', '"oncall"'],
    [
      'break-glass not a role ARN',
      { security: { breakGlassRoleArn: 'WalletBreakGlass' } },
      'security.breakGlassRoleArn',
      'not an IAM role ARN',
      '"WalletBreakGlass"',
    ],
    [
      'chain id missing',
      { chain: { chainId: undefined } },
      'chain.chainId',
      'is required',
      'nothing (the field is missing)',
    ],
    ['chain id 0', { chain: { chainId: 0 } }, 'chain.chainId', 'greater than 0', '0'],
    ['chain id not whole', { chain: { chainId: 1.5 } }, 'chain.chainId', 'whole number', '1.5'],
    [
      'an existing whole-number field given a fraction (custom int messages are kept)',
      { dns: { healthCheck: { failureThreshold: 2.5 } } },
      'dns.healthCheck.failureThreshold',
      'must be a whole number',
      '2.5',
    ],
    ['chain id as a string', { chain: { chainId: '1' } }, 'chain.chainId', 'must be a number', '"1"'],
    [
      'chain id beyond exact JSON numbers',
      { chain: { chainId: 2 ** 53 } },
      'chain.chainId',
      `whole number of at most ${Number.MAX_SAFE_INTEGER}`,
      String(2 ** 53),
    ],
    ['stage rate 0', { api: { throttleRateLimit: 0 } }, 'api.throttleRateLimit', 'greater than 0', '0'],
    [
      'stage rate above the account quota',
      { api: { throttleRateLimit: 10001 } },
      'api.throttleRateLimit',
      'account-level default quota',
      '10001',
    ],
    ['stage burst 0', { api: { throttleBurstLimit: 0 } }, 'api.throttleBurstLimit', 'at least 1', '0'],
    [
      'stage burst above the account quota',
      { api: { throttleBurstLimit: 5001 } },
      'api.throttleBurstLimit',
      'account-level default quota',
      '5001',
    ],
    ['stage burst not whole', { api: { throttleBurstLimit: 2.5 } }, 'api.throttleBurstLimit', 'whole number', '2.5'],
    [
      'WAF limit under the WAF minimum',
      { api: { wafRateLimitPerIp: 9 } },
      'api.wafRateLimitPerIp',
      'AWS WAF minimum',
      '9',
    ],
    [
      'WAF limit over the WAF maximum',
      { api: { wafRateLimitPerIp: 2000000001 } },
      'api.wafRateLimitPerIp',
      'AWS WAF maximum',
      '2000000001',
    ],
    ['unknown api field', { api: { rateLimit: 5 } }, 'api', 'unknown field "rateLimit"', '["rateLimit"]'],
    ['unknown field (typo)', { dns: { recordTTL: 60 } }, 'dns', 'unknown field "recordTTL"', '["recordTTL"]'],
    ['missing section', { canary: undefined }, 'canary', 'is required', 'nothing (the field is missing)'],
    [
      'missing chain section (no default: a wrong chain id signs for another network)',
      { chain: undefined },
      'chain',
      'is required',
      'nothing (the field is missing)',
    ],
  ])('fails when %s', (_name, patch, field, message, received) => {
    // Act
    const problems = problemsOf(rawConfig(patch));
    // Assess
    const problem = problems.find((p) => p.path === field);
    expect(problem).toBeDefined();
    expect(problem?.message).toContain(message);
    expect(new ConfigError('x', [problem!]).message).toContain(`received ${received}`);
    expect(problem?.fix.length).toBeGreaterThan(10);
  });

  test('the api section is optional; its defaults are the documented ones', () => {
    // Prepare
    const raw = rawConfig({ api: undefined });
    // Act
    const config = validateConfig(raw);
    // Assess
    expect(config.api).toEqual({ throttleRateLimit: 50, throttleBurstLimit: 100, wafRateLimitPerIp: 3000 });
  });

  test('a partial api section keeps the defaults of the fields it leaves out', () => {
    // Act
    const config = validateConfig(rawConfig({ api: { throttleRateLimit: 20 } }));
    // Assess
    expect(config.api).toEqual({ throttleRateLimit: 20, throttleBurstLimit: 100, wafRateLimitPerIp: 3000 });
  });

  test('the chain id is passed through as given', () => {
    expect(validateConfig(rawConfig({ chain: { chainId: 1 } })).chain.chainId).toBe(1);
  });

  test.each([
    [
      'standby equals primary',
      { regions: { standby: 'us-east-2' } },
      'regions.standby',
      'must differ from regions.primary',
    ],
    [
      'witness equals a replica region',
      { regions: { witness: 'us-west-2' } },
      'regions.witness',
      'must differ from both',
    ],
    [
      'MRSC without a witness',
      { regions: { witness: undefined } },
      'regions.witness',
      'is required when data.consistency is "MRSC"',
    ],
    ['MRSC witness in another region set', { regions: { witness: 'eu-west-1' } }, 'regions', 'one MRSC region set'],
    [
      'MRSC replica outside every region set',
      { regions: { standby: 'ca-central-1' } },
      'regions',
      'one MRSC region set',
    ],
    [
      'MREC with a witness',
      { data: { consistency: 'MREC' }, targets: { rpoSeconds: 60 } },
      'regions.witness',
      'only used with data.consistency "MRSC"',
    ],
    [
      'RPO 0 under MREC',
      { data: { consistency: 'MREC' }, regions: { witness: undefined } },
      'targets.rpoSeconds',
      'MREC replicates asynchronously',
    ],
    [
      'break-glass role in another account',
      { security: { breakGlassRoleArn: 'arn:aws:iam::222222222222:role/BreakGlass' } },
      'security.breakGlassRoleArn',
      'not the wallet account',
    ],
    [
      'vault lock min > max',
      { backup: { vaultLock: { minRetentionDays: 400 } } },
      'backup.vaultLock',
      'greater than maxRetentionDays',
    ],
    [
      'compliance lock without cooling-off',
      { backup: { vaultLock: { mode: 'compliance' } } },
      'backup.vaultLock.changeableForDays',
      'required in compliance mode',
    ],
    [
      'compliance cooling-off under 3 days',
      { backup: { vaultLock: { mode: 'compliance', changeableForDays: 2 } } },
      'backup.vaultLock.changeableForDays',
      'at least 3',
    ],
    [
      'governance lock with a cooling-off',
      { backup: { vaultLock: { changeableForDays: 3 } } },
      'backup.vaultLock.changeableForDays',
      'only applies to compliance mode',
    ],
    [
      'retention under the lock minimum',
      { backup: { frequentRetentionDays: 1 } },
      'backup.frequentRetentionDays',
      'shorter than the vault lock minimum',
    ],
    [
      'retention over the lock maximum',
      { backup: { dailyRetentionDays: 400 } },
      'backup.dailyRetentionDays',
      'longer than the vault lock maximum',
    ],
    [
      'backups less than an hour apart',
      { backup: { frequentSchedule: 'cron(0/30 * ? * * *)' } },
      'backup.frequentSchedule',
      'AWS Backup rejects rules that run more often than hourly',
    ],
    [
      'backups too far apart for the backup RPO target',
      { backup: { frequentSchedule: 'cron(0 */4 ? * * *)' } },
      'backup.frequentSchedule',
      'lets the newest backup be 5 h old (largest gap between backups 4 h + start window 1 h = 5 h), more than targets.backupRpoSeconds 7200 s',
    ],
    [
      'a backup schedule the evaluator cannot model',
      { backup: { dailySchedule: 'cron(0 5 L * ? *)' } },
      'backup.dailySchedule',
      'cannot be evaluated: day-of-month "L" uses L, W or #',
    ],
    [
      'restore tests less than daily',
      { backup: { restoreTestSchedule: 'cron(0 6 ? * MON *)' } },
      'backup.restoreTestSchedule',
      'leaves up to 7 d between restore tests',
    ],
  ])('fails cross-field rule: %s', (_name, patch, field, message) => {
    const problems = problemsOf(rawConfig(patch));
    expect(problems.filter((p) => p.path === field).map((p) => p.message)).toEqual(
      expect.arrayContaining([expect.stringContaining(message)]),
    );
  });

  describe('backup RPO (lib/backup/rpo.ts, docs/backup.md)', () => {
    test('the example config meets its 2 h backup RPO exactly: hourly backups + the 1 h start window', () => {
      expect(validateConfig(rawConfig()).targets.backupRpoSeconds).toBe(7200);
      expect(validateConfig(rawConfig({ targets: { backupRpoSeconds: undefined } })).targets.backupRpoSeconds).toBe(
        7200,
      );
    });

    test('fails when the target is below what hourly backups can promise, saying the smallest target', () => {
      const problem = problemsOf(rawConfig({ targets: { backupRpoSeconds: 3600 } })).find(
        (p) => p.path === 'backup.frequentSchedule',
      );
      expect(problem?.message).toContain('more than targets.backupRpoSeconds 3600 s (1 h)');
      expect(problem?.fix).toContain('raise targets.backupRpoSeconds to at least 7200');
    });

    test('fails when backup retention is shorter than the RPO target allows (points expire before the next exists)', () => {
      // Prepare: a 3-day target met by the schedule (every 2 days + 1 h), but each point lives 1 day
      const raw = rawConfig({
        targets: { backupRpoSeconds: 3 * 86400 },
        backup: {
          frequentSchedule: 'cron(0 0 */2 * ? *)',
          frequentRetentionDays: 1,
          dailySchedule: 'cron(0 5 1 * ? *)',
          dailyRetentionDays: 1,
          vaultLock: { minRetentionDays: 1 },
        },
      });
      // Act
      const problems = problemsOf(raw);
      // Assess
      const frequent = problems.find((p) => p.path === 'backup.frequentRetentionDays');
      expect(frequent?.message).toBe(
        'is shorter than the RPO target allows: its recovery points expire before the next frequent backup can exist ' +
          '(2 d 1 h later), so at times no recovery point exists at all, against targets.backupRpoSeconds 259200 s',
      );
      expect(frequent?.received).toBe(1);
      expect(frequent?.fix).toBe(
        'keep frequent recovery points for at least 3 days, or run backup.frequentSchedule more often',
      );
      expect(problems.map((p) => p.path)).toContain('backup.dailyRetentionDays');
      expect(problems.map((p) => p.path)).not.toContain('backup.frequentSchedule');
    });

    test('a short-lived rule passes when the other rule keeps points long enough', () => {
      const raw = rawConfig({
        targets: { backupRpoSeconds: 3 * 86400 },
        backup: { frequentSchedule: 'cron(0 0 */2 * ? *)', frequentRetentionDays: 7 },
      });
      expect(() => validateConfig(raw)).not.toThrow();
    });
  });

  test('fails with every problem reported at once', () => {
    // Prepare: five independent mistakes, schema-level and cross-field
    const raw = rawConfig({
      account: '42',
      regions: { standby: 'us-east-2' },
      dns: { healthCheck: { intervalSeconds: 15, failureThreshold: 0 }, recordTtlSeconds: -1 },
    });
    // Act
    let message = '';
    try {
      validateConfig(raw, 'config/broken.json');
    } catch (err) {
      message = (err as Error).message;
    }
    // Assess
    expect(message).toMatch(/^Invalid wallet config config\/broken\.json: 5 problems\n/);
    for (const field of [
      'account',
      'regions.standby',
      'dns.healthCheck.intervalSeconds',
      'dns.healthCheck.failureThreshold',
      'dns.recordTtlSeconds',
    ]) {
      expect(message).toContain(`  - ${field}: `);
    }
    expect(message).toContain('received 15. Fix: use 10 (fast, costs more) or 30 (standard).');
  });
});

describe('config files', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'wallet-config-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('the default is config/example.json; a bare name means config/<name>.json', () => {
    expect(resolveConfigPath(undefined, '/repo')).toBe(path.resolve('/repo/config/example.json'));
    expect(resolveConfigPath('prod', '/repo')).toBe(path.resolve('/repo/config/prod.json'));
    expect(resolveConfigPath('/etc/w.json', '/repo')).toBe('/etc/w.json');
  });

  test('loads the example config', () => {
    expect(loadConfigFile(EXAMPLE_CONFIG_PATH).envName).toBe('example');
  });

  test('fails on a missing file, naming it and how to choose one', () => {
    const file = path.join(dir, 'nope.json');
    expect(() => loadConfigFile(file)).toThrow(
      /\(file\): does not exist; received ".*nope\.json"\. Fix: pass -c config=/,
    );
  });

  test('fails on malformed JSON with the parser message', () => {
    const file = path.join(dir, 'broken.json');
    writeFileSync(file, '{ "envName": "x", }');
    expect(() => loadConfigFile(file)).toThrow(/is not valid JSON \(.+\)/);
  });
});

import { z } from 'zod';
import {
  DEFAULT_COLD_MAX_SESSION_SECONDS,
  MAX_COLD_SESSION_SECONDS,
  MIN_COLD_SESSION_SECONDS,
} from '../contract/cold-key';

/**
 * The optional `security.coldKey` section (issue 21, docs/cold-key.md): a cold KMS key in this
 * blueprint, signable only by a `ColdSigner` role that treasury officers assume with MFA.
 *
 * ```json
 * "coldKey": {
 *   "enabled": true,
 *   "signerPrincipalArns": ["arn:aws:iam::111111111111:role/TreasuryOfficers"],
 *   "maxSessionSeconds": 3600
 * }
 * ```
 *
 * Absent (or `enabled: false`), there is no cold KMS key: the cold signer is external (a hardware
 * wallet or a multisig) and the blueprint knows only `spending.cold.coldAddress`.
 *
 * The schema checks shapes; {@link coldKeyProblems} checks the principals against the account and the
 * wallet's own roles, every problem at once, like the rest of the config.
 */
export const coldKeySchema = z
  .object({
    enabled: z.boolean().describe('set true to create the cold KMS key and its MFA-only ColdSigner role'),
    signerPrincipalArns: z
      .array(z.string())
      .default([])
      .describe(
        'list the IAM users or roles of the treasury officers who may assume the ColdSigner role with MFA, e.g. ["arn:aws:iam::111111111111:role/TreasuryOfficers"]',
      ),
    maxSessionSeconds: z
      .number()
      .int('must be a whole number')
      .min(MIN_COLD_SESSION_SECONDS, `must be at least ${MIN_COLD_SESSION_SECONDS} (AssumeRole's shortest session)`)
      .max(MAX_COLD_SESSION_SECONDS, `must be at most ${MAX_COLD_SESSION_SECONDS} (IAM's longest role session)`)
      .default(DEFAULT_COLD_MAX_SESSION_SECONDS)
      .describe(
        `set how long (seconds) after the MFA check a cold signing session may sign (default ${DEFAULT_COLD_MAX_SESSION_SECONDS})`,
      ),
  })
  .strict()
  .optional()
  .describe('configure the cold key (docs/cold-key.md), or leave it out for an external cold signer');

export type ColdKeyConfig = z.output<typeof coldKeySchema>;

/** An IAM user or role ARN (with an optional path). */
const PRINCIPAL_ARN = /^arn:(aws(-[a-z]+)*):iam::(\d{12}):(user|role)\/([\w+=,.@/-]{1,512})$/;

const EXAMPLE = 'e.g. "arn:aws:iam::111111111111:role/TreasuryOfficers" or "arn:aws:iam::111111111111:user/alice"';

/** One problem of the section (the config's ConfigProblem shape). */
export interface ColdKeyProblem {
  readonly path: string;
  readonly message: string;
  readonly received: unknown;
  readonly fix: string;
}

/**
 * Rules of `security.coldKey` that the schema cannot express. Reads the raw input defensively (the
 * schema reports wrong types), so they run even when other fields are invalid.
 *
 * @param section the raw `security.coldKey` value
 * @param account the raw `account`, to check every principal is in the wallet account
 * @param envName the raw `envName`, to refuse the wallet's own (function) roles as cold signers
 * @param breakGlassRoleArn the raw `security.breakGlassRoleArn`: break-glass administers keys, it never signs
 */
export function coldKeyProblems(
  section: unknown,
  account: unknown,
  envName: unknown,
  breakGlassRoleArn: unknown,
): ColdKeyProblem[] {
  if (section === null || typeof section !== 'object' || Array.isArray(section)) return [];
  const s = section as Record<string, unknown>;
  if (s.enabled !== true) return [];
  const problems: ColdKeyProblem[] = [];
  const principals = s.signerPrincipalArns;
  if (principals === undefined || (Array.isArray(principals) && principals.length === 0)) {
    problems.push({
      path: 'security.coldKey.signerPrincipalArns',
      message: 'is empty, so nobody could ever assume the ColdSigner role and the cold funds could never move',
      received: principals,
      fix: `list at least one treasury officer principal, ${EXAMPLE}, or set security.coldKey.enabled to false`,
    });
  }
  if (!Array.isArray(principals)) return problems;
  const seen = new Map<string, number>();
  principals.forEach((arn: unknown, i) => {
    if (typeof arn !== 'string') return; // the schema reports it
    const path = `security.coldKey.signerPrincipalArns.${i}`;
    const first = seen.get(arn);
    if (first !== undefined) {
      problems.push({
        path,
        message: `repeats security.coldKey.signerPrincipalArns.${first}`,
        received: arn,
        fix: 'list each principal once',
      });
      return;
    }
    seen.set(arn, i);
    if (/^arn:[^:]+:iam::\d{12}:root$/.test(arn) || /^\d{12}$/.test(arn)) {
      problems.push({
        path,
        message:
          'names a whole account: every role in it, including the wallet Lambda roles, could then call AssumeRole on the ColdSigner role',
        received: arn,
        fix: `name the treasury officers' own IAM users or role, ${EXAMPLE}`,
      });
      return;
    }
    const match = PRINCIPAL_ARN.exec(arn);
    if (match === null) {
      problems.push({
        path,
        message: arn.includes(':assumed-role/')
          ? 'is a role session, which a trust policy cannot name (sessions expire)'
          : 'is not an IAM user or role ARN (no wildcards, groups, services or federated principals)',
        received: arn,
        fix: `name an IAM user or role, ${EXAMPLE}`,
      });
      return;
    }
    const [, , , principalAccount, , name] = match;
    if (typeof account === 'string' && /^\d{12}$/.test(account) && principalAccount !== account) {
      problems.push({
        path,
        message: `is in account ${principalAccount}, not the wallet account ${account}`,
        received: arn,
        fix: 'name a principal of the wallet account (the key policy and the trust policy are scoped to it)',
      });
    }
    if (arn === breakGlassRoleArn) {
      problems.push({
        path,
        message: 'is the break-glass role: it administers the keys and must never also sign with the cold key',
        received: arn,
        fix: 'name the treasury officers, not security.breakGlassRoleArn (separation of duties)',
      });
    }
    if (
      typeof envName === 'string' &&
      envName.length > 0 &&
      (name.split('/').pop() ?? '').startsWith(`${envName}-wallet-`)
    ) {
      problems.push({
        path,
        message: `looks like one of this wallet's own roles (${envName}-wallet-...), which Lambda functions and the blueprint use`,
        received: arn,
        fix: 'name a human principal (a treasury officer user or role), never a role a function runs as',
      });
    }
  });
  return problems;
}

/** True when the config asks for a cold KMS key. */
export const coldKeyEnabled = (coldKey: ColdKeyConfig): coldKey is NonNullable<ColdKeyConfig> =>
  coldKey?.enabled === true;

import { z } from 'zod';
import { DEFAULT_CANARY, TrafficShifting, trafficShiftingProblems } from '../deploy/traffic-shifting';

/**
 * The optional `deployment` section: how new code reaches traffic (docs/safe-deploys.md).
 * - `api`, `signer`: CodeDeploy traffic shifting of their `live` alias (default: canary, 10% for
 *   5 minutes). Health and remediation always deploy all at once with alarms (the reason is in
 *   lib/constructs/safe-deployment.ts).
 * - `bakeMinutes`: how long `npm run deploy-code` watches the standby, canaries green, before it
 *   deploys the primary. At least two canary runs, so a green bake has seen the new code run twice.
 *
 * The shifting values are checked by {@link deploymentProblems} (every problem at once, with the
 * values CodeDeploy accepts); the schema only carries them.
 */
export const DEPLOYMENT_DEFAULTS = {
  api: DEFAULT_CANARY,
  signer: DEFAULT_CANARY,
  bakeMinutes: 15,
} as const;

const shifting = z
  .unknown()
  .transform((v) => v as TrafficShifting)
  .describe('use {"kind":"canary","percentage":10,"intervalMinutes":5} (see lib/deploy/traffic-shifting.ts)');

export const deploymentSchema = z
  .object({
    api: shifting.default(DEPLOYMENT_DEFAULTS.api),
    signer: shifting.default(DEPLOYMENT_DEFAULTS.signer),
    bakeMinutes: z
      .number()
      .int('must be a whole number')
      .positive('must be greater than 0')
      .max(1440, 'must be at most 1440 (a day)')
      .default(DEPLOYMENT_DEFAULTS.bakeMinutes)
      .describe(
        `set how long (minutes) deploy-code bakes the standby before the primary (default ${DEPLOYMENT_DEFAULTS.bakeMinutes})`,
      ),
  })
  .strict()
  .default({ ...DEPLOYMENT_DEFAULTS });

export type DeploymentConfig = z.output<typeof deploymentSchema>;

/** Cross-field rules of the section; `canaryRunSeconds` is the canary schedule's period, if valid. */
export function deploymentProblems(
  section: unknown,
  canaryRunSeconds: number | undefined,
): { path: string; message: string; received: unknown; fix: string }[] {
  if (section === undefined || section === null || typeof section !== 'object') return [];
  const s = section as Record<string, unknown>;
  const problems = [
    ...(s.api === undefined ? [] : trafficShiftingProblems('deployment.api', s.api)),
    ...(s.signer === undefined ? [] : trafficShiftingProblems('deployment.signer', s.signer)),
  ];
  const bake = typeof s.bakeMinutes === 'number' ? s.bakeMinutes : DEPLOYMENT_DEFAULTS.bakeMinutes;
  if (canaryRunSeconds !== undefined && bake * 60 < 2 * canaryRunSeconds) {
    const least = Math.ceil((2 * canaryRunSeconds) / 60);
    problems.push({
      path: 'deployment.bakeMinutes',
      message: `is shorter than two canary runs (canary.schedule runs every ${canaryRunSeconds / 60} minutes), so a green bake could have seen the new code run once or never`,
      received: bake,
      fix: `set at least ${least} minutes, or run the canaries more often`,
    });
  }
  return problems;
}

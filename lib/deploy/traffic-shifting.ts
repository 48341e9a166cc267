/**
 * How CodeDeploy shifts a function's `live` alias to a new version, limited to what CodeDeploy
 * accepts for Lambda without a custom deployment configuration: its predefined configurations
 * (CodeDeploy User Guide, "Deployment configurations on an AWS Lambda compute platform"):
 * - `CodeDeployDefault.LambdaCanary10Percent5Minutes`, `...10Minutes`, `...15Minutes`, `...30Minutes`:
 *   10% first, the rest after the interval;
 * - `CodeDeployDefault.LambdaLinear10PercentEvery1Minute`, `...2Minutes`, `...3Minutes`, `...10Minutes`:
 *   10% more every interval;
 * - `CodeDeployDefault.LambdaAllAtOnce`.
 * A custom `AWS::CodeDeploy::DeploymentConfig` could take other numbers, but the API reference does
 * not document their bounds; a value CodeDeploy would refuse at deploy time must not pass synth, so
 * only the documented configurations are accepted.
 */
export type TrafficShifting =
  | { readonly kind: 'canary'; readonly percentage: number; readonly intervalMinutes: number }
  | { readonly kind: 'linear'; readonly percentage: number; readonly intervalMinutes: number }
  | { readonly kind: 'all-at-once' };

export const TRAFFIC_SHIFTING_KINDS = ['canary', 'linear', 'all-at-once'] as const;

/** The percentages and intervals CodeDeploy's predefined Lambda configurations offer, per kind. */
export const PREDEFINED_SHIFTING = {
  canary: { percentages: [10], intervalMinutes: [5, 10, 15, 30] },
  linear: { percentages: [10], intervalMinutes: [1, 2, 3, 10] },
} as const;

/** The default for the API and the signer: 10% of traffic for 5 minutes, then the rest. */
export const DEFAULT_CANARY: TrafficShifting = { kind: 'canary', percentage: 10, intervalMinutes: 5 };

/** The predefined CodeDeploy configuration name of a (valid) shifting. */
export function deploymentConfigName(shifting: TrafficShifting): string {
  if (shifting.kind === 'all-at-once') return 'CodeDeployDefault.LambdaAllAtOnce';
  if (shifting.kind === 'canary') {
    return `CodeDeployDefault.LambdaCanary${shifting.percentage}Percent${shifting.intervalMinutes}Minutes`;
  }
  const unit = shifting.intervalMinutes === 1 ? 'Minute' : 'Minutes';
  return `CodeDeployDefault.LambdaLinear${shifting.percentage}PercentEvery${shifting.intervalMinutes}${unit}`;
}

/** How long a deployment with this shifting takes from first to last traffic shift, in minutes. */
export function shiftingMinutes(shifting: TrafficShifting): number {
  if (shifting.kind === 'all-at-once') return 0;
  if (shifting.kind === 'canary') return shifting.intervalMinutes;
  return Math.ceil(100 / shifting.percentage - 1) * shifting.intervalMinutes;
}

/** One problem with a shifting: where, what, the value received and how to fix it. */
export interface ShiftingProblem {
  readonly path: string;
  readonly message: string;
  readonly received: unknown;
  readonly fix: string;
}

/** Every problem with a shifting value (unknown input: from a config file or props), at once. */
export function trafficShiftingProblems(path: string, value: unknown): ShiftingProblem[] {
  if (value === null || typeof value !== 'object') {
    return [
      {
        path,
        message: 'must be an object',
        received: value,
        fix: 'use {"kind":"canary","percentage":10,"intervalMinutes":5}, a linear one, or {"kind":"all-at-once"}',
      },
    ];
  }
  const v = value as Record<string, unknown>;
  if (!TRAFFIC_SHIFTING_KINDS.includes(v.kind as never)) {
    return [
      {
        path: `${path}.kind`,
        message: `must be one of ${TRAFFIC_SHIFTING_KINDS.join(', ')}`,
        received: v.kind,
        fix: 'use "canary" (10% first, the rest after the interval), "linear" or "all-at-once"',
      },
    ];
  }
  if (v.kind === 'all-at-once') return [];
  const allowed = PREDEFINED_SHIFTING[v.kind as 'canary' | 'linear'];
  const problems: ShiftingProblem[] = [];
  if (!allowed.percentages.includes(v.percentage as never)) {
    problems.push({
      path: `${path}.percentage`,
      message: `is not a ${v.kind} percentage CodeDeploy accepts for Lambda (allowed: ${allowed.percentages.join(', ')})`,
      received: v.percentage,
      fix: `use ${allowed.percentages.join(' or ')}: CodeDeploy's predefined Lambda ${v.kind} configurations shift 10%`,
    });
  }
  if (!allowed.intervalMinutes.includes(v.intervalMinutes as never)) {
    problems.push({
      path: `${path}.intervalMinutes`,
      message: `is not a ${v.kind} interval CodeDeploy accepts for Lambda (allowed: ${allowed.intervalMinutes.join(', ')} minutes)`,
      received: v.intervalMinutes,
      fix: `use one of ${allowed.intervalMinutes.join(', ')}`,
    });
  }
  const extra = Object.keys(v).filter((k) => !['kind', 'percentage', 'intervalMinutes'].includes(k));
  if (extra.length > 0) {
    problems.push({
      path,
      message: `has unknown field${extra.length === 1 ? '' : 's'} ${extra.join(', ')}`,
      received: extra,
      fix: 'remove it; a shifting has kind, percentage and intervalMinutes',
    });
  }
  return problems;
}

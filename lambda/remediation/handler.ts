import { createHash } from 'node:crypto';
import { remediationObservedAlarms } from '../../lib/contract/remediation';
import { RemediationConfig } from './config';
import { Action, decide, Decision, DecisionInput, needsFailoverState } from './decide';
import { AlarmTransition, parseAlarmEvent } from './event';
import { execute, Execution, ExecutionPorts } from './execute';
import type { EmitOutcome } from '../../lib/status/wallet-events';
import { AlarmReader, AuditLog, ClaimHolder, Notifier, TransitionClaims } from './ports';

export interface RemediationDeps extends ExecutionPorts {
  readonly config: RemediationConfig;
  readonly alarms: AlarmReader;
  readonly claims: TransitionClaims;
  readonly notifier: Notifier;
  readonly audit: AuditLog;
  readonly now: () => Date;
  readonly log: (level: 'info' | 'warn' | 'error', message: string, fields: Record<string, unknown>) => void;
  /** The status-page events the changing ports started (./status-events.ts); flushed before the audit. */
  readonly statusEvents?: { flush(): Promise<readonly EmitOutcome[]> };
}

/** The part of the Lambda context the handler uses. */
export interface InvocationContext {
  readonly awsRequestId: string;
  getRemainingTimeInMillis(): number;
}

export interface RemediationResult {
  readonly transitionId: string;
  readonly verdict: Decision['verdict'] | 'duplicate';
  readonly executed: Execution['outcomes'];
  readonly suppressed: readonly Action[];
  readonly audit?: { readonly pk: string; readonly sk: string };
}

/** A retry may take over a claim this long after the invocation's own deadline. */
const CLAIM_GRACE_MS = 5000;

const shortHash = (s: string): string => createHash('sha256').update(s).digest('hex').slice(0, 12);

const describeAction = (a: Action): string => {
  switch (a.type) {
    case 'set-degraded':
      return `${a.degraded ? 'enter' : 'leave'} degraded mode in ${a.region}`;
    case 'reserve-failover':
      return 'reserve one automatic failover in the rate-limit window';
    case 'move-lease':
      return `move lease ${a.address} to ${a.toRegion} (expected epoch ${a.expectedEpoch})`;
    case 'throw-switch':
      return `throw the failover switch in ${a.region}`;
    case 'hand-off':
      return `hand stranded work of ${a.address} to the lease holder (epoch ${a.expectedEpoch}; if this failed: wallet-ops hand-off, docs/runbooks/wallet-ops.md)`;
  }
};

function message(
  config: RemediationConfig,
  t: AlarmTransition,
  d: Decision,
  x: Execution,
  audit: { pk: string; sk: string } | undefined,
): string {
  const lines = [
    d.summary,
    '',
    `Verdict: ${d.verdict} (mode ${config.mode}, remediation in ${config.region}, ${config.role})`,
    `Alarm: ${t.alarmName} in ${t.alarmRegion}: ${t.previousState ?? '?'} -> ${t.state} at ${t.changedAt}`,
    '',
    'Why:',
    ...d.reasons.map((r) => `- ${r}`),
  ];
  if (x.outcomes.length > 0)
    lines.push(
      '',
      'Done:',
      ...x.outcomes.map((o) => `- ${o.ok ? 'ok' : 'FAILED'}: ${describeAction(o.action)}: ${o.detail}`),
    );
  if (x.skipped.length > 0)
    lines.push('', 'Not done (an earlier step failed):', ...x.skipped.map((a) => `- ${describeAction(a)}`));
  if (d.suppressed.length > 0)
    lines.push(
      '',
      'Not done (notify-only mode); a human should:',
      ...d.suppressed.map((a) => `- ${describeAction(a)}`),
    );
  lines.push(
    '',
    audit !== undefined
      ? `Audit record: ${config.tableName} ${audit.pk} / ${audit.sk}`
      : 'Audit record: could not be written (see the function logs)',
    'Runbook: docs/runbooks/alarms.md',
  );
  return lines.join('\n');
}

/**
 * The remediation handler: parse the alarm event, claim the transition (once per transition, even
 * across duplicate deliveries), observe, decide (pure), act (bounded), audit every decision,
 * notify. Expected refusals are recorded and paged; unexpected errors are recorded, paged, release
 * the claim and fail the invocation so Lambda retries it (and the DLQ keeps it if retries fail).
 */
export function createHandler(deps: RemediationDeps) {
  const { config } = deps;
  return async (event: unknown, context: InvocationContext): Promise<RemediationResult> => {
    const transition = parseAlarmEvent(event);
    const now = deps.now();
    const requestId = context.awsRequestId;
    const auditId = `${shortHash(transition.id)}-${requestId}`;
    const claim = await deps.claims.claim(
      transition.id,
      requestId,
      now,
      new Date(now.getTime() + context.getRemainingTimeInMillis() + CLAIM_GRACE_MS),
    );
    if (!claim.claimed) {
      const holder: ClaimHolder | undefined = claim.holder;
      const audit = await deps.audit.write(
        {
          kind: 'remediation-duplicate',
          region: config.region,
          transitionId: transition.id,
          eventId: transition.eventId,
          requestId,
          holder,
          why: 'this alarm transition was already handled (or is being handled): acting again could repeat a failover',
          at: now.toISOString(),
        },
        now,
        auditId,
      );
      deps.log('info', 'duplicate alarm transition: not acting again', { transitionId: transition.id, holder });
      return { transitionId: transition.id, verdict: 'duplicate', executed: [], suppressed: [], audit };
    }

    let decision: Decision | undefined;
    let execution: Execution = { outcomes: [], skipped: [] };
    let input: DecisionInput | undefined;
    try {
      const failoverState = needsFailoverState(config, transition);
      const [alarms, regionControl, leases, recentFailovers] = await Promise.all([
        deps.alarms.read(remediationObservedAlarms(config, config.region)),
        deps.regionControl.get(config.region),
        failoverState ? deps.leases.leases() : Promise.resolve([]),
        failoverState ? deps.budget.recent() : Promise.resolve([]),
      ]);
      input = {
        context: config,
        transition,
        now,
        alarms,
        ...(regionControl !== undefined ? { regionControl } : {}),
        leases,
        recentFailovers,
      };
      decision = decide(input);
      execution = await execute(decision, deps, {
        transitionId: transition.id,
        now,
        windowMinutes: config.windowMinutes,
        maxFailoversPerWindow: config.maxFailoversPerWindow,
      });
    } catch (err) {
      execution = { ...execution, unexpectedError: err instanceof Error ? err : new Error(String(err)) };
    }
    // Never rejects: an event that could not be put is logged and counted, never a failed failover.
    const statusEvents = (await deps.statusEvents?.flush()) ?? [];

    const failed = execution.outcomes.some((o) => !o.ok) || execution.unexpectedError !== undefined;
    const verdict = decision?.verdict ?? 'error';
    const record = {
      kind: 'remediation-decision',
      region: config.region,
      role: config.role,
      mode: config.mode,
      requestId,
      transitionId: transition.id,
      eventId: transition.eventId,
      // What it saw.
      event: transition,
      observed:
        input === undefined
          ? undefined
          : {
              alarms: input.alarms,
              regionControl: input.regionControl,
              leases: input.leases,
              recentFailovers: input.recentFailovers,
            },
      // Why.
      verdict,
      summary: decision?.summary,
      reasons: decision?.reasons,
      actor: decision?.actor,
      // What it did.
      planned: decision?.actions,
      suppressed: decision?.suppressed,
      outcomes: execution.outcomes,
      skipped: execution.skipped,
      error: execution.unexpectedError?.message,
      statusEvents,
      at: now.toISOString(),
    };
    let audit: { pk: string; sk: string } | undefined;
    try {
      audit = await deps.audit.write(JSON.parse(JSON.stringify(record)) as Record<string, unknown>, now, auditId);
    } catch (err) {
      deps.log('error', 'could not write the audit record', { record, error: String(err) });
      execution = { ...execution, unexpectedError: execution.unexpectedError ?? (err as Error) };
    }

    const fallback: Decision = {
      verdict: 'informational',
      severity: 'page',
      summary: `remediation could not decide on ${transition.alarmName}`,
      reasons: [String(execution.unexpectedError)],
      actions: [],
      suppressed: [],
      actor: '',
    };
    const shown = decision ?? fallback;
    const severity = failed ? 'page' : shown.severity;
    const subject = `[${severity.toUpperCase()}] ${config.envName} ${config.region} remediation: ${failed ? 'FAILED ' : ''}${verdict} (${transition.alarmName})`;
    try {
      await deps.notifier.publish(severity, subject, message(config, transition, shown, execution, audit));
    } catch (err) {
      deps.log('error', 'could not notify', { subject, error: String(err) });
      execution = { ...execution, unexpectedError: execution.unexpectedError ?? (err as Error) };
    }

    deps.log(failed ? 'error' : 'info', shown.summary, { transitionId: transition.id, verdict, severity, audit });
    if (execution.unexpectedError !== undefined) {
      await deps.claims.release(transition.id, requestId, execution.unexpectedError.message).catch((err: unknown) =>
        deps.log('error', 'could not release the claim; a retry can take over after it expires', {
          error: String(err),
        }),
      );
      throw execution.unexpectedError;
    }
    await deps.claims.complete(transition.id, requestId, verdict);
    return {
      transitionId: transition.id,
      verdict: shown.verdict,
      executed: execution.outcomes,
      suppressed: shown.suppressed,
      ...(audit !== undefined ? { audit } : {}),
    };
  };
}

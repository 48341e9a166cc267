import { ArnFormat, Stack } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CueSource, MAX_EVENT_AGE_MINUTES, remediationForwardingRuleName } from '../contract/remediation';
import { acknowledge } from '../security/nag';
import { ManagedPolicyRole } from './managed-policy-role';
import { alarmStateChangePattern } from './remediation';

/** Props of {@link RemediationForwarding}. */
export interface RemediationForwardingProps {
  readonly envName: string;
  readonly source: CueSource;
  /** The standby region: its default event bus receives the cues. */
  readonly standbyRegion: string;
  /** The alarms whose state changes are forwarded (`remediationForwarding()` in lib/contract/remediation.ts). */
  readonly alarmNames: readonly string[];
}

/**
 * Forwards the state changes of the named alarms in this region to the standby region's default
 * event bus, where the standby's remediation rule routes them to its function
 * (docs/observability-wiring.md). Same account, so the role's identity policy is the only grant
 * needed (no bus policy); the role trusts EventBridge for this one rule only.
 *
 * An event bus target takes no retry policy: EventBridge retries delivery for 24 hours. A failed
 * delivery is counted by the rule's `FailedInvocations` metric, which an alarm watches (the
 * primary's `remediation-failures`, us-east-1's `dns-remediation-cues-undelivered`).
 */
export class RemediationForwarding extends Construct {
  public readonly rule: events.Rule;
  public readonly role: ManagedPolicyRole;
  /** ARN of the standby's default event bus. */
  public readonly targetBusArn: string;

  constructor(scope: Construct, id: string, props: RemediationForwardingProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const ruleName = remediationForwardingRuleName(props.envName, props.source);
    this.targetBusArn = stack.formatArn({
      service: 'events',
      region: props.standbyRegion,
      resource: 'event-bus',
      resourceName: 'default',
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    // The rule's ARN from its name: referencing the rule itself would make the role and the rule
    // depend on each other.
    const ruleArn = stack.formatArn({
      service: 'events',
      resource: 'rule',
      resourceName: ruleName,
      arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
    });
    this.role = new ManagedPolicyRole(this, 'Role', {
      description: `EventBridge: forwards ${props.envName} failover cues (${props.source}) to the standby's default bus in ${props.standbyRegion}`,
      assumedBy: new iam.ServicePrincipal('events.amazonaws.com').withConditions({
        StringEquals: { 'aws:SourceAccount': stack.account },
        ArnEquals: { 'aws:SourceArn': ruleArn },
      }),
    });
    this.rule = new events.Rule(this, 'Rule', {
      ruleName,
      description: `Forwards state changes of the ${props.envName} failover cues in this region to the standby (${props.standbyRegion})`,
      eventPattern: alarmStateChangePattern(props.alarmNames),
      targets: [
        // The target grants the role events:PutEvents on exactly this bus (its only statement).
        new targets.EventBus(events.EventBus.fromEventBusArn(this, 'StandbyDefaultBus', this.targetBusArn), {
          role: this.role,
        }),
      ],
    });
    // Deliveries need the role's permissions: an AccessDenied delivery is not retried, so a cue
    // arriving between the rule's creation and the policy's attachment would be lost.
    this.rule.node.addDependency(this.role.policy);
    acknowledge(
      this.rule,
      'Serverless-EventBusDLQ',
      'An event bus target takes no retry policy, so EventBridge retries a failed delivery for 24 hours; a cue ' +
        `that late is past MAX_EVENT_AGE_MINUTES (${MAX_EVENT_AGE_MINUTES}) and would only be audited, never acted on, ` +
        "and the standby's decision reads every alarm's current state anyway. A failed delivery is alarmed from the " +
        "rule's FailedInvocations (remediation-failures in the primary, dns-remediation-cues-undelivered in us-east-1).",
    );
  }
}

import { CfnResource, Token } from 'aws-cdk-lib';
import { NagRuleCompliance } from 'cdk-nag';
import { namedRule, NOT_APPLICABLE, props } from './util';

/**
 * Synthetics runtimes that are deprecated: CloudWatch Synthetics refuses to create canaries on them
 * and they get no security patches. Canaries already on them keep running, which is how a blueprint
 * silently rots, so the synth fails instead.
 *
 * Sources, read on 2026-12-01 (re-read them when you touch this table):
 * - "Runtime versions support policy", CloudWatch User Guide
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Runtime_Support_Policy.html),
 *   table "CloudWatch Synthetics runtime deprecation dates" (the rows below, newest first; no
 *   `syn-nodejs-3.x`, `4.x` or `5.x` runtime is listed there yet);
 * - "Runtime versions using Node.js", CloudWatch User Guide
 *   (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/CloudWatch_Synthetics_Library_Nodejs.html):
 *   the newest is `syn-nodejs-5.4` (Lambda Node.js 22.x), which the canaries use (CANARY_RUNTIME);
 * - the runtimes aws-cdk-lib 2.276 marks `@deprecated` in aws-synthetics/lib/runtime.d.ts.
 * Families that are retired whole are matched by prefix. Add a runtime here when AWS announces its
 * deprecation date (Synthetics e-mails 60 days ahead); `syn-nodejs-3.x` runs on Lambda's Node.js 20
 * and is the next candidate.
 */
export const DEPRECATED_SYNTHETICS_RUNTIMES: ReadonlyArray<{ readonly runtime: string; readonly deprecated: string }> =
  [
    { runtime: 'syn-python-selenium-5.1', deprecated: '2026-02-03' },
    { runtime: 'syn-python-selenium-5.0', deprecated: '2026-02-03' },
    { runtime: 'syn-python-selenium-4.1', deprecated: '2026-02-03' },
    { runtime: 'syn-python-selenium-4.0', deprecated: '2026-02-03' },
    { runtime: 'syn-nodejs-puppeteer-7.0', deprecated: '2026-01-22' },
    { runtime: 'syn-nodejs-puppeteer-6.2', deprecated: '2026-01-22' },
    { runtime: 'syn-nodejs-puppeteer-5.2', deprecated: '2026-01-22' },
    { runtime: 'syn-python-selenium-3.0', deprecated: '2026-01-22' },
    { runtime: 'syn-python-selenium-2.1', deprecated: '2026-01-22' },
    { runtime: 'syn-nodejs-puppeteer-6.1', deprecated: '2024-03-08' },
    { runtime: 'syn-nodejs-puppeteer-6.0', deprecated: '2024-03-08' },
    { runtime: 'syn-nodejs-puppeteer-5.1', deprecated: '2024-03-08' },
    { runtime: 'syn-nodejs-puppeteer-5.0', deprecated: '2024-03-08' },
    { runtime: 'syn-nodejs-puppeteer-4.0', deprecated: '2024-03-08' },
    { runtime: 'syn-python-selenium-2.0', deprecated: '2024-03-08' },
    { runtime: 'syn-python-selenium-1.3', deprecated: '2024-03-08' },
    { runtime: 'syn-python-selenium-1.2', deprecated: '2024-03-08' },
    { runtime: 'syn-python-selenium-1.1', deprecated: '2024-03-08' },
    { runtime: 'syn-python-selenium-1.0', deprecated: '2024-03-08' },
  ];

/** Whole families retired before the table above starts (Node.js 10-14 Lambda runtimes). */
export const DEPRECATED_SYNTHETICS_RUNTIME_PREFIXES: readonly string[] = [
  'syn-1.',
  'syn-nodejs-2.',
  'syn-nodejs-puppeteer-3.',
];

export function isDeprecatedSyntheticsRuntime(runtime: string): boolean {
  return (
    DEPRECATED_SYNTHETICS_RUNTIMES.some((d) => d.runtime === runtime) ||
    DEPRECATED_SYNTHETICS_RUNTIME_PREFIXES.some((prefix) => runtime.startsWith(prefix))
  );
}

/** Every Synthetics canary runs on a runtime that is not deprecated (and is named at synth). */
export default namedRule('CanaryRuntimeCurrent', (node: CfnResource): NagRuleCompliance => {
  if (node.cfnResourceType !== 'AWS::Synthetics::Canary') return NOT_APPLICABLE;
  const runtime = props(node).RuntimeVersion;
  if (typeof runtime !== 'string' || Token.isUnresolved(runtime)) return NagRuleCompliance.NON_COMPLIANT;
  return isDeprecatedSyntheticsRuntime(runtime) ? NagRuleCompliance.NON_COMPLIANT : NagRuleCompliance.COMPLIANT;
});

import { IPolicyValidationPlugin, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks, NagPack, NIST80053R5Checks, ServerlessChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { WalletChecks } from './wallet-checks';

/**
 * The rule packs every synth is checked against. cdk-nag 3 packs are CDK policy-validation
 * plugins: any unacknowledged finding fails `cdk synth`, and the report is written to
 * `cdk.out/validation-report.json`.
 */
export function nagPacks(app: IConstruct): NagPack[] {
  return [new AwsSolutionsChecks(app), new NIST80053R5Checks(app), new ServerlessChecks(app), new WalletChecks(app)];
}

/** Registers the rule packs (and any extra validation plugins) on the app. */
export function registerValidation(app: IConstruct, extra: readonly IPolicyValidationPlugin[] = []): void {
  Validations.of(app).addPlugins(...nagPacks(app), ...extra);
}

/**
 * Acknowledges one exact finding id on the narrowest construct that raises it. Every call site
 * must say why the finding does not apply or is accepted; the list is reviewed in
 * test/security/acknowledgements.test.ts.
 */
export function acknowledge(scope: IConstruct, id: string, reason: string): void {
  if (reason.trim().length < 20) {
    throw new Error(
      `acknowledge(${id}) at ${scope.node.path}: give a reason a reviewer can accept; received "${reason}".`,
    );
  }
  Validations.of(scope).acknowledge({ id, reason });
}

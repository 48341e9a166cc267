import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { buildTestWallet } from '../helpers/app';
import { acknowledgements, nagFindings } from '../helpers/nag';

/**
 * An acknowledgement whose finding no longer exists is a silent hole: it would hide the finding if
 * it came back for another reason. This file builds the app twice, once as usual and once with
 * acknowledge() recording nothing, and checks that every acknowledgement still matches a raw
 * finding of some pack (cdk-nag via validateScope, cfn-guard via a synth) at its construct or below.
 */
interface Finding {
  readonly id: string;
  readonly path: string;
}

let acks: Array<{ path: string; id: string }>;
let raw: Finding[];
beforeAll(() => {
  acks = acknowledgements(buildTestWallet().app);

  const silenced = jest.spyOn(Validations.prototype, 'acknowledge').mockImplementation(() => undefined);
  const rawApp: App = buildTestWallet().app;
  silenced.mockRestore();
  // Synth first: tags (which some wallet rules read) are applied by aspects during synthesis.
  raw = cfnGuardFindings(rawApp);
  raw.push(...nagFindings(rawApp).map((f) => ({ id: f.rule, path: f.path })));
});

function cfnGuardFindings(app: App): Finding[] {
  Validations.of(app).addPlugins(new CfnGuardValidator());
  try {
    app.synth();
  } catch {
    // Expected: unacknowledged findings fail the synth; the report is written first.
  }
  const report = JSON.parse(readFileSync(path.join(app.outdir, 'validation-report.json'), 'utf8')) as {
    pluginReports: Array<{
      pluginName: string;
      violations: Array<{ ruleName: string; violatingConstructs: Array<{ constructPath: string }> }>;
    }>;
  };
  return report.pluginReports
    .filter((p) => p.pluginName === 'cdk-validator-cfnguard')
    .flatMap((p) =>
      p.violations.flatMap((v) =>
        v.violatingConstructs.map((c) => ({ id: `cdk-validator-cfnguard::${v.ruleName}`, path: c.constructPath })),
      ),
    );
}

const covers = (ack: { path: string; id: string }, f: Finding) =>
  f.id === ack.id && (f.path === ack.path || f.path.startsWith(`${ack.path}/`));

test('the raw build has findings from cdk-nag and cfn-guard (so the check below is not vacuous)', () => {
  expect(raw.some((f) => f.id.startsWith('cdk-validator-cfnguard::'))).toBe(true);
  expect(raw.some((f) => f.id.startsWith('AwsSolutions-'))).toBe(true);
  expect(acks.length).toBeGreaterThan(0);
});

test('every acknowledgement still matches a finding at its construct (no stale acknowledgement)', () => {
  expect(acks.filter((a) => !raw.some((f) => covers(a, f))).map((a) => `${a.path} ${a.id}`)).toEqual([]);
});

test('every raw finding is acknowledged (the same fact the synth checks, seen from the raw side)', () => {
  expect(raw.filter((f) => !acks.some((a) => covers(a, f)))).toEqual([]);
});

import { App } from 'aws-cdk-lib';
import { buildWalletApp } from './lib/app';
import { testConfig } from './test/helpers/config';
import { readFileSync, mkdtempSync } from 'node:fs';
const ctx = JSON.parse(readFileSync('cdk.json', 'utf8')).context;
for (let i = 0; i < 4; i++) {
  let t = Date.now();
  const app = new App({ outdir: mkdtempSync('/tmp/hspeed/o-'), builtinCloudFormationValidation: false, context: { ...ctx, 'aws:cdk:bundling-stacks': [] } });
  buildWalletApp(app, testConfig({}), { validation: false });
  const b = Date.now() - t; t = Date.now();
  app.synth();
  console.log({ b, s: Date.now() - t });
}

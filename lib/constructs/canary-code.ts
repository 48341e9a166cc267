import * as fs from 'node:fs';
import * as path from 'node:path';
import { AssetHashType, DockerImage, ILocalBundling } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import * as synthetics from 'aws-cdk-lib/aws-synthetics';
import { Construct } from 'constructs';
import { CanaryKind, SYNTHETICS_MODULE } from '../contract/canary';
import { PROJECT_ROOT } from './wallet-function';

/** The canary handler: `index.js` exporting `handler` (docs/observability-wiring.md). */
export const CANARY_HANDLER = 'index.handler';

/** Where the Synthetics Node.js runtimes load a canary script from, inside the code archive. */
export const CANARY_SCRIPT_PATH = path.join('nodejs', 'node_modules', 'index.js');

/** The entry file of a canary: `lambda/canaries/<kind>/index.ts`. */
export const canaryEntry = (kind: CanaryKind): string =>
  path.join(PROJECT_ROOT, 'lambda', 'canaries', kind, 'index.ts');

/**
 * esbuild options of a canary bundle (docs/observability-wiring.md; test/canaries/bundle.test.ts
 * proves each entry bundles with them): one CommonJS file for Node.js 22 (syn-nodejs-5.4), with
 * only the runtime-provided Synthetics library left external.
 */
export const CANARY_BUNDLE_OPTIONS = {
  bundle: true,
  platform: 'node',
  target: 'node22',
  format: 'cjs',
  external: [SYNTHETICS_MODULE],
  logLevel: 'warning',
} as const;

/** Bundles a canary with esbuild (a dev dependency, like NodejsFunction's) into the Synthetics layout. */
class LocalCanaryBundling implements ILocalBundling {
  constructor(private readonly kind: CanaryKind) {}

  tryBundle(outputDir: string): boolean {
    // Loaded only when an asset is really bundled (unit tests skip bundling).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const esbuild = require('esbuild') as typeof import('esbuild');
    const outfile = path.join(outputDir, CANARY_SCRIPT_PATH);
    fs.mkdirSync(path.dirname(outfile), { recursive: true });
    esbuild.buildSync({
      ...CANARY_BUNDLE_OPTIONS,
      external: [...CANARY_BUNDLE_OPTIONS.external],
      entryPoints: [canaryEntry(this.kind)],
      outfile,
    });
    return true;
  }
}

/**
 * The code of one canary: `lambda/canaries/<kind>/index.ts` bundled to `nodejs/node_modules/index.js`
 * and uploaded as a zip asset. The asset hash is the bundle's (OUTPUT), so an unchanged canary is not
 * redeployed and a change anywhere it imports (shared code, contracts) is.
 *
 * A small `Code` of our own rather than `Code.fromAsset`: that one inspects the staged directory at
 * synth, which does not exist when unit tests skip bundling (`aws:cdk:bundling-stacks: []`), and
 * checks nothing for the browserless `syn-nodejs` runtimes anyway.
 */
export class CanaryCode extends synthetics.Code {
  constructor(private readonly kind: CanaryKind) {
    super();
  }

  public bind(scope: Construct): synthetics.CodeConfig {
    const asset = new s3assets.Asset(scope, 'Code', {
      path: path.dirname(canaryEntry(this.kind)),
      assetHashType: AssetHashType.OUTPUT,
      bundling: {
        // Never used: local bundling always succeeds where the CDK app runs (esbuild is installed).
        image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:20-slim'),
        local: new LocalCanaryBundling(this.kind),
      },
    });
    return { s3Location: { bucketName: asset.s3BucketName, objectKey: asset.s3ObjectKey } };
  }
}

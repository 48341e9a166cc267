import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildWalletApp, WalletStacks } from '../../lib/app';
import { WalletConfig } from '../../lib/config/schema';
import { testConfig } from './config';
import { trackedTempDir } from './temp-dirs';

const CDK_JSON = path.join(__dirname, '..', '..', 'cdk.json');

/** The feature flags of cdk.json, so tests synthesize exactly what `cdk synth` does. */
export function cdkJsonContext(): Record<string, unknown> {
  return (JSON.parse(readFileSync(CDK_JSON, 'utf8')) as { context: Record<string, unknown> }).context;
}

/**
 * No stack traces in construct metadata: CDK records one for every L1 resource it creates
 * ("aws:cdk:creationStack") and every annotation, and under jest (Error.stackTraceLimit 100, each
 * frame source-mapped) that was about a tenth of a whole-app build's CPU. The traces only go to the
 * assembly's *.metadata.json and the validation report's `stackTraces`, which no test reads; the
 * templates, assets, manifest.json and tree.json are byte-identical with and without (checked on the
 * example app). CDK's own switches (aws-cdk-lib cx-api DISABLE_CREATION_STACK_TRACES,
 * DISABLE_METADATA_STACK_TRACE; `new App({ stackTraces: false })` sets the second).
 */
const NO_STACK_TRACES = {
  'aws:cdk:disable-creation-stack-traces': true,
  'aws:cdk:disable-stack-trace': true,
} as const;

export interface TestAppOptions {
  /**
   * Bundle Lambda code with esbuild (slow): true for every stack, or the construct paths (globs) of
   * the stacks to bundle. @default false
   */
  readonly bundle?: boolean | readonly string[];
  /** Register the cdk-nag validation plugins. @default false (nag tests call validateScope) */
  readonly validation?: boolean;
}

/**
 * Creates an App like bin/app.ts does, with test-friendly settings: a temp outdir (removed after
 * the test file by test/helpers/cleanup.ts), no esbuild bundling unless asked, and no built-in template validation pass.
 */
export function newTestApp(options: TestAppOptions = {}): App {
  const outdir = trackedTempDir('wallet-cdk-test-');
  return new App({
    outdir,
    builtinCloudFormationValidation: false,
    context: {
      ...cdkJsonContext(),
      ...NO_STACK_TRACES,
      ...(options.bundle
        ? {
            'aws:cdk:enable-asset-metadata': true,
            'aws:cdk:enable-path-metadata': true,
            ...(options.bundle === true ? {} : { 'aws:cdk:bundling-stacks': options.bundle }),
          }
        : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

export interface TestWallet {
  readonly app: App;
  readonly config: WalletConfig;
  readonly stacks: WalletStacks;
  /** The synthesized template of a stack (cached). */
  template(stack: keyof WalletStacks): Template;
}

/**
 * Node's default Error.stackTraceLimit, which `cdk synth` runs with; jest raises it to 100. CDK
 * captures a stack trace for every acknowledgement whatever the context says (Validations
 * recordAcknowledgment), and under jest each of the 100 frames is source-mapped: a few percent of
 * a whole-app build. The traces go only to construct metadata, which no test reads; an error thrown
 * while building still has its message and the first 10 frames, as in `cdk synth`.
 */
const BUILD_STACK_TRACE_LIMIT = 10;

function withStackTraceLimit<T>(limit: number, fn: () => T): T {
  const previous = Error.stackTraceLimit;
  Error.stackTraceLimit = limit;
  try {
    return fn();
  } finally {
    Error.stackTraceLimit = previous;
  }
}

/** Builds the whole wallet app from a config (the example one by default). */
export function buildTestWallet(config: WalletConfig = testConfig(), options: TestAppOptions = {}): TestWallet {
  const app = newTestApp(options);
  const stacks = withStackTraceLimit(BUILD_STACK_TRACE_LIMIT, () =>
    buildWalletApp(app, config, { validation: options.validation ?? false }),
  );
  const cache = new Map<string, Template>();
  return {
    app,
    config,
    stacks,
    template(name) {
      let t = cache.get(name);
      if (t === undefined) {
        t = Template.fromStack(stacks[name] as Stack);
        cache.set(name, t);
      }
      return t;
    },
  };
}

const shared = new Map<string, TestWallet>();

/**
 * A read-only wallet built once per jest test file for each distinct (config, options) and shared
 * by every suite that asks for the same one: a whole-app build and synth is the largest cost of the
 * CDK aggregates. Like `exampleWallet()` it is synthesized and every construct in it is locked, so a
 * suite that tries to add a resource fails at once ("Cannot add children ... during synthesis")
 * instead of changing what other suites see. Use it for a build that another suite also makes (it
 * stays in memory until the file ends); a suite that adds or changes constructs, or builds under a
 * mock, builds its own with `buildTestWallet()`.
 */
export function sharedTestWallet(config: WalletConfig = testConfig(), options: TestAppOptions = {}): TestWallet {
  // The validated config is plain JSON data (zod output), so equal configs have equal keys.
  const key = JSON.stringify([config, options]);
  let wallet = shared.get(key);
  if (wallet === undefined) {
    wallet = buildTestWallet(config, options);
    wallet.app.synth();
    for (const c of wallet.app.node.findAll()) c.node.lock();
    shared.set(key, wallet);
  }
  return wallet;
}

/**
 * The example-config wallet, built once per jest test file and shared by every suite that only
 * reads it (24 suites build the same app): `sharedTestWallet()` with the example config and the
 * default options.
 */
export function exampleWallet(): TestWallet {
  return sharedTestWallet();
}

import * as path from 'node:path';
import { build, BuildOptions, Metafile } from 'esbuild';
import { CLIENT_BUNDLE_OPTIONS } from '../../scripts/build-client';

/**
 * The client's bundle (npm run build:client, same options) holds only the client and the API
 * contract: no aws-cdk-lib, constructs, AWS SDK, Lambda or other server code, no Node built-in
 * (platform neutral), and stays small.
 */
const ROOT = path.join(__dirname, '..', '..');
/** Minified ESM; it measured 16.0 KB (6.0 KB gzipped) when written (docs/client.md). */
const MAX_BUNDLE_BYTES = 32 * 1024;

const ALLOWED_INPUT = /^(client\/[a-z-]+\.ts|lib\/contract\/[a-z-]+\.ts)$/;

/** What is wrong with a bundle's inputs (paths relative to the repository, as esbuild reports them). */
function inputProblems(meta: Metafile): string[] {
  return Object.keys(meta.inputs)
    .filter((input) => input !== '<stdin>' && !ALLOWED_INPUT.test(input))
    .map((input) => `${input} is in the client bundle; only client/*.ts and lib/contract/*.ts may be`);
}

async function bundle(options: BuildOptions) {
  return build({ ...options, format: 'esm', write: false, metafile: true, absWorkingDir: ROOT, logLevel: 'silent' });
}

test('the client bundle holds only client/ and lib/contract/ code, imports nothing and stays under the size bound', async () => {
  // Act
  const result = await bundle(CLIENT_BUNDLE_OPTIONS);

  // Assess
  const text = result.outputFiles[0].text;
  expect(inputProblems(result.metafile)).toEqual([]);
  expect(Object.keys(result.metafile.inputs)).toEqual(
    expect.arrayContaining(['client/client.ts', 'client/transport.ts', 'lib/contract/api-wire.ts']),
  );
  for (const server of ['aws-cdk-lib', 'constructs/', '@aws-sdk', '@smithy', 'lambda/', 'node_modules']) {
    expect(Object.keys(result.metafile.inputs).join('\n')).not.toContain(server);
  }
  expect(text).not.toMatch(/aws-cdk-lib|@aws-sdk|@smithy/);
  // Self-contained: no import or require of anything left in the output.
  expect(text).not.toMatch(/\bfrom\s*["']|\brequire\(|\bimport\s*\(/);
  expect(text).toMatch(/export\{/);
  expect(text.length).toBeLessThan(MAX_BUNDLE_BYTES);
  expect(result.warnings).toEqual([]);
});

test('fails a bundle that pulls in server code (the check can fail)', async () => {
  // Act: an entry that re-exports the Lambda error mapping next to the client.
  const result = await bundle({
    ...CLIENT_BUNDLE_OPTIONS,
    entryPoints: undefined,
    stdin: {
      contents: "export * from './client/index';\nexport { errorToHttp } from './lambda/shared/errors';\n",
      resolveDir: ROOT,
      loader: 'ts',
    },
  });

  // Assess
  expect(inputProblems(result.metafile)).toEqual([
    'lambda/shared/errors.ts is in the client bundle; only client/*.ts and lib/contract/*.ts may be',
  ]);
});

test('fails to build when client code imports a Node built-in (platform neutral)', async () => {
  await expect(
    bundle({
      ...CLIENT_BUNDLE_OPTIONS,
      entryPoints: undefined,
      stdin: {
        contents: "import { request } from 'node:https';\nexport const x = request;\n",
        resolveDir: path.join(ROOT, 'client'),
        loader: 'ts',
      },
    }),
  ).rejects.toThrow(/node:https/);
});

/**
 * The failover path must never depend on a control-plane API (Route 53's lives in us-east-1 and has
 * failed during real us-east-1 events while DNS answers kept working). This module lists which
 * SDK commands runtime code on the failover path may import, and finds any that it may not.
 */

/** Per SDK client package: a predicate for the commands the failover path may use. */
export const FAILOVER_PATH_ALLOWED_COMMANDS: Readonly<Record<string, (command: string) => boolean>> = {
  // Read-only Route 53 calls (status, DNS answers); every mutation is a control-plane call.
  '@aws-sdk/client-route-53': (c) => /^(Get|List|TestDNSAnswer)/.test(c),
  // PutMetricData is CloudWatch's data plane; alarm definitions and SetAlarmState are not used
  // (Route 53 reads the metric stream, so SetAlarmState would not even flip the switch).
  '@aws-sdk/client-cloudwatch': (c) =>
    /^(PutMetricData|GetMetricData|GetMetricStatistics|DescribeAlarms|DescribeAlarmHistory|ListMetrics)Command$/.test(
      c,
    ),
  // Key policies and key state are never changed by runtime code.
  '@aws-sdk/client-kms': (c) => /^(Sign|GetPublicKey|DescribeKey|Verify)Command$/.test(c),
  '@aws-sdk/client-iam': () => false,
};

export interface ForbiddenImport {
  readonly file: string;
  readonly pkg: string;
  readonly command: string;
}

const IMPORT = /import\s*(?:type\s*)?\{([^}]*)\}\s*from\s*['"]([^'"]+)['"]/g;

/** Every `...Command` a source file imports from an `@aws-sdk/*` package. */
export function sdkCommandImports(file: string, source: string): Array<{ file: string; pkg: string; name: string }> {
  return [...source.matchAll(IMPORT)]
    .filter((m) => m[2].startsWith('@aws-sdk/'))
    .flatMap((m) =>
      m[1]
        .split(',')
        .map((raw) =>
          raw
            .trim()
            .split(/\s+as\s+/)[0]
            .replace(/^type\s+/, ''),
        )
        .filter((name) => name.endsWith('Command'))
        .map((name) => ({ file, pkg: m[2], name })),
    );
}

/** Finds SDK commands imported by `source` that the failover path may not use. */
export function forbiddenImports(file: string, source: string): ForbiddenImport[] {
  return sdkCommandImports(file, source)
    .filter(({ pkg, name }) => {
      const allowed = FAILOVER_PATH_ALLOWED_COMMANDS[pkg];
      return allowed !== undefined && !allowed(name);
    })
    .map(({ pkg, name }) => ({ file, pkg, command: name }));
}

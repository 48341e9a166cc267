import { VERIFY_CHECKS, VerifyCheck, VerifyContext } from './checks';

export interface CheckReport {
  readonly id: string;
  readonly title: string;
  readonly doc: string;
  readonly ok: boolean;
  readonly details: readonly string[];
}

export interface VerifyReport {
  readonly envName: string;
  readonly target: 'aws' | 'simulated';
  readonly at: string;
  readonly ok: boolean;
  readonly failed: readonly string[];
  readonly checks: readonly CheckReport[];
}

/** Runs every check (read-only); a check that throws fails with the error as its detail. */
export async function runVerify(
  ctx: VerifyContext,
  target: 'aws' | 'simulated',
  checks: readonly VerifyCheck[] = VERIFY_CHECKS,
): Promise<VerifyReport> {
  const reports: CheckReport[] = [];
  for (const c of checks) {
    try {
      const r = await c.run(ctx);
      reports.push({ id: c.id, title: c.title, doc: c.doc, ok: r.ok, details: r.details });
    } catch (err) {
      const e = err as Error & { name?: string };
      reports.push({
        id: c.id,
        title: c.title,
        doc: c.doc,
        ok: false,
        details: [`FAIL ${e.name ?? 'Error'}: ${e.message}`],
      });
    }
  }
  const failed = reports.filter((r) => !r.ok).map((r) => r.id);
  return {
    envName: ctx.env.envName,
    target,
    at: ctx.now.toISOString(),
    ok: failed.length === 0,
    failed,
    checks: reports,
  };
}

export function formatReport(r: VerifyReport): string {
  const lines = [`wallet verify: ${r.envName} (${r.target}) at ${r.at}`, ''];
  for (const c of r.checks) {
    lines.push(
      `${c.ok ? 'PASS' : 'FAIL'}  ${c.id}: ${c.title}`,
      `      doc: ${c.doc}`,
      ...c.details.map((d) => `      ${d}`),
    );
  }
  lines.push(
    '',
    r.ok
      ? 'all checks passed'
      : `${r.failed.length} check(s) failed: ${r.failed.join(', ')} (see docs/runbooks/verify.md)`,
  );
  return lines.join('\n');
}

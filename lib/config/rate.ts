/**
 * The `rate(...)` schedules of the config (`canary.schedule`, the backup's, `spending.cold.checkEvery`)
 * in seconds. A leaf module (no imports): `schema.ts` re-exports it, and a section such as
 * `spending-cold.ts`, which `schema.ts` imports, may use it without an import cycle.
 */

/** Seconds between runs of a schedule the `rateExpression` schema accepts (e.g. 60 for "rate(1 minute)"). */
export function rateSeconds(expression: string): number {
  const match = /^rate\((\d+) (minute|minutes|hour|hours)\)$/.exec(expression.trim());
  if (match === null) {
    throw new Error(
      `rateSeconds: ${JSON.stringify(expression)} is not a rate expression; use "rate(1 minute)", "rate(N minutes)" or "rate(1 hour)"`,
    );
  }
  return Number(match[1]) * (match[2].startsWith('hour') ? 3600 : 60);
}

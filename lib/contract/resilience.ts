/**
 * Stack outputs that declare an environment's targets and budgets, read by the resilience report
 * (lib/resilience) from the synthesized templates, so the report never needs the config. The CDK
 * stacks emit them; renaming one breaks the report, so the names live here.
 */
export const RESILIENCE_OUTPUTS = {
  /** Worst-case DNS failover time computed at synth (lib/failover/rto-budget.ts). */
  rtoBudget: 'RtoBudgetSeconds',
  /** `targets.rtoSeconds`. */
  rtoTarget: 'RtoTargetSeconds',
  /** `targets.rpoSeconds`: data loss allowed when a region is lost. */
  rpoTarget: 'RpoTargetSeconds',
  /** `dns.recordTtlSeconds`: the resolver cache bound the RTO budget assumes. */
  dnsCache: 'DnsCacheSeconds',
  /** How old the newest backup may be (`targets.backupRpoSeconds`, once the backup issue adds it). */
  backupRpoTarget: 'BackupRpoTargetSeconds',
} as const;

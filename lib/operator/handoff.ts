/** The hand-off lives in lib/failover/handoff.ts (remediation moves leases and calls it too); kept here for operator imports. */
export * from '../failover/handoff';

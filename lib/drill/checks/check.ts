import { WalletConfig } from '../../config/schema';
import { DrillDirection } from '../../contract/drill-metrics';
import { RegionRole } from '../../contract/names';
import { EnvironmentStatus, Reading } from '../status';

/** One pre-check: what was checked, the verdict, what was seen, and how to fix a failure. */
export interface CheckResult {
  readonly id: string;
  readonly title: string;
  readonly ok: boolean;
  /** A failed blocker stops the drill; a failed warning is reported only. */
  readonly level: 'blocker' | 'warning';
  readonly detail: string;
  readonly fix?: string;
}

export interface CheckOptions {
  readonly allowAlarms?: readonly string[];
}

/** What every pre-check sees: one status snapshot and the drill it is for. */
export interface CheckContext {
  readonly status: EnvironmentStatus;
  readonly config: WalletConfig;
  readonly direction: DrillDirection;
  readonly options: CheckOptions;
  /** The region role being left and the one taking over. */
  readonly from: RegionRole;
  readonly to: RegionRole;
  readonly fromRegion: string;
  readonly toRegion: string;
}

/**
 * A named pre-check (one per file in this folder, listed in order in `PRE_CHECKS`, ./index.ts):
 * `run` returns its verdict, or nothing when it does not apply to this snapshot.
 */
export interface PreCheck {
  /** The `CheckResult.id` it reports (stable: reports and tests name checks by it). */
  readonly id: string;
  /** What it proves before traffic moves, for the docs table. */
  readonly explanation: string;
  readonly run: (ctx: CheckContext) => CheckResult | undefined;
}

/** The two regions of a drill direction. */
export function directionRoles(direction: DrillDirection): { from: RegionRole; to: RegionRole } {
  return direction === 'failover' ? { from: 'primary', to: 'standby' } : { from: 'standby', to: 'primary' };
}

export const roleRegion = (config: WalletConfig, role: RegionRole): string =>
  role === 'primary' ? config.regions.primary : config.regions.standby;

export const readFailed = (what: string, r: Reading<unknown>): string =>
  r.ok ? '' : `could not read ${what}: ${r.error}`;

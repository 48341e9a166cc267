import { WalletConfig } from '../config/schema';
import { SITE_DOCUMENTS, STATUS_SITE_PREFIX } from '../contract/status';
import { pageInfo } from '../status/cli';
import { openIncident, resolveIncident, updateIncident, Who } from '../status/incidents';
import { initialState } from '../status/model';
import { commitChange } from '../status/publish';
import { StatusReplica } from '../status/store';
import { CheckResult } from './checks';
import { settingsFromConfig } from './settings';

/**
 * The drill's own incident on the status page: a drill-marked incident from the `planned-drill`
 * template, opened when the drill first changes something (the lease moved), moved to `monitoring`
 * when the standby answers the public name, and resolved when the drill ends, each with the time
 * the drill observed that phase. After each write the drill reads the published documents back
 * from EVERY status bucket and checks the page shows the incident in that state: one check per
 * phase and bucket in the drill record.
 *
 * It never stops or delays the failover: the writes and checks run in order on their own chain,
 * the drill awaits them only at the end, and a failure becomes a failed check, never an exception.
 * The page is told; subscribers are not sent drill updates (the notifier is a no-op): a rehearsal
 * should not page users. Writes use the status store's conditional PutObject like the updater.
 */
export interface StatusBucket {
  readonly region: string;
  readonly replica: StatusReplica;
  /** One published object under `site/`, or undefined when it does not exist. */
  read(key: string): Promise<string | undefined>;
}

type Phase = 'investigating' | 'monitoring' | 'resolved';

export class DrillStatusPage {
  private chain: Promise<void> = Promise.resolve();
  private incidentId?: string;
  private readonly checks: CheckResult[] = [];
  private readonly seen = new Set<Phase>();
  private servingRegion = '';

  constructor(
    private readonly config: WalletConfig,
    private readonly buckets: readonly StatusBucket[],
    private readonly actor: string,
    private readonly reason: string,
  ) {}

  /** The drill changed something (the lease moved or the switch was thrown) at `at`: open the incident. */
  started(at: string): void {
    this.step('investigating', at);
  }

  /** The public name answers from `region` (the drill's target) at `at`. */
  serving(at: string, region: string): void {
    this.servingRegion = region;
    this.step('monitoring', at);
  }

  /** The drill ended (completed or restored) at `at`: resolve, then return every page check. */
  async finish(at: string): Promise<CheckResult[]> {
    if (this.seen.has('investigating')) this.step('resolved', at);
    await this.chain;
    return [...this.checks];
  }

  private step(phase: Phase, at: string): void {
    if (this.seen.has(phase)) return;
    this.seen.add(phase);
    this.chain = this.chain.then(() => this.write(phase, at).catch((err: unknown) => this.fail(phase, err)));
  }

  private async write(phase: Phase, at: string): Promise<void> {
    const who: Who = { actor: this.actor, reason: this.reason, now: at };
    const settings = settingsFromConfig(this.config);
    const replicas = this.buckets.map((b) => b.replica);
    const result = await commitChange(
      replicas,
      () => initialState(pageInfo(this.config), at),
      (state) => {
        if (phase === 'investigating') {
          const change = openIncident(
            state,
            { scenario: 'planned-drill', settings, publish: true, drill: true, startedAt: at },
            who,
          );
          this.incidentId = change.state.incidents[change.state.incidents.length - 1].id;
          return change;
        }
        if (this.incidentId === undefined) throw new Error('the drill incident was never opened');
        return phase === 'monitoring'
          ? updateIncident(
              state,
              {
                id: this.incidentId,
                status: 'monitoring',
                body: `${this.servingRegion} now answers for the public API; we are monitoring the drill.`,
              },
              who,
            )
          : resolveIncident(state, this.incidentId, undefined, who);
      },
      // The page only: drill updates are not sent to subscribers.
      { send: async () => undefined },
      { key: `drill-${phase}-${at}`, now: () => new Date(at) },
    );
    const id = this.incidentId!;
    for (const b of this.buckets) {
      const unavailable = result.unavailable.includes(b.replica.name);
      this.checks.push(await this.check(b, id, phase, unavailable));
    }
  }

  private async check(b: StatusBucket, id: string, phase: Phase, unavailable: boolean): Promise<CheckResult> {
    const title = `status page in ${b.region} shows the drill incident as ${phase}`;
    const base = { id: `status-page-${phase}-${b.region}`, title, level: 'warning' as const };
    if (unavailable)
      return { ...base, ok: false, detail: `the status bucket in ${b.region} was not written (unavailable)` };
    const all = parseIncidents(await b.read(SITE_DOCUMENTS.incidents));
    const open = parseIncidents(await b.read(SITE_DOCUMENTS.unresolved));
    const shown = all.find((i) => i.id === id);
    const listedOpen = open.some((i) => i.id === id);
    const problems: string[] = [];
    if (shown === undefined) problems.push(`${SITE_DOCUMENTS.incidents} has no incident ${id}`);
    else if (shown.status !== phase) problems.push(`${SITE_DOCUMENTS.incidents} shows ${id} as ${shown.status}`);
    if (phase !== 'resolved' && !listedOpen) problems.push(`${SITE_DOCUMENTS.unresolved} does not list ${id}`);
    if (phase === 'resolved' && listedOpen) problems.push(`${SITE_DOCUMENTS.unresolved} still lists ${id}`);
    return problems.length === 0
      ? {
          ...base,
          ok: true,
          detail: `${id} is ${phase} in ${SITE_DOCUMENTS.incidents} and ${SITE_DOCUMENTS.unresolved}`,
        }
      : {
          ...base,
          ok: false,
          detail: problems.join('; '),
          fix: 'check the status buckets and the drill role (s3:GetObject/PutObject on the status objects)',
        };
  }

  private fail(phase: Phase, err: unknown): void {
    for (const b of this.buckets) {
      this.checks.push({
        id: `status-page-${phase}-${b.region}`,
        title: `status page in ${b.region} shows the drill incident as ${phase}`,
        level: 'warning',
        ok: false,
        detail: `could not update the drill incident: ${(err as Error)?.message ?? String(err)}`,
        fix: 'check the status buckets and the drill role (s3:GetObject/PutObject on the status objects)',
      });
    }
  }
}

function parseIncidents(body: string | undefined): Array<{ id: string; status: string }> {
  if (body === undefined) return [];
  const doc = JSON.parse(body) as { incidents?: Array<{ id: string; status: string }> };
  return doc.incidents ?? [];
}

/** The key of a published document in a status bucket. */
export const siteKey = (document: string): string => `${STATUS_SITE_PREFIX}/${document}`;

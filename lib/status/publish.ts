import { renderSite, SiteDocument } from './documents';
import { Change, StatusNotification } from './incidents';
import { AuditEntry, StatusState } from './model';
import { ReplicaUnavailableError, StateConflictError, StatusReplica } from './store';

/**
 * Commits one status change to the replicas and tells subscribers once.
 *
 * 1. Read every replica; take the state with the highest revision (ties: the first replica, the
 *    primary region's bucket). A replica that does not answer is skipped.
 * 2. Apply the change (pure). A refused change (StatusInputError) throws here: nothing is written.
 * 3. Render and validate the whole site from the new state (throws before any write if invalid).
 * 4. Conditional write of the state, with the change's notifications in its outbox, to the first
 *    replica that answered; a 412 means another updater committed first: go back to 1 (where the
 *    duplicate event now changes nothing). Then bring the other replicas' state up to date.
 * 5. Write the documents to every replica that answered, then the audit records.
 * 6. Send the outbox, then remove the sent entries (another conditional write).
 *
 * Delivery is at least once: a crash between 6's send and its removal sends that change again on
 * the next run (an entry older than {@link OUTBOX_STALE_MS} is assumed orphaned and re-sent).
 */

export interface Notifier {
  send(notifications: readonly StatusNotification[]): Promise<void>;
}

export const OUTBOX_STALE_MS = 60_000;
export const MAX_COMMIT_ATTEMPTS = 5;

export interface CommitResult {
  readonly changed: boolean;
  readonly state: StatusState;
  readonly documents: readonly SiteDocument[];
  readonly notifications: readonly StatusNotification[];
  /** Replicas that did not answer (their copy catches up on the next change). */
  readonly unavailable: readonly string[];
  readonly attempts: number;
}

export interface CommitOptions {
  /** Compute and render, write nothing, send nothing (what `--dry-run` shows). */
  readonly dryRun?: boolean;
  /** Identifies this change's outbox entry (the event's key, or a CLI invocation id). */
  readonly key: string;
  readonly now: () => Date;
}

async function loadNewest(replicas: readonly StatusReplica[]) {
  const results = await Promise.allSettled(replicas.map((r) => r.readState()));
  const answered: Array<{ replica: StatusReplica; state: StatusState | undefined; etag: string | undefined }> = [];
  const unavailable: string[] = [];
  results.forEach((r, i) => {
    if (r.status === 'fulfilled') answered.push({ replica: replicas[i], ...r.value });
    else if (r.reason instanceof ReplicaUnavailableError) unavailable.push(replicas[i].name);
    else throw r.reason;
  });
  if (answered.length === 0) {
    throw new ReplicaUnavailableError(replicas.map((r) => r.name).join(', '), new Error('no status replica answered'));
  }
  let newest = answered[0];
  for (const a of answered) if ((a.state?.revision ?? -1) > (newest.state?.revision ?? -1)) newest = a;
  return { answered, newest, unavailable };
}

export async function commitChange(
  replicas: readonly StatusReplica[],
  initial: () => StatusState,
  mutate: (state: StatusState) => Change,
  notifier: Notifier,
  options: CommitOptions,
): Promise<CommitResult> {
  for (let attempt = 1; attempt <= MAX_COMMIT_ATTEMPTS; attempt++) {
    const { answered, newest, unavailable } = await loadNewest(replicas);
    const base = newest.state ?? initial();
    const change = mutate(base);
    const nowMs = options.now().getTime();
    const orphaned = base.outbox.filter((o) => nowMs - Date.parse(o.at) >= OUTBOX_STALE_MS);
    if (change.state === base && orphaned.length === 0) {
      return { changed: false, state: base, documents: [], notifications: [], unavailable, attempts: attempt };
    }
    const next: StatusState =
      change.notifications.length === 0
        ? change.state
        : {
            ...change.state,
            outbox: [
              ...change.state.outbox,
              { key: options.key, at: options.now().toISOString(), notifications: [...change.notifications] },
            ],
          };
    const documents = renderSite(next);
    // The orphaned entries (a crashed run's) and this change's own; each entry once.
    const own = change.notifications.length === 0 ? [] : next.outbox.slice(-1);
    const toSend = [...new Map([...orphaned, ...own].map((o) => [`${o.key}@${o.at}`, o])).values()];
    if (options.dryRun) {
      return {
        changed: change.state !== base,
        state: next,
        documents,
        notifications: toSend.flatMap((o) => o.notifications),
        unavailable,
        attempts: attempt,
      };
    }
    // The commit point: the first replica that answered, conditionally.
    const primary = answered[0];
    const written = next;
    let etag: string;
    try {
      etag = await primary.replica.writeState(written, primary.state === undefined ? undefined : primary.etag);
    } catch (err) {
      if (err instanceof StateConflictError) continue;
      throw err;
    }
    const lagging = answered.slice(1);
    const stillUnavailable = [...unavailable];
    for (const a of lagging) {
      try {
        await a.replica.overwriteState(written);
      } catch (err) {
        if (!(err instanceof ReplicaUnavailableError)) throw err;
        stillUnavailable.push(a.replica.name);
      }
    }
    // A replica that had the base state already has the base documents: write only what changed.
    // One that lagged (it was unavailable, or has no state yet) gets every document.
    const before = newest.state === undefined ? new Map<string, string>() : documentBodies(base);
    const changedDocs = documents.filter((d) => before.get(d.path) !== d.body);
    for (const a of answered) {
      if (stillUnavailable.includes(a.replica.name)) continue;
      const inSync = a.state !== undefined && a.state.revision === base.revision && newest.state !== undefined;
      try {
        await a.replica.writeDocuments(inSync ? changedDocs : documents);
        await a.replica.writeAudit(newAudit(base, written), `${written.revision}`);
      } catch (err) {
        if (!(err instanceof ReplicaUnavailableError)) throw err;
        stillUnavailable.push(a.replica.name);
      }
    }
    const notifications = toSend.flatMap((o) => o.notifications);
    if (toSend.length > 0) {
      await notifier.send(notifications);
      await clearOutbox(
        primary.replica,
        lagging.map((a) => a.replica).filter((r) => !stillUnavailable.includes(r.name)),
        written,
        etag,
        new Set(toSend.map((o) => o.key)),
      );
    }
    return {
      changed: true,
      state: written,
      documents,
      notifications,
      unavailable: stillUnavailable,
      attempts: attempt,
    };
  }
  throw new StateConflictError(
    `the status state kept changing under ${MAX_COMMIT_ATTEMPTS} attempts; the event will be retried`,
  );
}

function documentBodies(state: StatusState): Map<string, string> {
  try {
    return new Map(renderSite(state).map((d) => [d.path, d.body]));
  } catch {
    return new Map();
  }
}

const newAudit = (before: StatusState, after: StatusState): AuditEntry[] => {
  const seen = new Set(before.audit.map((a) => JSON.stringify(a)));
  return after.audit.filter((a) => !seen.has(JSON.stringify(a)));
};

/**
 * Removes sent outbox entries (a new revision, so every replica agrees they were sent); if the state
 * moved meanwhile, removes them from the newer state.
 */
async function clearOutbox(
  replica: StatusReplica,
  others: readonly StatusReplica[],
  state: StatusState,
  etag: string,
  keys: ReadonlySet<string>,
): Promise<void> {
  let current = state;
  let tag: string | undefined = etag;
  for (let attempt = 0; attempt < MAX_COMMIT_ATTEMPTS; attempt++) {
    const cleared = {
      ...current,
      revision: current.revision + 1,
      outbox: current.outbox.filter((o) => !keys.has(o.key)),
    };
    if (cleared.outbox.length === current.outbox.length) return;
    try {
      await replica.writeState(cleared, tag);
      for (const other of others) await other.overwriteState(cleared).catch(() => undefined);
      return;
    } catch (err) {
      if (!(err instanceof StateConflictError)) throw err;
      const reloaded = await replica.readState();
      if (reloaded.state === undefined) return;
      current = reloaded.state;
      tag = reloaded.etag;
    }
  }
}

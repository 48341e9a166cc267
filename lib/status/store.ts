import { mkdirSync, readFileSync, writeFileSync, existsSync, renameSync } from 'node:fs';
import * as path from 'node:path';
import { GetObjectCommand, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { SITE_DOCUMENTS, STATUS_KEYS, STATUS_SITE_PREFIX } from '../contract/status';
import { SiteDocument } from './documents';
import { AuditEntry, parseState, StatusState } from './model';

/**
 * Where the status lives: one replica per status bucket (one per wallet region). Each holds the
 * model (`state/status.json`), the audit trail (`state/audit/`) and the public site (`site/`).
 * The state object is the arbiter of every change: it is written with a conditional PutObject
 * (`If-Match` its ETag, `If-None-Match: *` when new), so of two updaters applying the same event
 * exactly one commits, and the other reloads and finds nothing left to do.
 */

/** The replica answered that someone else changed the state first (HTTP 412): reload and retry. */
export class StateConflictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StateConflictError';
  }
}

/** The replica did not answer (its region is down, a timeout, no permission): use another. */
export class ReplicaUnavailableError extends Error {
  constructor(
    readonly replica: string,
    cause: unknown,
  ) {
    super(`status replica ${replica} is unavailable: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'ReplicaUnavailableError';
  }
}

export interface LoadedState {
  readonly state: StatusState | undefined;
  /** Version token for the conditional write (undefined = no state yet). */
  readonly etag: string | undefined;
}

export interface StatusReplica {
  readonly name: string;
  readState(): Promise<LoadedState>;
  /** Conditional write: `etag` undefined means "only if there is none yet". Returns the new ETag. */
  writeState(state: StatusState, etag: string | undefined): Promise<string>;
  /** Unconditional write (a lagging replica brought up to date). */
  overwriteState(state: StatusState): Promise<string>;
  /** Data documents first, `index.html` last, so the page never points at a document not yet written. */
  writeDocuments(docs: readonly SiteDocument[]): Promise<void>;
  writeAudit(entries: readonly AuditEntry[], id: string): Promise<void>;
}

/** Writes data documents before the pages that show them. */
export const publishOrder = (docs: readonly SiteDocument[]): SiteDocument[] =>
  [...docs].sort((a, b) => rank(a.path) - rank(b.path));
const rank = (p: string) => (p === SITE_DOCUMENTS.index ? 2 : p.endsWith('.html') ? 1 : 0);

const isPreconditionFailed = (err: unknown): boolean =>
  err instanceof S3ServiceException &&
  (err.$metadata?.httpStatusCode === 412 ||
    err.name === 'PreconditionFailed' ||
    err.name === 'ConditionalRequestConflict');

const isNoSuchKey = (err: unknown): boolean =>
  err instanceof S3ServiceException && (err.name === 'NoSuchKey' || err.$metadata?.httpStatusCode === 404);

/** Cache-Control for each document: HTML and JSON short (changes must show within a minute). */
export const cacheControl = (p: string): string =>
  p === SITE_DOCUMENTS.css ? 'public, max-age=300' : 'public, max-age=30, stale-if-error=86400';

export class S3StatusReplica implements StatusReplica {
  constructor(
    private readonly s3: S3Client,
    readonly bucket: string,
    readonly name: string = bucket,
  ) {}

  async readState(): Promise<LoadedState> {
    try {
      const out = await this.s3.send(new GetObjectCommand({ Bucket: this.bucket, Key: STATUS_KEYS.state }));
      const body = await out.Body!.transformToString();
      return { state: parseState(JSON.parse(body)), etag: out.ETag };
    } catch (err) {
      if (isNoSuchKey(err)) return { state: undefined, etag: undefined };
      if (
        err instanceof S3ServiceException &&
        (err.$metadata?.httpStatusCode ?? 500) < 500 &&
        err.name !== 'AccessDenied'
      )
        throw err;
      throw new ReplicaUnavailableError(this.name, err);
    }
  }

  async writeState(state: StatusState, etag: string | undefined): Promise<string> {
    try {
      const out = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: STATUS_KEYS.state,
          Body: JSON.stringify(state),
          ContentType: 'application/json',
          ...(etag === undefined ? { IfNoneMatch: '*' } : { IfMatch: etag }),
        }),
      );
      return out.ETag ?? '';
    } catch (err) {
      if (isPreconditionFailed(err)) {
        throw new StateConflictError(
          `the status state in ${this.name} changed since it was read (revision ${state.revision - 1})`,
        );
      }
      throw new ReplicaUnavailableError(this.name, err);
    }
  }

  async overwriteState(state: StatusState): Promise<string> {
    try {
      const out = await this.s3.send(
        new PutObjectCommand({
          Bucket: this.bucket,
          Key: STATUS_KEYS.state,
          Body: JSON.stringify(state),
          ContentType: 'application/json',
        }),
      );
      return out.ETag ?? '';
    } catch (err) {
      throw new ReplicaUnavailableError(this.name, err);
    }
  }

  async writeDocuments(docs: readonly SiteDocument[]): Promise<void> {
    try {
      for (const d of publishOrder(docs)) {
        await this.s3.send(
          new PutObjectCommand({
            Bucket: this.bucket,
            Key: `${STATUS_SITE_PREFIX}/${d.path}`,
            Body: d.body,
            ContentType: d.contentType,
            CacheControl: cacheControl(d.path),
          }),
        );
      }
    } catch (err) {
      throw new ReplicaUnavailableError(this.name, err);
    }
  }

  async writeAudit(entries: readonly AuditEntry[], id: string): Promise<void> {
    try {
      for (const [n, e] of entries.entries()) {
        // If-None-Match: a retried write of the same record is a no-op, never a second copy.
        await this.s3
          .send(
            new PutObjectCommand({
              Bucket: this.bucket,
              Key: STATUS_KEYS.audit(e.at, `${id}-${n}`),
              Body: JSON.stringify(e),
              ContentType: 'application/json',
              IfNoneMatch: '*',
            }),
          )
          .catch((err: unknown) => {
            if (!isPreconditionFailed(err)) throw err;
          });
      }
    } catch (err) {
      throw new ReplicaUnavailableError(this.name, err);
    }
  }
}

/**
 * A replica in a local directory (`state/`, `site/` as in a bucket), for offline rehearsal with the
 * CLI (`--state-dir`) and for `render`. The ETag is the state's revision; writes are atomic renames.
 */
export class DirectoryStatusReplica implements StatusReplica {
  constructor(readonly dir: string) {}
  get name(): string {
    return this.dir;
  }

  async readState(): Promise<LoadedState> {
    const file = path.join(this.dir, STATUS_KEYS.state);
    if (!existsSync(file)) return { state: undefined, etag: undefined };
    const state = parseState(JSON.parse(readFileSync(file, 'utf8')));
    return { state, etag: String(state.revision) };
  }

  async writeState(state: StatusState, etag: string | undefined): Promise<string> {
    const current = await this.readState();
    if (current.etag !== etag)
      throw new StateConflictError(`the status state in ${this.dir} changed since it was read`);
    return this.overwriteState(state);
  }

  async overwriteState(state: StatusState): Promise<string> {
    atomicWrite(path.join(this.dir, STATUS_KEYS.state), JSON.stringify(state, null, 1));
    return String(state.revision);
  }

  async writeDocuments(docs: readonly SiteDocument[]): Promise<void> {
    for (const d of publishOrder(docs)) atomicWrite(path.join(this.dir, STATUS_SITE_PREFIX, d.path), d.body);
  }

  async writeAudit(entries: readonly AuditEntry[], id: string): Promise<void> {
    for (const [n, e] of entries.entries()) {
      const file = path.join(this.dir, STATUS_KEYS.audit(e.at, `${id}-${n}`).replace(/:/g, ''));
      if (!existsSync(file)) atomicWrite(file, JSON.stringify(e, null, 1));
    }
  }
}

export function atomicWrite(file: string, body: string): void {
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, body);
  renameSync(tmp, file);
}

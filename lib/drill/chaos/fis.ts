import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import { CallRecord, classifyCommand, ForbiddenCallError } from '../clients';

/**
 * The FIS calls the chaos command makes, behind one small port. Five commands, all from the FIS API
 * reference: ListExperimentTemplates and ListExperiments (find ours, refuse a second run), StartExperiment,
 * GetExperiment and StopExperiment. Every call passes the drill's call guard (lib/drill/clients.ts: FIS may
 * start and stop experiments, never create, change or delete a template) and is recorded in the audit trail.
 *
 * Why not `@aws-sdk/client-fis`: the project pins every SDK client at one version (3.1162.0) and the npm
 * registry this project installs from has no client-fis at that version (only 3.332.0 and 3.523.0, whose
 * older @aws-sdk/core would displace the pinned one). So the real adapter signs the five REST-JSON requests
 * itself with Smithy's SigV4 signer and the standard credential chain, the same libraries the clients use.
 */

/** FIS experiment states (FIS API reference, ExperimentState.status). */
export type ExperimentStatus =
  'pending' | 'initiating' | 'running' | 'completed' | 'stopping' | 'stopped' | 'failed' | 'cancelled';

/** A state in which an experiment still runs or may still inject faults. */
export const ACTIVE_STATUSES: readonly ExperimentStatus[] = ['pending', 'initiating', 'running', 'stopping'];

export interface FisTemplate {
  readonly id: string;
  readonly tags: Readonly<Record<string, string>>;
}

export interface FisExperiment {
  readonly id: string;
  readonly templateId: string;
  readonly status: ExperimentStatus;
  readonly reason?: string;
  readonly startTime?: number;
  readonly endTime?: number;
  readonly tags: Readonly<Record<string, string>>;
}

export interface FisApi {
  listExperimentTemplates(region: string): Promise<FisTemplate[]>;
  listExperiments(region: string): Promise<FisExperiment[]>;
  startExperiment(
    region: string,
    input: { templateId: string; clientToken: string; tags: Record<string, string> },
  ): Promise<FisExperiment>;
  getExperiment(region: string, id: string): Promise<FisExperiment>;
  stopExperiment(region: string, id: string): Promise<FisExperiment>;
}

/** Sends one FIS command (SDK command name, FIS API input) and returns the FIS API output. */
export type FisSend = (region: string, command: string, input: Record<string, unknown>) => Promise<unknown>;

const time = (v: unknown): number | undefined =>
  v instanceof Date ? v.getTime() : typeof v === 'string' || typeof v === 'number' ? new Date(v).getTime() : undefined;

function experimentOf(raw: unknown): FisExperiment {
  const e = (raw ?? {}) as Record<string, unknown>;
  const state = (e.state ?? {}) as { status?: string; reason?: string };
  return {
    id: String(e.id),
    templateId: String(e.experimentTemplateId),
    status: (state.status ?? 'pending') as ExperimentStatus,
    reason: state.reason,
    startTime: time(e.startTime),
    endTime: time(e.endTime),
    tags: (e.tags ?? {}) as Record<string, string>,
  };
}

/** The port over any sender; the guard refuses and records exactly as for the SDK clients. */
export function fisApi(send: FisSend, calls: CallRecord[]): FisApi {
  const call = async (region: string, command: string, input: Record<string, unknown>) => {
    const kind = classifyCommand('fis', command);
    calls.push({ service: 'fis', region, command, kind, input });
    if (kind === 'forbidden') throw new ForbiddenCallError('fis', command);
    return (await send(region, command, input)) as Record<string, unknown>;
  };
  return {
    async listExperimentTemplates(region) {
      const out = await call(region, 'ListExperimentTemplatesCommand', {});
      return ((out.experimentTemplates ?? []) as Array<Record<string, unknown>>).map((t) => ({
        id: String(t.id),
        tags: (t.tags ?? {}) as Record<string, string>,
      }));
    },
    async listExperiments(region) {
      const out = await call(region, 'ListExperimentsCommand', {});
      return ((out.experiments ?? []) as unknown[]).map(experimentOf);
    },
    async startExperiment(region, input) {
      const out = await call(region, 'StartExperimentCommand', {
        clientToken: input.clientToken,
        experimentTemplateId: input.templateId,
        tags: input.tags,
      });
      return experimentOf(out.experiment);
    },
    async getExperiment(region, id) {
      return experimentOf((await call(region, 'GetExperimentCommand', { id })).experiment);
    },
    async stopExperiment(region, id) {
      return experimentOf((await call(region, 'StopExperimentCommand', { id })).experiment);
    },
  };
}

/** The REST route of each command (FIS API reference, "Request Syntax"). */
export function fisRoute(
  command: string,
  input: Record<string, unknown>,
): { method: string; path: string; body?: string } {
  const id = encodeURIComponent(String(input.id ?? ''));
  switch (command) {
    case 'ListExperimentTemplatesCommand':
      return { method: 'GET', path: '/experimentTemplates' };
    case 'ListExperimentsCommand':
      return { method: 'GET', path: '/experiments' };
    case 'StartExperimentCommand':
      return { method: 'POST', path: '/experiments', body: JSON.stringify(input) };
    case 'GetExperimentCommand':
      return { method: 'GET', path: `/experiments/${id}` };
    case 'StopExperimentCommand':
      return { method: 'DELETE', path: `/experiments/${id}` };
    default:
      throw new Error(`no FIS route for ${command}`);
  }
}

type SourceData = string | ArrayBuffer | ArrayBufferView;
const bytes = (d: SourceData): string | Uint8Array =>
  typeof d === 'string'
    ? d
    : d instanceof ArrayBuffer
      ? new Uint8Array(d)
      : new Uint8Array(d.buffer, d.byteOffset, d.byteLength);

/** SHA-256 (and HMAC-SHA-256) for the SigV4 signer, from node:crypto. */
class Sha256 {
  private hash: ReturnType<typeof createHash> | ReturnType<typeof createHmac>;
  private readonly secret?: string | Uint8Array;
  constructor(secret?: SourceData) {
    this.secret = secret === undefined ? undefined : bytes(secret);
    this.hash = this.fresh();
  }
  private fresh() {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', this.secret);
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

export interface AwsFisOptions {
  /** Send to this endpoint instead of `https://fis.<region>.amazonaws.com` (tests). */
  readonly endpoint?: string;
  /** The standard chain's credentials: the drill passes its STS client's provider (`sts.config.credentials`). */
  readonly credentials: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>;
  readonly fetch?: typeof fetch;
}

/** Real FIS: SigV4-signed REST-JSON requests, credentials from the standard chain. */
export function awsFisSend(options: AwsFisOptions): FisSend {
  const { credentials } = options;
  const doFetch = options.fetch ?? fetch;
  return async (region, command, input) => {
    const route = fisRoute(command, input);
    const base = new URL(options.endpoint ?? `https://fis.${region}.amazonaws.com`);
    const signer = new SignatureV4({ service: 'fis', region, credentials, sha256: Sha256 });
    const headers: Record<string, string> = { host: base.host, 'content-type': 'application/json' };
    const signed = await signer.sign({
      method: route.method,
      protocol: base.protocol,
      hostname: base.hostname,
      port: base.port === '' ? undefined : Number(base.port),
      path: route.path,
      headers,
      body: route.body,
      query: {},
    });
    const res = await doFetch(new URL(route.path, base), {
      method: route.method,
      headers: signed.headers as Record<string, string>,
      body: route.body,
    });
    const text = await res.text();
    const out = text === '' ? {} : (JSON.parse(text) as Record<string, unknown>);
    if (!res.ok) {
      const name = String(res.headers.get('x-amzn-errortype') ?? out.__type ?? `HTTP ${res.status}`).split(':')[0];
      throw Object.assign(new Error(`${name}: ${String(out.message ?? out.Message ?? text)}`), { name });
    }
    return out;
  };
}

/** FIS of the simulated AWS: the same commands, answered by the world (lib/drill/sim/fis.ts). */
export function simulatedFisApi(
  world: {
    handle(service: string, region: string, command: string, input: Record<string, unknown>): Record<string, unknown>;
  },
  calls: CallRecord[],
): FisApi {
  return fisApi(async (region, command, input) => world.handle('fis', region, command, input), calls);
}

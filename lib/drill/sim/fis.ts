import { regionalAlarmName, RegionalAlarmKind } from '../../contract/alarms';
import {
  EXPERIMENT_TAGS,
  ExperimentName,
  ExperimentSpec,
  experimentsFor,
  experimentTemplateName,
} from '../../contract/chaos';
import { RegionRole } from '../../contract/names';
import { SIM_TIMINGS, timingSeconds } from './timings';
import type { World } from './world';

/**
 * AWS FIS in the simulated AWS: the experiment templates the stacks define (lib/contract/chaos.ts, one per
 * experiment of this config, in the region it targets), and experiments that move through FIS's states
 * (`initiating` -> `running` -> `completed`, or `stopping` -> `stopped` on StopExperiment or a stop
 * condition). While an experiment runs, its fault acts on the world the way the real fault acts on AWS:
 *
 * - `primary-down` (invocation errors on the primary's health and API functions): the primary's `/health`
 *   fails, so Route 53's checkers, the canaries and the alarms see it exactly as for a dead region, but the
 *   primary's AWS APIs keep answering (only two functions fail);
 * - `signer-failing`: the signer-errors alarm fires after its evaluation window; nothing else changes;
 * - `api-latency`: the p99 latency alarm fires after `datapointsToAlarm` periods; health stays green;
 * - `replication-paused`: the standby replica stops receiving writes, so the replication latency grows
 *   with the pause and drops back once it ends.
 *
 * How long each step takes is in ONE table, lib/drill/sim/timings.ts (SIM_TIMINGS), each row marked as a
 * documented figure or an assumption: FIS initiating and stopping, how often stop conditions are checked,
 * the Lambda fault's onset (one poll of the FIS extension) and the alarm lag. The stop conditions are the
 * ones the templates name: the standby's health (Route 53 or its deep-health canary) and both regions
 * unhealthy.
 */
const INITIATING_SECONDS = timingSeconds('fisInitiating');
const STOPPING_SECONDS = timingSeconds('fisStopping');
const STOP_CHECK_SECONDS = timingSeconds('fisStopConditionCheck');
const ONSET = SIM_TIMINGS.lambdaFaultOnset.seconds;
const ALARM_LAG_SECONDS = timingSeconds('alarmAfterWindow');

export type FisStatus = 'pending' | 'initiating' | 'running' | 'completed' | 'stopping' | 'stopped' | 'failed';

interface SimExperiment {
  readonly id: string;
  readonly templateId: string;
  readonly spec: ExperimentSpec;
  readonly region: string;
  readonly createdAt: number;
  readonly tags: Record<string, string>;
  status: FisStatus;
  reason: string;
  startedAt?: number;
  endedAt?: number;
  /** Undoes the fault's effect on the world (set once the fault is active). */
  undo?: () => void;
}

const SECOND = 1000;

/** The FIS model of one simulated environment; {@link World} answers `fis` commands through it. */
export class SimulatedFis {
  private readonly experiments: SimExperiment[] = [];
  private readonly templates: ReadonlyArray<{
    id: string;
    spec: ExperimentSpec;
    region: string;
    tags: Record<string, string>;
  }>;

  constructor(private readonly world: World) {
    const { config } = world;
    // Minimal model configs (the resilience report's timing runs) carry no chaos section: no templates then.
    this.templates =
      config.chaos?.enabled === true
        ? experimentsFor(config.data.consistency).map((spec, i) => ({
            id: `EXT${String(i + 1).padStart(2, '0')}${spec.name.replace(/-/g, '').slice(0, 10).toUpperCase()}`,
            spec,
            region: world.regions[spec.regionRole],
            tags: {
              [EXPERIMENT_TAGS.name]: experimentTemplateName(config.envName, spec.name),
              [EXPERIMENT_TAGS.experiment]: spec.name,
              [EXPERIMENT_TAGS.environment]: config.envName,
            },
          }))
        : [];
  }

  /** Answers one FIS command as FIS in `region` would (REST-JSON shapes of the FIS API, camelCase). */
  handle(region: string, command: string, input: Record<string, unknown>): Record<string, unknown> {
    switch (command) {
      case 'ListExperimentTemplatesCommand':
        return {
          experimentTemplates: this.templates
            .filter((t) => t.region === region)
            .map((t) => ({ id: t.id, description: t.spec.description, tags: { ...t.tags } })),
        };
      case 'ListExperimentsCommand':
        return { experiments: this.experiments.filter((e) => e.region === region).map((e) => this.show(e)) };
      case 'StartExperimentCommand':
        return { experiment: this.show(this.start(region, input)) };
      case 'GetExperimentCommand':
        return { experiment: this.show(this.find(region, String(input.id))) };
      case 'StopExperimentCommand':
        return { experiment: this.show(this.stop(this.find(region, String(input.id)), 'Experiment stopped by user')) };
      default:
        throw new Error(`the simulated AWS does not implement fis ${command}`);
    }
  }

  /** Experiments by name (tests). */
  experimentsOf(name: ExperimentName): ReadonlyArray<{ id: string; status: FisStatus; reason: string }> {
    return this.experiments.filter((e) => e.spec.name === name);
  }

  private show(e: SimExperiment): Record<string, unknown> {
    return {
      id: e.id,
      experimentTemplateId: e.templateId,
      state: { status: e.status, reason: e.reason },
      creationTime: new Date(e.createdAt),
      startTime: e.startedAt === undefined ? undefined : new Date(e.startedAt),
      endTime: e.endedAt === undefined ? undefined : new Date(e.endedAt),
      tags: { ...e.tags },
    };
  }

  private find(region: string, id: string): SimExperiment {
    const e = this.experiments.find((x) => x.id === id && x.region === region);
    if (e === undefined) {
      throw Object.assign(new Error(`ResourceNotFoundException: Experiment ${id} not found in ${region}`), {
        name: 'ResourceNotFoundException',
      });
    }
    return e;
  }

  private start(region: string, input: Record<string, unknown>): SimExperiment {
    const template = this.templates.find((t) => t.id === input.experimentTemplateId && t.region === region);
    if (template === undefined) {
      throw Object.assign(
        new Error(`ResourceNotFoundException: Experiment template ${String(input.experimentTemplateId)} not found`),
        { name: 'ResourceNotFoundException' },
      );
    }
    const token = String(input.clientToken ?? '');
    const again = this.experiments.find((e) => e.tags['wallet:client-token'] === token && token !== '');
    if (again !== undefined) return again;
    const now = this.world.now;
    const e: SimExperiment = {
      id: `EXP${String(this.experiments.length + 1).padStart(4, '0')}${template.spec.name.replace(/-/g, '').slice(0, 8).toUpperCase()}`,
      templateId: template.id,
      spec: template.spec,
      region,
      createdAt: now,
      tags: { ...((input.tags as Record<string, string>) ?? {}), 'wallet:client-token': token },
      status: 'initiating',
      reason: 'Experiment is initiating.',
    };
    this.experiments.push(e);
    this.world.at(now + INITIATING_SECONDS * SECOND, () => {
      if (e.status !== 'initiating') return;
      e.status = 'running';
      e.reason = 'Experiment is running.';
      e.startedAt = this.world.now;
      this.inject(e);
      this.world.at(e.startedAt + e.spec.durationMinutes * 60 * SECOND, () => this.end(e, 'completed'));
      this.watchStopConditions(e);
    });
    return e;
  }

  private stop(e: SimExperiment, reason: string): SimExperiment {
    if (e.status === 'initiating' || e.status === 'running' || e.status === 'pending') {
      e.status = 'stopping';
      e.reason = 'Experiment is stopping.';
      this.world.at(this.world.now + STOPPING_SECONDS * SECOND, () => this.end(e, 'stopped', reason));
    }
    return e;
  }

  private end(e: SimExperiment, status: 'completed' | 'stopped', reason?: string): void {
    if (e.status === 'completed' || e.status === 'stopped' || e.status === 'failed') return;
    e.status = status;
    e.reason = reason ?? (status === 'completed' ? 'Experiment completed.' : 'Experiment stopped.');
    e.endedAt = this.world.now;
    e.undo?.();
    e.undo = undefined;
  }

  /** FIS checks the stop-condition alarms while the experiment runs; any in ALARM stops it. */
  private watchStopConditions(e: SimExperiment): void {
    const tick = () => {
      if (e.status !== 'running') return;
      const standbyDown = !this.world.isEndpointUp('standby');
      if (standbyDown) {
        this.stop(e, 'Experiment stopped by a stop condition: the standby deep-health alarm is in ALARM');
        return;
      }
      this.world.at(this.world.now + STOP_CHECK_SECONDS * SECOND, tick);
    };
    this.world.at(this.world.now + STOP_CHECK_SECONDS * SECOND, tick);
  }

  private inject(e: SimExperiment): void {
    const w = this.world;
    const { config } = w;
    const region = w.regions[e.spec.regionRole];
    const alarm = (kind: RegionalAlarmKind) => regionalAlarmName(config.envName, region, kind);
    const lambdaDelay = w.rng.uniform(ONSET.min, ONSET.max) * SECOND;
    switch (e.spec.name) {
      case 'primary-down': {
        const role: RegionRole = e.spec.regionRole;
        w.at(w.now + lambdaDelay, () => {
          if (e.status !== 'running') return;
          w.setEndpointUp(role, false);
          e.undo = () => w.setEndpointUp(role, true);
        });
        return;
      }
      case 'signer-failing':
      case 'api-latency': {
        const kind: RegionalAlarmKind = e.spec.name === 'signer-failing' ? 'signerErrors' : 'apiLatencyP99';
        const a = config.alarms[kind] as { periodSeconds: number; datapointsToAlarm: number };
        const fireAfter = lambdaDelay + a.periodSeconds * a.datapointsToAlarm * SECOND + ALARM_LAG_SECONDS * SECOND;
        let fired = false;
        const fire = w.now + fireAfter;
        w.at(fire, () => {
          if (e.status !== 'running') return;
          fired = true;
          w.setAlarm(region, alarm(kind), true, `Threshold Crossed (simulated ${e.spec.name})`);
        });
        e.undo = () => {
          if (!fired) return;
          w.at(w.now + a.periodSeconds * SECOND, () =>
            w.setAlarm(region, alarm(kind), false, 'Threshold no longer crossed'),
          );
        };
        return;
      }
      case 'replication-paused': {
        const pausedAt = w.now;
        const normal = () => w.rng.uniform(300, 1500);
        w.setReplicationLag((now) => now - pausedAt + normal());
        e.undo = () => w.setReplicationLag(normal);
        return;
      }
    }
  }
}

import { WalletConfig } from '../config/schema';
import { RegionRole } from '../contract/names';
import { createDrillClients } from './clients';
import { Clock, systemClock } from './clock';
import { ModelAssumptions } from '../failover/timing';
import { ScenarioName, SCENARIOS } from './sim/scenarios';
import { attachWorld } from './sim/sdk';
import { World } from './sim/world';
import { AwsTarget } from './aws-target';

/** The scenario cannot run with this config (e.g. replication lag under MRSC). */
export class ScenarioError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScenarioError';
  }
}

export interface SimulatedTargetOptions {
  readonly config: WalletConfig;
  /** @default 'planned-drill' */
  readonly scenario?: ScenarioName;
  /** @default 1 */
  readonly seed?: number;
  /** Virtual time at which the drill starts. */
  readonly startMs: number;
  /** Which region is active at the start (`standby` for a failback rehearsal). */
  readonly position: RegionRole;
  readonly assumptions?: ModelAssumptions;
  /** Virtual seconds per real second while waiting; undefined runs as fast as possible. */
  readonly speed?: number;
  readonly address?: string;
}

/**
 * The simulated target: the same AwsTarget code (same SDK commands, same lease and switch library
 * functions), with clients answered by an in-process {@link World} and a virtual clock. A drill that
 * waits minutes on AWS finishes in milliseconds here, deterministically for a given seed.
 */
export class SimulatedTarget extends AwsTarget {
  public override readonly kind = 'simulated' as const;
  public readonly world: World;
  public readonly scenario: ScenarioName;

  private constructor(options: SimulatedTargetOptions, world: World, clock: Clock) {
    super({
      config: options.config,
      clock,
      address: options.address,
      clients: createDrillClients({
        credentials: { accessKeyId: 'SIMULATED', secretAccessKey: 'SIMULATED' },
        defaultRegion: world.callerRegion,
        decorate: (client, service, region) => attachWorld(client, service, region, world),
      }),
    });
    this.world = world;
    this.scenario = options.scenario ?? 'planned-drill';
  }

  static create(options: SimulatedTargetOptions): SimulatedTarget {
    const scenario = SCENARIOS[options.scenario ?? 'planned-drill'];
    const problems = scenario.problems(options.config);
    if (problems.length > 0) throw new ScenarioError(problems.join('; '));
    const world = new World({
      config: options.config,
      seed: options.seed ?? 1,
      startMs: options.startMs,
      position: options.position,
      assumptions: options.assumptions,
      faults: scenario.faults(options.config, options.startMs),
    });
    return new SimulatedTarget(options, world, virtualClock(world, options.speed));
  }
}

/**
 * A clock over the world's virtual time. `sleep` runs the world's events up to the wake-up time,
 * stopping at once if the signal is aborted by an event (a simulated Ctrl-C). With `speed`, each
 * 100 ms of real time advances `speed` x 100 ms of virtual time, so a person (or a test sending a
 * real SIGINT) can watch and interrupt.
 */
export function virtualClock(world: World, speed?: number): Clock {
  return {
    now: () => world.now,
    async sleep(ms, signal) {
      const until = world.now + ms;
      while (world.now < until && !signal?.aborted) {
        const step = speed === undefined ? until : Math.min(until, world.now + speed * 100);
        world.events.runUntil(step, () => signal?.aborted === true);
        // systemClock.sleep removes its abort listener when the timer fires (one signal, many waits).
        if (speed !== undefined) await systemClock.sleep(100, signal);
      }
      // Let pending I/O callbacks (a real SIGINT) run between waits.
      await new Promise((resolve) => setImmediate(resolve));
    },
  };
}

import { PassThrough } from 'node:stream';
import { WalletConfig } from '../../lib/config/schema';
import { CliIo, TargetContext } from '../../lib/drill/cli';
import { RegionRole } from '../../lib/contract/names';
import { ScenarioName } from '../../lib/drill/sim/scenarios';
import { SimulatedTarget } from '../../lib/drill/simulated-target';
import { runDrill } from '../../lib/drill/drill';
import { DrillRecord } from '../../lib/drill/record';
import { testConfig } from '../helpers/config';

/** A fixed virtual start (17 s into a minute) so every simulated drill is reproducible. */
export const START = Date.UTC(2030, 0, 1, 12, 0, 17);

/** An MREC variant of the example config (no witness, RPO 60 s). */
export const mrecConfig = (): WalletConfig =>
  testConfig({ regions: { witness: undefined }, data: { consistency: 'MREC' }, targets: { rpoSeconds: 60 } });

/** A config with two RPC providers (the example config's; issue 16): the chain-providers pre-check applies. */
export function chainConfig(): WalletConfig {
  const config = testConfig();
  if ((config.chain.providers?.length ?? 0) !== 2)
    throw new Error('the example config should list two chain providers');
  return config;
}

export function simTarget(
  options: { scenario?: ScenarioName; position?: RegionRole; config?: WalletConfig; seed?: number } = {},
): SimulatedTarget {
  return SimulatedTarget.create({
    config: options.config ?? testConfig(),
    scenario: options.scenario ?? 'planned-drill',
    seed: options.seed ?? 1,
    startMs: START,
    position: options.position ?? 'primary',
  });
}

export interface FakeIo {
  readonly io: CliIo;
  stdout(): string;
  stderr(): string;
  /** Sends Ctrl-C to the registered handler (as SIGINT would). */
  interrupt(): void;
  readonly stdin: PassThrough & { isTTY?: boolean };
  /** The simulated targets the CLI created. */
  readonly targets: SimulatedTarget[];
}

/**
 * In-process CLI I/O: captured streams (TTY or not), a scriptable stdin, a Ctrl-C trigger and a
 * hook to reach (and fault) the simulated world the CLI creates.
 */
export function fakeIo(
  options: {
    tty?: boolean;
    stdinTty?: boolean;
    env?: Record<string, string | undefined>;
    cwd?: string;
    onTarget?: (target: SimulatedTarget, context: TargetContext) => void;
    config?: WalletConfig;
  } = {},
): FakeIo {
  let out = '';
  let err = '';
  const handlers: Array<() => void> = [];
  const stdin = new PassThrough() as PassThrough & { isTTY?: boolean };
  stdin.isTTY = options.stdinTty ?? false;
  const targets: SimulatedTarget[] = [];
  const io: CliIo = {
    stdout: { write: (s: string) => (out += s), isTTY: options.tty ?? false },
    stderr: { write: (s: string) => (err += s), isTTY: options.tty ?? false },
    stdin,
    env: options.env ?? {},
    cwd: options.cwd ?? process.cwd(),
    now: () => START,
    interruptGraceMs: 0,
    onInterrupt: (handler) => {
      handlers.push(handler);
      return () => handlers.splice(handlers.indexOf(handler), 1);
    },
    createTarget: (context) => {
      if (context.kind !== 'simulated') throw new Error('fakeIo only makes simulated targets');
      const target = SimulatedTarget.create({
        config: options.config ?? context.config,
        scenario: context.scenario,
        seed: context.seed,
        startMs: context.startMs,
        position: context.position,
        address: context.address,
      });
      targets.push(target);
      options.onTarget?.(target, context);
      return target;
    },
  };
  return {
    io,
    stdout: () => out,
    stderr: () => err,
    interrupt: () => [...handlers].forEach((h) => h()),
    stdin,
    targets,
  };
}

/** Runs a drill on a simulated target as a test operator would (actor `test`, a quarterly drill, never aborted). */
export const simDrill = (
  target: SimulatedTarget,
  direction: 'failover' | 'failback' = 'failover',
): Promise<DrillRecord> =>
  runDrill({
    target,
    config: target.world.config,
    direction,
    actor: 'test',
    reason: 'quarterly drill',
    signal: new AbortController().signal,
  });

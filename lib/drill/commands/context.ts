import { loadConfigFile, resolveConfigPath } from '../../config/load';
import { WalletConfig } from '../../config/schema';
import { RegionRole } from '../../contract/names';
import { AwsTarget } from '../aws-target';
import { ClientOptions, createDrillClients } from '../clients';
import { systemClock } from '../clock';
import { ScenarioName } from '../sim/scenarios';
import { SimulatedTarget } from '../simulated-target';
import { Target } from '../target';
import { colourEnabled, OutStream, paint, Paint } from '../ui';

/** What the CLI needs from its process; bin/drill.ts passes the real ones, tests pass fakes. */
export interface CliIo {
  readonly stdout: OutStream;
  readonly stderr: OutStream;
  readonly stdin: NodeJS.ReadableStream & { readonly isTTY?: boolean };
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Registers a Ctrl-C (SIGINT) handler for the duration of a drill; returns its removal. */
  readonly onInterrupt: (handler: () => void) => () => void;
  /** @default Date.now */
  readonly now?: () => number;
  /** Replaces target creation (tests inject a simulated target with faults). */
  readonly createTarget?: (context: TargetContext) => Target;
  /** Extra options for the aws target's clients (tests). */
  readonly awsClients?: ClientOptions;
  /**
   * A second Ctrl-C within this many real milliseconds of the first is ignored, so a double press
   * (or one signal delivered twice by a wrapper) cannot skip the restore. @default 1000
   */
  readonly interruptGraceMs?: number;
}

export interface TargetContext {
  readonly kind: 'aws' | 'simulated';
  readonly config: WalletConfig;
  readonly scenario: ScenarioName;
  readonly seed: number;
  readonly position: RegionRole;
  readonly speed?: number;
  readonly endpoint?: string;
  readonly address?: string;
  readonly startMs: number;
}

/** Usage problems found after parsing (conflicting options and the like): exit 2 with the message. */
export class UsageError extends Error {}

/** A drill record that cannot be found or read: exit 2 with the message. */
export class RecordError extends Error {}

export interface CommonOptions {
  config?: string;
  target: 'aws' | 'simulated';
  scenario?: ScenarioName;
  seed: number;
  speed?: number;
  endpoint?: string;
  address?: string;
  json?: boolean;
  color: boolean;
  allowAlarm?: string[];
  poll: number;
}

export interface ExecuteOptions extends CommonOptions {
  execute?: boolean;
  yes?: boolean;
  phaseTimeout?: number;
  restoreTimeout: number;
  keepOnTimeout?: boolean;
  reportDir: string;
  publish: boolean;
  reason?: string;
  actor?: string;
}

/** Output helpers for one command: colour for stdout and stderr, and line writers. */
export interface CommandOutput {
  readonly p: Paint;
  readonly pe: Paint;
  readonly out: (s: string) => void;
  readonly err: (s: string) => void;
}

/** What every command module (./status.ts, ./plan.ts, ...) gets from the program builder (../cli.ts). */
export interface Cli {
  readonly io: CliIo;
  readonly now: () => number;
  readonly context: (opts: CommonOptions) => CommandOutput;
  readonly loadConfig: (opts: CommonOptions) => WalletConfig;
  readonly makeTarget: (opts: CommonOptions, config: WalletConfig, position: RegionRole) => Target;
  /** Wraps a command action so its returned number becomes the process exit code. */
  readonly guarded: (fn: (...args: never[]) => Promise<number>) => (...args: never[]) => Promise<void>;
}

/** The shared command context; `setExitCode` receives each action's exit code. */
export function createCli(io: CliIo, setExitCode: (code: number) => void): Cli {
  const now = io.now ?? Date.now;

  const context = (opts: CommonOptions): CommandOutput => {
    const p = paint(!opts.json && colourEnabled(io.stdout, io.env, opts.color));
    const pe = paint(!opts.json && colourEnabled(io.stderr, io.env, opts.color));
    const out = (s: string) => io.stdout.write(s.endsWith('\n') ? s : `${s}\n`);
    const err = (s: string) => io.stderr.write(s.endsWith('\n') ? s : `${s}\n`);
    return { p, pe, out, err };
  };

  const loadConfig = (opts: CommonOptions): WalletConfig => loadConfigFile(resolveConfigPath(opts.config, io.cwd));

  const makeTarget = (opts: CommonOptions, config: WalletConfig, position: RegionRole): Target => {
    if (opts.target === 'aws' && (opts.scenario !== undefined || opts.speed !== undefined)) {
      throw new UsageError(
        `--scenario and --speed apply to --target simulated only; received --target aws with ${opts.scenario !== undefined ? `--scenario ${opts.scenario}` : `--speed ${opts.speed}`}. Add --target simulated, or drop the option.`,
      );
    }
    if (opts.target === 'simulated' && opts.endpoint !== undefined) {
      throw new UsageError(
        `--endpoint applies to --target aws only; received --target simulated with --endpoint ${opts.endpoint}. Drop --endpoint, or use --target aws.`,
      );
    }
    const ctx: TargetContext = {
      kind: opts.target,
      config,
      scenario: opts.scenario ?? 'planned-drill',
      seed: opts.seed,
      position,
      speed: opts.speed,
      endpoint: opts.endpoint,
      address: opts.address,
      startMs: now(),
    };
    if (io.createTarget !== undefined) return io.createTarget(ctx);
    if (ctx.kind === 'simulated') {
      return SimulatedTarget.create({
        config,
        scenario: ctx.scenario,
        seed: ctx.seed,
        startMs: ctx.startMs,
        position,
        speed: ctx.speed,
        address: ctx.address,
      });
    }
    return new AwsTarget({
      config,
      clock: systemClock,
      address: ctx.address,
      clients: createDrillClients({
        ...io.awsClients,
        ...(ctx.endpoint === undefined ? {} : { endpoint: ctx.endpoint }),
      }),
    });
  };

  const guarded =
    (fn: (...args: never[]) => Promise<number>) =>
    async (...args: never[]): Promise<void> => {
      setExitCode(await fn(...args));
    };

  return { io, now, context, loadConfig, makeTarget, guarded };
}

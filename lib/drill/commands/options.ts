import { Command, InvalidArgumentError, Option } from 'commander';
import { SCENARIO_NAMES } from '../sim/scenarios';

/** Option parsers and the option groups the drill's commands share. */

export const intIn =
  (name: string, min: number, max: number) =>
  (raw: string): number => {
    const v = Number(raw);
    if (!/^-?\d+$/.test(raw.trim()) || !Number.isInteger(v) || v < min || v > max) {
      throw new InvalidArgumentError(
        `${name} must be a whole number from ${min} to ${max}; received ${JSON.stringify(raw)}.`,
      );
    }
    return v;
  };

export const positive =
  (name: string) =>
  (raw: string): number => {
    const v = Number(raw);
    if (raw.trim() === '' || !Number.isFinite(v) || v <= 0) {
      throw new InvalidArgumentError(`${name} must be a number greater than 0; received ${JSON.stringify(raw)}.`);
    }
    return v;
  };

export const oneOf =
  (name: string, allowed: readonly number[]) =>
  (raw: string): number => {
    const v = Number(raw);
    if (!allowed.includes(v)) {
      throw new InvalidArgumentError(`${name} must be one of ${allowed.join(', ')}; received ${JSON.stringify(raw)}.`);
    }
    return v;
  };

export const address = (raw: string): string => {
  if (!/^0x[0-9a-fA-F]{40}$/.test(raw)) {
    throw new InvalidArgumentError(
      `--address must be a 0x-prefixed 20-byte hex address; received ${JSON.stringify(raw)}. Omit it to derive the address from the signing key.`,
    );
  }
  return raw.toLowerCase();
};

export function addCommon(cmd: Command, options: { alarms?: boolean } = {}): Command {
  cmd
    .option('-c, --config <name|path>', 'config file: a name under config/ or a path (same as `cdk -c config=`)')
    .addOption(
      new Option('--target <target>', 'aws: real AWS (standard credential chain); simulated: offline model')
        .choices(['aws', 'simulated'])
        .default('aws'),
    )
    .addOption(
      new Option(
        '--scenario <name>',
        `simulated target only: ${SCENARIO_NAMES.join(', ')} (default planned-drill)`,
      ).choices([...SCENARIO_NAMES]),
    )
    .option(
      '--seed <n>',
      'simulated target only: random seed (reproducible timings)',
      intIn('--seed', 0, 2 ** 31 - 1),
      1,
    )
    .option('--speed <x>', 'simulated target only: virtual seconds per real second while waiting', positive('--speed'))
    .option('--endpoint <url>', 'aws target only: send every AWS call to this endpoint (moto_server, LocalStack)')
    .option(
      '--address <0x...>',
      'the signing address whose lease moves (default: derived from the signing key)',
      address,
    )
    .option('--poll <seconds>', 'seconds between observations while waiting', intIn('--poll', 1, 60), 5)
    .option('--json', 'print one JSON document on stdout (no colour, no progress)')
    .option('--no-color', 'never colour the output (NO_COLOR is honoured too)');
  if (options.alarms) {
    cmd.option(
      '--allow-alarm <name...>',
      'acknowledge a firing alarm as understood and unrelated (repeatable; exact alarm name)',
    );
  }
  return cmd;
}

export function addExecute(cmd: Command): Command {
  return cmd
    .option('--execute', 'act: without it the command is a dry run (the plan)')
    .option('-y, --yes', 'do not ask for confirmation (required without a TTY)')
    .option(
      '--phase-timeout <seconds>',
      'abort and restore when a phase is not observed in time (default: per phase, from the model)',
      intIn('--phase-timeout', 1, 3600),
    )
    .option('--restore-timeout <seconds>', 'how long to verify a restore', intIn('--restore-timeout', 1, 3600), 300)
    .option('--keep-on-timeout', 'on a phase timeout, keep the failover in place instead of restoring (real incidents)')
    .option('--report-dir <dir>', 'where the JSON, Markdown and HTML reports go', 'drill-reports')
    .option('--no-publish', 'do not publish the measured RTO as a CloudWatch metric')
    .option('--reason <text>', 'why (recorded in the lease audit item and the switch call)')
    .option('--actor <name>', 'who runs it (lease audit item; default: the caller ARN)');
}

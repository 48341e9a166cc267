/**
 * How long things take in the simulated FIS, the simulated remediation and KMS's primary-Region update: ONE table, each row with its
 * basis. `doc` rows quote an AWS document; `assumption` rows are this project's guesses (no AWS document
 * states them) and say what they rest on, so a rehearsal's figures can be read for what they are. The
 * Route 53, CloudWatch and resolver timings the world uses are the failover-timing model's
 * (lib/failover/timing.ts), not repeated here.
 */
export interface SimTiming {
  /** Seconds, or the bounds of a uniform draw. */
  readonly seconds: number | { readonly min: number; readonly max: number };
  readonly basis: 'doc' | 'assumption';
  /** The quote (doc) or what the guess rests on (assumption). */
  readonly note: string;
}

export const SIM_TIMINGS = {
  /** StartExperiment -> `running`. */
  fisInitiating: {
    seconds: 5,
    basis: 'assumption',
    note:
      'FIS documents the states (pending, initiating, running) but not how long initiating takes; ' +
      'a few seconds for an experiment with one action and ARN-named targets.',
  },
  /** StopExperiment -> `stopped`. */
  fisStopping: {
    seconds: 2,
    basis: 'assumption',
    note: 'FIS documents the stopping state, not its length; the Lambda actions only delete their fault configuration.',
  },
  /** How often FIS evaluates the stop-condition alarms while an experiment runs. */
  fisStopConditionCheck: {
    seconds: 10,
    basis: 'assumption',
    note:
      'FIS: "If a stop condition is triggered while an experiment is running, AWS FIS stops the experiment" ' +
      '(experiment template components); how often it looks is not stated.',
  },
  /** Experiment running -> the Lambda fault reaches the functions (the FIS extension picks up its configuration). */
  lambdaFaultOnset: {
    seconds: { min: 0, max: 60 },
    basis: 'assumption',
    note:
      'FIS: "AWS FIS reads the Amazon S3 configuration from your Lambda function and writes fault injection ' +
      'information to the specified Amazon S3 location" (use-lambda-actions); the extension polls that location, ' +
      'but the interval is not in the pages we could read. Public samples report a ramp-up of up to about 60 s.',
  },
  /** Action ended -> invocations clean again. */
  lambdaFaultClear: {
    seconds: 0,
    basis: 'assumption',
    note:
      'FIS deletes the fault configuration when the action ends; the simulation clears the fault at once ' +
      '(public samples report up to about 20 s). Recovery measurements are therefore lower bounds.',
  },
  /** An alarm on the fault's metric fires this long after its evaluation window filled. */
  alarmAfterWindow: {
    seconds: 60,
    basis: 'assumption',
    note: 'One more standard-resolution period for the last datapoint to arrive and be evaluated.',
  },
  /** Alarm state change -> the standby remediation Lambda has decided and acted (lease moved, switch thrown). */
  remediationReaction: {
    seconds: { min: 5, max: 30 },
    basis: 'assumption',
    note:
      'EventBridge delivers the "CloudWatch Alarm State Change" event, the rule invokes the remediation Lambda, ' +
      'which reads the rule alarms, moves the lease (one conditional write) and puts one switch datapoint. ' +
      'No AWS document bounds the delivery time; seconds to tens of seconds.',
  },
  /** UpdatePrimaryRegion returned -> the new primary key is PRIMARY and both keys are Enabled again. */
  kmsPrimaryUpdate: {
    seconds: { min: 2, max: 15 },
    basis: 'doc',
    note:
      'KMS developer guide (multi-region-update): "Even after the UpdatePrimaryRegion operation completes, the ' +
      'process of updating the primary Region might still be in progress for a few more seconds." The bounds of ' +
      '"a few seconds" are this project\'s reading.',
  },
} as const satisfies Record<string, SimTiming>;

export type SimTimingName = keyof typeof SIM_TIMINGS;

/** The fixed value of a row (rows with bounds: their upper bound). */
export const timingSeconds = (name: SimTimingName): number => {
  const s: SimTiming['seconds'] = SIM_TIMINGS[name].seconds;
  return typeof s === 'number' ? s : s.max;
};

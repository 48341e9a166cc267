import { Service } from '../clients';
import { World } from './world';

interface HasMiddleware {
  middlewareStack: {
    add: (mw: never, options: { step: 'initialize'; priority: 'low'; name: string }) => void;
  };
}

/**
 * Makes an SDK v3 client talk to the simulated world instead of AWS: the last `initialize` middleware
 * answers the command from the world and never calls the network. Everything before it (the call
 * guard, Route 53's id normalisation, the command's own input handling) runs as it would for AWS,
 * so the drill's real code path is what the simulated target exercises.
 */
export function attachWorld(client: unknown, service: Service, region: string, world: World): void {
  const mw =
    (_next: unknown, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => ({
      output: {
        $metadata: { httpStatusCode: 200, requestId: `sim-${world.log.length}`, attempts: 1 },
        ...world.handle(service, region, context.commandName ?? 'UnknownCommand', args.input ?? {}),
      },
      response: { statusCode: 200, headers: {} },
    });
  (client as HasMiddleware).middlewareStack.add(mw as never, {
    step: 'initialize',
    priority: 'low',
    name: 'walletSimulatedAws',
  });
}

/** Answers SDK commands for one client (the verify command's simulated AWS, lib/verify/sim). */
export type CommandResponder = (command: string, input: Record<string, unknown>) => Record<string, unknown>;

/** Same middleware as {@link attachWorld}, for any responder: the real adapters run, the network is never called. */
export function attachResponder(client: unknown, respond: CommandResponder): void {
  const mw =
    (_next: unknown, context: { commandName?: string }) => async (args: { input: Record<string, unknown> }) => ({
      output: {
        $metadata: { httpStatusCode: 200, requestId: 'sim', attempts: 1 },
        ...respond(context.commandName ?? 'UnknownCommand', args.input ?? {}),
      },
      response: { statusCode: 200, headers: {} },
    });
  (client as HasMiddleware).middlewareStack.add(mw as never, {
    step: 'initialize',
    priority: 'low',
    name: 'walletSimulatedAws',
  });
}

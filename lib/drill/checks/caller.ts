import { WalletConfig } from '../../config/schema';
import { PreCheck, readFailed } from './check';

/** Regions an operator may run the drill from: the environment's regions and us-east-1 (DNS). */
export function allowedCallerRegions(config: WalletConfig): string[] {
  return [
    ...new Set(
      [config.regions.primary, config.regions.standby, config.regions.witness, 'us-east-1'].filter(
        (r): r is string => r !== undefined,
      ),
    ),
  ];
}

const title = 'caller account and region allowed by config';

/** The caller: the config's account, a region of this environment. */
const caller: PreCheck = {
  id: 'caller',
  explanation:
    "The credentials belong to the config's account and the default region is one of the environment's (or us-east-1), so the drill cannot move another environment.",
  run: ({ status, config }) => {
    if (!status.identity.ok) {
      return {
        id: 'caller',
        title,
        ok: false,
        level: 'blocker',
        detail: readFailed('the caller identity (STS GetCallerIdentity)', status.identity),
        fix: 'check the credentials (AWS_PROFILE) and network access to STS',
      };
    }
    const id = status.identity.value;
    const allowed = allowedCallerRegions(config);
    const problems: string[] = [];
    if (id.account !== config.account) {
      problems.push(`caller account ${id.account ?? '(unknown)'} is not the config's account ${config.account}`);
    }
    if (id.region === undefined) {
      problems.push(`no default region is set (${id.regionError ?? 'the standard chain found none'})`);
    } else if (!allowed.includes(id.region)) {
      problems.push(`caller region ${id.region} is not one of ${allowed.join(', ')}`);
    }
    return {
      id: 'caller',
      title,
      ok: problems.length === 0,
      level: 'blocker',
      detail:
        problems.length === 0
          ? `account ${id.account}, region ${id.region} (${id.arn ?? 'unknown principal'})`
          : problems.join('; '),
      fix:
        problems.length === 0
          ? undefined
          : `use credentials for account ${config.account} (AWS_PROFILE) and set AWS_REGION to one of ${allowed.join(', ')}, or pass the --config of the environment you meant`,
    };
  },
};
export default caller;

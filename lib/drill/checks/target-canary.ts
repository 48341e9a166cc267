import { rateSeconds } from '../../config/schema';
import { PreCheck, readFailed } from './check';

const targetCanary: PreCheck = {
  id: 'target-canary',
  explanation:
    'The region taking over has a fresh (within three canary periods and a minute) 100% deep-health canary result.',
  run: ({ status, config, to, toRegion }) => {
    const canary = status.canaries[to];
    const maxAge = 3 * rateSeconds(config.canary.schedule) * 1000 + 60_000;
    const fresh = canary.ok && canary.value.successAt !== undefined && status.at - canary.value.successAt <= maxAge;
    return {
      id: 'target-canary',
      title: `${to} canary green`,
      ok: fresh && canary.ok && canary.value.successPercent === 100,
      level: 'blocker',
      detail: !canary.ok
        ? readFailed(`the ${to} canary`, canary)
        : canary.value.successAt === undefined
          ? `no SuccessPercent data for canary ${canary.value.canaryName} in ${toRegion}`
          : `canary ${canary.value.canaryName}: ${canary.value.successPercent}% at ${new Date(canary.value.successAt).toISOString()}${fresh ? '' : ' (stale)'}`,
      fix:
        fresh && canary.ok && canary.value.successPercent === 100
          ? undefined
          : `wait until the ${to} canary passes, or investigate ${toRegion} before moving traffic`,
    };
  },
};
export default targetCanary;

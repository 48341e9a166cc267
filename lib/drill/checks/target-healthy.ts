import { PreCheck, readFailed } from './check';

const targetHealthy: PreCheck = {
  id: 'target-healthy',
  explanation:
    'The region taking over passes its Route 53 endpoint check (more than 18% of checkers healthy): traffic never moves to an unhealthy region.',
  run: ({ status, to, toRegion }) => {
    const endpoint = status.endpoints[to];
    return {
      id: 'target-healthy',
      title: `${to} region healthy (Route 53 endpoint check on ${toRegion})`,
      ok: endpoint.ok && endpoint.value.healthy,
      level: 'blocker',
      detail: endpoint.ok
        ? `${endpoint.value.healthyCheckers} of ${endpoint.value.totalCheckers} checkers report healthy (${endpoint.value.healthy ? 'more' : 'not more'} than 18%)`
        : readFailed(`the ${to} endpoint check`, endpoint),
      fix:
        endpoint.ok && endpoint.value.healthy
          ? undefined
          : `do not move traffic to an unhealthy region: fix ${toRegion} first (its /health must answer 2xx with ${'"healthy":true'})`,
    };
  },
};
export default targetHealthy;

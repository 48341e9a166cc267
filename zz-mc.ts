import { loadConfigFile } from './lib/config/load';
import { monteCarlo } from './lib/drill/montecarlo';
const config = loadConfigFile('config/example.json');
for (const o of [{}, { failureThreshold: 2 }, { failureThreshold: 1 }, {intervalSeconds: 30}]) {
  const t = Date.now();
  const r = monteCarlo({ config, runs: 500, seed: 42, override: o });
  console.log(JSON.stringify(o), Date.now() - t, 'ms');
  console.log(' unplanned', JSON.stringify(r.unplanned.rto), 'det', JSON.stringify(r.unplanned.detection), r.unplanned.modelWorstCaseSeconds);
  console.log(' planned  ', JSON.stringify(r.planned.rto), 'det', JSON.stringify(r.planned.detection), r.planned.modelWorstCaseSeconds);
}

import { PreCheck, readFailed } from './check';

const targetKey: PreCheck = {
  id: 'target-key',
  explanation: 'The signing key replica in the region taking over is enabled, so that region can sign.',
  run: ({ status, to, toRegion }) => {
    const key = status.keys[to];
    return {
      id: 'target-key',
      title: `${to} signing key enabled`,
      ok: key.ok && key.value.enabled,
      level: 'blocker',
      detail: key.ok
        ? `${key.value.alias} -> ${key.value.keyId} in ${key.value.region}: ${key.value.keyState} (${key.value.multiRegionType ?? 'single-region'})`
        : readFailed(`the ${to} signing key`, key),
      fix:
        key.ok && key.value.enabled
          ? undefined
          : `the ${to} region cannot sign: ask the break-glass role to check the key in ${toRegion}`,
    };
  },
};
export default targetKey;

import { PreCheck } from './check';

/** A warning only: the region being left is often the one in trouble. */
const fromRegion: PreCheck = {
  id: 'from-region',
  explanation:
    'Warns (never blocks) when reads in the region being left failed: expected when that region is the one in trouble.',
  run: ({ status, from, fromRegion: region }) => {
    const leftUnreachable = [status.endpoints[from], status.keys[from]].some((r) => !r.ok);
    if (!leftUnreachable) return undefined;
    return {
      id: 'from-region',
      title: `${from} region reachable`,
      ok: false,
      level: 'warning',
      detail: `some reads in ${region} failed; that is expected when it is the region in trouble`,
    };
  },
};
export default fromRegion;

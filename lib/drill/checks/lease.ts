import { PreCheck, readFailed } from './check';

const lease: PreCheck = {
  id: 'lease',
  explanation: "The signer lease item is readable, so the drill can move it (the signer's single-writer guard).",
  run: ({ status }) => ({
    id: 'lease',
    title: 'signer lease readable',
    ok: status.lease.ok && status.lease.value !== undefined,
    level: 'blocker',
    detail: !status.lease.ok
      ? readFailed('the lease', status.lease)
      : status.lease.value === undefined
        ? `no lease item for ${status.address.ok ? status.address.value : 'the signing address'}`
        : `held by ${status.lease.value.activeRegion} at epoch ${status.lease.value.epoch} (${status.lease.value.updatedBy}: ${status.lease.value.reason})`,
    fix:
      status.lease.ok && status.lease.value !== undefined
        ? undefined
        : 'check the ledger table and the signing address (--address)',
  }),
};
export default lease;

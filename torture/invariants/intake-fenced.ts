import type { Invariant } from './types';

/**
 * Under MREC, nothing accepted under another epoch or by another region is given a nonce or signed
 * unless reconciliation kept it, or an operator released it, in the signing epoch (issue 15: "fence
 * intake as well as signing"). The region that accepted it may have signed it from a replica the
 * new holder has not seen; signing it again at a new nonce could pay one request twice. A signature
 * may also use a nonce this holder assigned in this epoch (that assignment is checked itself).
 * Under MRSC every region reads the one linearizable ledger, so the rule does not apply.
 */
export const intakeFenced: Invariant = {
  name: 'intake-fenced',
  description:
    'under MREC, no transaction accepted under another epoch or region gets a nonce or a signature unless reconciliation kept it or an operator released it in that epoch',
  check(o) {
    if (o.consistency !== 'MREC') return [];
    const problems: string[] = [];
    for (const e of o.fenceEvents) {
      const decided = e.keptEpoch === e.epoch || e.releasedEpoch === e.epoch;
      const acceptedHere = e.intakeEpoch === e.epoch && e.intakeRegion === e.region;
      const ownNonce = e.step === 'signature' && e.nonceEpoch === e.epoch && e.nonceRegion === e.region;
      if (decided || acceptedHere || ownNonce) continue;
      problems.push(
        `${e.region} ${e.step === 'nonce' ? 'assigned a nonce to' : 'signed'} ${e.txId} in epoch ${e.epoch} (${e.replica}), ` +
          `accepted by ${e.intakeRegion ?? '?'} in epoch ${e.intakeEpoch ?? '?'}, neither kept nor released in epoch ${e.epoch}`,
      );
    }
    return problems;
  },
};

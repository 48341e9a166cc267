import { PreCheck, readFailed } from './check';

const dns: PreCheck = {
  id: 'dns',
  explanation:
    "Route 53's authoritative answer is observable with TestDNSAnswer, so the drill can measure the cut-over.",
  run: ({ status }) => ({
    id: 'dns',
    title: 'authoritative DNS answer observable (TestDNSAnswer)',
    ok: status.dns.ok && status.dns.value.role !== 'unknown',
    level: 'blocker',
    detail: status.dns.ok
      ? `${status.dns.value.recordName} -> ${status.dns.value.role} (${status.dns.value.recordData.join(', ') || 'no data'})`
      : readFailed('the DNS answer', status.dns),
    fix:
      status.dns.ok && status.dns.value.role !== 'unknown'
        ? undefined
        : 'the drill measures the cut-over with TestDNSAnswer; check the zone id and the regional records <region>.<api>.<zone>',
  }),
};
export default dns;

import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalIp, ipv6Slash64 } from '../../src/lib/ip-range.js';

test('canonicalIp: one spelling per address, as Go writes it (RFC 5952; IPv4-mapped as IPv4)', () => {
  const cases: Array<[string, string]> = [
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:1.2.3.4', '1.2.3.4'],
    ['::FFFF:1.2.3.4', '1.2.3.4'],
    ['0:0:0:0:0:ffff:1.2.3.4', '1.2.3.4'],
    ['::ffff:0102:0304', '1.2.3.4'],
    ['0000:0000:0000:0000:0000:FFFF:C000:0201', '192.0.2.1'],
    ['2001:DB8::1', '2001:db8::1'],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', '2001:db8::1'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'],
    ['0::0', '::'],
    ['::1', '::1'],
    ['::1.2.3.4', '::102:304'],
    ['::ffff:0:1.2.3.4', '::ffff:0:102:304'],
    ['FE80::A:B', 'fe80::a:b'],
  ];
  for (const [written, canonical] of cases) assert.equal(canonicalIp(written), canonical, written);
});

test('canonicalIp: a zone id, a prefix, brackets, spaces or a name are no address', () => {
  for (const bad of ['fe80::1%eth0', 'fe80::1%25eth0', '1.2.3.4%eth0', '2001:db8::/32', '[::1]', ' ::1', '01.2.3.4', '::ffff:1.2.3.04', 'localhost', '', '<script>']) {
    assert.equal(canonicalIp(bad), undefined, bad);
  }
});

test('ipv6Slash64: the /64 of an IPv6 address however spelt; nothing for IPv4 or a non-address', () => {
  const cases: Array<[string, string | undefined]> = [
    ['2001:db8:1:2::1', '2001:db8:1:2::/64'],
    ['2001:DB8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:db8::1:2:3:4', '2001:db8::/64'],
    ['1:2:3:4:5:6:7:8', '1:2:3:4::/64'],
    ['::1', '::/64'],
    ['fe80::1', 'fe80::/64'],
    ['::ffff:1.2.3.4', undefined],
    ['192.0.2.1', undefined],
    ['fe80::1%eth0', undefined],
    ['not an address', undefined],
  ];
  for (const [input, want] of cases) assert.equal(ipv6Slash64(input), want, input);
});

/**
 * basicConstraints pathLenConstraint (RFC 5280 §4.2.1.9): how many non-self-issued intermediate CA
 * certificates may follow a CA certificate in a path; the leaf is not counted. Without this check
 * a CA limited to issuing leaves (pathLen 0) could issue another CA, and documents signed under
 * that one would be accepted. node:crypto tells whether a certificate is a CA, not its limit.
 */
import type { X509Certificate } from 'node:crypto';
import { children, expectTag, parseDer } from '../../lib/der-reader.js';
import { certificateExtensions } from './extensions.js';

const BASIC_CONSTRAINTS = '2.5.29.19';

/** The constraint; Infinity when there is none; undefined when the extension cannot be read. */
function pathLengthConstraint(cert: X509Certificate): number | undefined {
  try {
    const ext = certificateExtensions(cert.raw).get(BASIC_CONSTRAINTS);
    if (!ext) return Infinity;
    // BasicConstraints ::= SEQUENCE { cA BOOLEAN DEFAULT FALSE, pathLenConstraint INTEGER (0..MAX) OPTIONAL }
    const last = children(expectTag(parseDer(ext.value), 0x30, 'BasicConstraints')).at(-1);
    if (last?.tag !== 0x02) return Infinity;
    let c = last.content;
    if (c.length === 0 || c[0] & 0x80) return undefined;
    while (c.length > 1 && c[0] === 0) c = c.subarray(1);
    // Beyond four bytes it exceeds any path: no limit in practice.
    return c.length > 4 ? Infinity : c.reduce((n, b) => n * 256 + b, 0);
  } catch {
    return undefined;
  }
}

/**
 * Why `path` (leaf first, up to and including the trust anchor, whose constraint is enforced too)
 * breaks a pathLenConstraint: the first CA with more non-self-issued CAs between it and the leaf
 * than it allows, named by `nameOf(index)`. Undefined when every constraint holds.
 */
export function pathLengthProblem(path: readonly X509Certificate[], nameOf: (index: number) => string): string | undefined {
  let below = 0;
  for (let i = 1; i < path.length; i++) {
    const limit = pathLengthConstraint(path[i]);
    if (limit === undefined) return `${nameOf(i)} has an unreadable basicConstraints extension`;
    if (below > limit) return `${nameOf(i)} allows at most ${limit} CA certificate(s) below it (pathLenConstraint)`;
    if (path[i].subject !== path[i].issuer) below++;
  }
  return undefined;
}

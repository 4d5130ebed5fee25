/**
 * Certificate blocks in PEM text. Between the markers only base64 and whitespace are matched:
 * with `[\s\S]+?` there, every BEGIN line without an END was scanned on to the end of the text,
 * so a login field of repeated BEGIN lines cost time quadratic in its length (512 KiB: 5 s).
 * A body stops at the first character outside base64, so each character is read a bounded
 * number of times.
 */
const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+)-----END CERTIFICATE-----/g;

/** Every certificate block, markers included, in order. */
export function pemCertificateBlocks(text: string): string[] {
  return text.match(PEM_CERTIFICATE) ?? [];
}

/** The base64 body (whitespace kept) of every certificate block, in order. */
export function pemCertificateBodies(text: string): string[] {
  return Array.from(text.matchAll(PEM_CERTIFICATE), (m) => m[1]);
}

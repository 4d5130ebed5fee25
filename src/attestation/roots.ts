/** Trust anchors given as PEM text or parsed certificates, normalised to parsed certificates. */
import { X509Certificate } from 'node:crypto';
import { invalid } from '../errors/index.js';
import { pemCertificateBlocks } from './x509/index.js';

/** Every certificate in a PEM text (several may be concatenated). Bad PEM is an 'invalid' error. */
export function parsePemCertificates(text: string): X509Certificate[] {
  const blocks = pemCertificateBlocks(text);
  if (blocks.length === 0 && text.trim() !== '') throw invalid('trusted roots: no PEM certificate found', 'invalid_trusted_root');
  return blocks.map((block, i) => {
    try {
      return new X509Certificate(block);
    } catch {
      throw invalid(`trusted roots: certificate ${i + 1} is not a valid X.509 certificate`, 'invalid_trusted_root');
    }
  });
}

export function normalizeRoots(roots: ReadonlyArray<X509Certificate | string>): X509Certificate[] {
  return roots.flatMap((r) => (typeof r === 'string' ? parsePemCertificates(r) : [r]));
}

/**
 * What a login may bring besides its evidence:
 *   certificates  (snp)      the VCEK or VLEK, optionally its ASK/ASVK: a list of base64 DER, or PEM text
 *   collateral    (tdx, sgx) the DCAP collateral document (object or JSON text); else the config's
 * Certificates are only candidates: the verifier still requires the chain to end in a trusted root.
 */
import { olderDcapCollateral, parseDcapCollateral, parseDcapCollateralJson, pemCertificateBodies, type DcapCollateral, type PlatformName } from '../../attestation/index.js';
import { invalid, SealtrailError } from '../../errors/index.js';
import { decodeWrappedBase64, maxBase64Chars } from '../../lib/base64.js';
import type { PlatformConfig } from './config.js';

/** A VCEK/VLEK and its ASK/ASVK and ARK are three; a few more are tolerated, no more. */
export const MAX_LOGIN_CERTIFICATES = 4;
/** AMD's certificates are under 2 kB each. */
export const MAX_CERTIFICATE_BYTES = 16 * 1024;

type Data = Readonly<Record<string, unknown>>;

function certificateBytes(text: string): Uint8Array {
  const tooLarge = () => invalid(`a certificate in "certificates" is larger than ${MAX_CERTIFICATE_BYTES} bytes`, 'invalid_field');
  if (text.length > maxBase64Chars(MAX_CERTIFICATE_BYTES)) throw tooLarge();
  const der = decodeWrappedBase64(text);
  if (!der || der.length === 0) throw invalid('"certificates" must hold base64 DER or PEM certificates', 'invalid_field');
  if (der.length > MAX_CERTIFICATE_BYTES) throw tooLarge();
  return der;
}

export function loginCertificates(platform: PlatformName, data: Data): Uint8Array[] | undefined {
  const value = data.certificates;
  if (value === undefined || value === null) return undefined;
  if (platform !== 'snp') throw invalid(`"certificates" does not apply to ${platform} evidence`, 'invalid_field');
  const items = typeof value === 'string' ? [value] : value;
  if (!Array.isArray(items) || !items.every((v): v is string => typeof v === 'string')) {
    throw invalid('"certificates" must be a list of base64 DER certificates, or PEM text', 'invalid_field');
  }
  // PEM text holds a few certificates and their markers; anything longer is refused unread.
  const maxItemChars = MAX_LOGIN_CERTIFICATES * (maxBase64Chars(MAX_CERTIFICATE_BYTES) + 64);
  if (items.length > MAX_LOGIN_CERTIFICATES || items.some((item) => item.length > maxItemChars)) {
    throw invalid(`"certificates" holds at most ${MAX_LOGIN_CERTIFICATES} certificates of at most ${MAX_CERTIFICATE_BYTES} bytes`, 'invalid_field');
  }
  const texts = items.flatMap((item) => {
    const pem = pemCertificateBodies(item);
    return pem.length > 0 ? pem : [item];
  });
  if (texts.length > MAX_LOGIN_CERTIFICATES) throw invalid(`"certificates" holds at most ${MAX_LOGIN_CERTIFICATES} certificates`, 'invalid_field');
  return texts.map(certificateBytes);
}

/** The `collateral` field, as an object or its JSON text, checked for shape (the verifier checks the rest). */
export function collateralDocument(value: unknown): DcapCollateral {
  let doc = value;
  if (typeof value === 'string') {
    const parsed = parseDcapCollateralJson(value);
    if (!parsed.ok) throw invalid(`"collateral" must be the DCAP collateral JSON document: ${parsed.message}`, 'invalid_field');
    doc = parsed.value;
  }
  return parseDcapCollateral(doc);
}

/**
 * The login's collateral, or the config's. A login's may replace the config's only when it is not
 * older (olderDcapCollateral): the operator's copy sets how recent the TCB data a login is judged
 * against must be.
 */
export function loginCollateral(platform: PlatformName, data: Data, config: PlatformConfig): DcapCollateral | undefined {
  const value = data.collateral;
  if (value === undefined || value === null) return config.collateral;
  if (platform !== 'tdx' && platform !== 'sgx') throw invalid(`"collateral" does not apply to ${platform} evidence`, 'invalid_field');
  const supplied = collateralDocument(value);
  const older = config.collateral ? olderDcapCollateral(supplied, config.collateral) : undefined;
  if (older) throw new SealtrailError('permission', 'attestation_collateral_expired', `attestation refused: the login's collateral is older than the configured collateral (${older})`);
  return supplied;
}

/**
 * What travels inside RELP frames besides the syslog message: the `rsp` answer
 * (`STATUS [SP HUMAN-TEXT] [LF DATA]`, STATUS three digits, 200 meaning OK) and the offers of the
 * `open` command (`name=value,value` lines separated by LF), as librelp writes and reads them.
 */
import { RelpProtocolError } from './frame.js';

export const RELP_VERSION = 0;

/** The client's offers: protocol version 0 (what librelp speaks), our name, and `syslog`. */
export const OPEN_OFFERS = Buffer.from(`relp_version=${RELP_VERSION}\nrelp_software=sealtrail\ncommands=syslog`, 'latin1');

export interface Rsp {
  status: number;
  /** The human-readable text, for error messages (at most 80 characters kept). */
  text: string;
  /** What follows the first LF (the server's offers, for `open`). */
  data: string;
}

export function parseRsp(data: Buffer): Rsp {
  const text = data.toString('latin1');
  const m = /^(\d{3})(?: ([^\n]*))?(?:\n([\s\S]*))?$/.exec(text);
  if (!m) throw new RelpProtocolError('RELP rsp does not start with a three-digit status');
  return { status: Number(m[1]), text: (m[2] ?? '').replace(/[^\x20-\x7e]/g, '?').slice(0, 80), data: m[3] ?? '' };
}

/** Offer name → values. */
export function parseOffers(text: string): Map<string, string[]> {
  const offers = new Map<string, string[]>();
  for (const line of text.split('\n')) {
    if (line === '') continue;
    const eq = line.indexOf('=');
    const name = eq < 0 ? line : line.slice(0, eq);
    const values = eq < 0 ? [] : line.slice(eq + 1).split(',').filter((v) => v !== '');
    offers.set(name, values);
  }
  return offers;
}

/**
 * Checks the server's answer to `open`: it must be 200, speak our protocol version and accept
 * the `syslog` command; otherwise throws with the reason.
 */
export function checkOpenAnswer(rsp: Rsp): void {
  if (rsp.status !== 200) throw new Error(`the receiver refused the session: ${rsp.status} ${rsp.text}`);
  const offers = parseOffers(rsp.data);
  const version = offers.get('relp_version')?.[0];
  if (version === undefined || !/^\d+$/.test(version)) throw new RelpProtocolError('the receiver did not offer a relp_version');
  if (Number(version) > RELP_VERSION) throw new Error(`the receiver wants RELP version ${version}; this device speaks ${RELP_VERSION}`);
  if (!offers.get('commands')?.includes('syslog')) throw new Error('the receiver does not accept the syslog command');
}

/**
 * Reads the files the TLS settings name into what a TLS connection takes, checked first so that a
 * bad file ends the command before any request, in one line naming the file and the setting —
 * never its contents. As in vault (go-rootcerts), CA certificates replace the system's roots
 * rather than add to them, a CA file wins over a CA directory, and every file of the directory
 * (walked recursively) must hold a PEM certificate (and be a regular file: a FIFO is refused). As vault's CLI does when its client cannot be
 * made, these failures exit 2.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { SealtrailError } from '../errors/index.js';
import { CliExit, EXIT_REMOTE, localFailure } from './failure.js';
import { MAX_TLS_FILE_BYTES, fileBytesUpTo, regularFileBytesUpTo } from './input-limits.js';
import type { Given, TlsSettings } from './tls-settings.js';

/** Node's TLS connection options for the settings (tls-fetch.ts hands them to undici). */
export interface TlsConnection {
  /** The trusted CA certificates (PEM); absent: the system's roots. */
  ca?: string[];
  /** The client certificate and any chain after it (PEM), and its key. */
  cert?: string;
  key?: string;
  rejectUnauthorized: boolean;
  /** The name sent as SNI and verified in the server's certificate; absent: the address's host. */
  serverName?: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;
const PRIVATE_KEY_BLOCK = /-----BEGIN ((?:RSA |EC |ENCRYPTED )?PRIVATE KEY)-----[\s\S]*?-----END \1-----/;

const fail = (path: string, from: Given<string>, reason: string) =>
  new CliExit(EXIT_REMOTE, `sealtrail: ${path}: ${reason} (${from.from})`);

export async function loadTls(settings: TlsSettings): Promise<TlsConnection> {
  const connection: TlsConnection = { rejectUnauthorized: !settings.skipVerify };
  if (settings.caCert) connection.ca = await certificatesIn(settings.caCert.value, settings.caCert);
  else if (settings.caPath) connection.ca = await certificatesUnder(settings.caPath.value, settings.caPath);
  if (settings.clientCert && settings.clientKey) Object.assign(connection, await clientPair(settings.clientCert, settings.clientKey));
  if (settings.serverName) connection.serverName = settings.serverName.value;
  return connection;
}

/**
 * A file's text; a missing, unreadable or oversized file is the command's end, and so is a file
 * found in a -ca-path directory that is not a regular file (a FIFO there would block the open).
 */
async function readText(path: string, from: Given<string>, found = false): Promise<string> {
  try {
    return (await (found ? regularFileBytesUpTo : fileBytesUpTo)(path, MAX_TLS_FILE_BYTES)).toString('utf8');
  } catch (err) {
    throw unreadable(err, path, from);
  }
}

/** A failure of the file system, or a file over its bound, as the command's last line; anything else is rethrown. */
function unreadable(err: unknown, path: string, from: Given<string>): CliExit {
  const line = localFailure(err, path) ?? (err instanceof SealtrailError ? err.message : undefined);
  if (line === undefined) throw err;
  return new CliExit(EXIT_REMOTE, `${line} (${from.from})`);
}

/** The certificates of a PEM file (Go's AppendCertsFromPEM: blocks that do not parse are skipped; none is an error). */
async function certificatesIn(path: string, from: Given<string>, found = false): Promise<string[]> {
  const certificates = parsedCertificates(await readText(path, from, found));
  if (certificates.length === 0) throw fail(path, from, 'no PEM certificate in the file');
  return certificates.map((c) => c.toString());
}

function parsedCertificates(text: string): X509Certificate[] {
  const out: X509Certificate[] = [];
  for (const block of text.match(CERTIFICATE_BLOCK) ?? []) {
    try {
      out.push(new X509Certificate(block));
    } catch {
      // skipped, as Go skips a block that does not parse
    }
  }
  return out;
}

/**
 * The certificates of every file under `path`: a directory walked recursively in name order, or a
 * file itself. As Go's filepath.Walk, a symbolic link is read as a file, never walked into.
 */
async function certificatesUnder(path: string, from: Given<string>): Promise<string[]> {
  const info = await stat(path).catch((err: unknown) => { throw unreadable(err, path, from); });
  if (!info.isDirectory()) return certificatesIn(path, from);
  return walk(path, from);
}

async function walk(dir: string, from: Given<string>): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true }).catch((err: unknown) => { throw unreadable(err, dir, from); });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const all: string[] = [];
  for (const entry of entries) {
    const path = join(dir, entry.name);
    all.push(...(entry.isDirectory() ? await walk(path, from) : await certificatesIn(path, from, true)));
  }
  return all;
}

/** The client certificate (with any chain after it) and its key, which must belong together. */
async function clientPair(certFrom: Given<string>, keyFrom: Given<string>): Promise<{ cert: string; key: string }> {
  const certificates = parsedCertificates(await readText(certFrom.value, certFrom));
  if (certificates.length === 0) throw fail(certFrom.value, certFrom, 'no PEM certificate in the file');
  const keyText = await readText(keyFrom.value, keyFrom);
  const block = PRIVATE_KEY_BLOCK.exec(keyText);
  if (!block) throw fail(keyFrom.value, keyFrom, 'no PEM private key in the file');
  if (block[1] === 'ENCRYPTED PRIVATE KEY') throw fail(keyFrom.value, keyFrom, 'the private key is encrypted; give it unencrypted');
  let key: KeyObject;
  try {
    key = createPrivateKey(block[0]);
  } catch {
    throw fail(keyFrom.value, keyFrom, 'the PEM private key does not parse');
  }
  if (!certificates[0].checkPrivateKey(key)) throw fail(keyFrom.value, keyFrom, `not the key of the client certificate ${certFrom.value}`);
  return { cert: certificates.map((c) => c.toString()).join(''), key: block[0] };
}

/**
 * Persists a development CA as PEM files in a directory, so a dev server can trust its root
 * (`root.pem`) and the SDK/CLI can issue documents from it later:
 *   root.pem  root-key.pem  intermediate.pem  intermediate-key.pem
 * Keys are written 0600 inside a 0700 directory; an existing CA is never overwritten silently.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { invalid } from '../../errors/index.js';
import { loadDevCa, type DevCa, type DevCaMaterial } from './ca.js';
import { makeDirectory } from '../../lib/make-dir.js';

const FILES: Record<keyof DevCaMaterial, { name: string; mode: number }> = {
  rootCertPem: { name: 'root.pem', mode: 0o644 },
  rootKeyPem: { name: 'root-key.pem', mode: 0o600 },
  intermediateCertPem: { name: 'intermediate.pem', mode: 0o644 },
  intermediateKeyPem: { name: 'intermediate-key.pem', mode: 0o600 },
};

export const DEV_CA_ROOT_FILE = FILES.rootCertPem.name;

export async function saveDevCa(dir: string, ca: DevCa, options: { overwrite?: boolean } = {}): Promise<void> {
  await makeDirectory(dir, 0o700);
  for (const [field, file] of Object.entries(FILES) as Array<[keyof DevCaMaterial, { name: string; mode: number }]>) {
    try {
      // 'wx' fails if the file exists: a second `init` must not replace a CA a server already trusts.
      await writeFile(join(dir, file.name), ca.material[field], { mode: file.mode, flag: options.overwrite ? 'w' : 'wx' });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') throw invalid(`a development CA already exists in ${dir}`, 'dev_ca_exists');
      throw err;
    }
  }
}

async function readPem(dir: string, name: string): Promise<string> {
  try {
    return await readFile(join(dir, name), 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') throw invalid(`no development CA in ${dir} (missing ${name}); run dev-enclave init`, 'dev_ca_missing');
    throw err;
  }
}

export async function loadDevCaFromDir(dir: string): Promise<DevCa> {
  const material = {} as DevCaMaterial;
  for (const [field, file] of Object.entries(FILES) as Array<[keyof DevCaMaterial, { name: string }]>) {
    material[field] = await readPem(dir, file.name);
  }
  return loadDevCa(material);
}

/** Only the root certificate: what a dev server needs to trust the CA. */
export function readDevCaRootPem(dir: string): Promise<string> {
  return readPem(dir, DEV_CA_ROOT_FILE);
}

/** The real Nitro fixture (test/fixtures/nitro/, see its README). */
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/nitro/', import.meta.url);

export const FIXTURE_TIME = 1731627987382;
export const fixtureDocument = (): Buffer => Buffer.from(readFileSync(new URL('sui-debug-enclave.hex', dir), 'utf8').trim(), 'hex');
export const fixtureAwsRootPem = (): string => readFileSync(new URL('aws-nitro-enclaves-root-g1.pem', dir), 'utf8');

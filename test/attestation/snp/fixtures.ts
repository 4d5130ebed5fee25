/** The real SEV-SNP samples (test/fixtures/snp/, see its README). */
import { readFileSync } from 'node:fs';

const dir = new URL('../../fixtures/snp/', import.meta.url);
const read = (path: string): Buffer => readFileSync(new URL(path, dir));

/** A time inside every sample's validity. */
export const SNP_FIXTURE_TIME = Date.UTC(2025, 5, 1);

export const vcekReport = () => read('01_gosevguest_milan_v2_vcek/attestation.bin');
export const vcekDer = () => read('01_gosevguest_milan_v2_vcek/vcek.testcer');
export const vcekAskArkPem = () => read('01_gosevguest_milan_v2_vcek/ask_ark_milan.pem');
export const VCEK_NOT_BEFORE = Date.UTC(2022, 8, 24, 0, 55, 28);
export const VCEK_NOT_AFTER = Date.UTC(2029, 8, 24, 0, 55, 28);

export const vlekReport = () => read('03_trustee_milan_v3_vlek/test-vlek-report.bin');
export const vlekDer = () => read('03_trustee_milan_v3_vlek/test-vlek.der');
export const vlekAskArkAsvkPem = () => read('03_trustee_milan_v3_vlek/milan_ask_ark_asvk.pem');
export const VLEK_NOT_BEFORE = Date.UTC(2024, 11, 10, 22, 14, 21);
export const VLEK_NOT_AFTER = Date.UTC(2025, 11, 10, 22, 14, 21);

export const rootPem = (name: string) => read(`roots/${name}.pem`).toString('latin1');
export const fixtureReadme = () => read('README.md').toString('utf8');

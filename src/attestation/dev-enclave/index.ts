/** The development enclave: a local test CA and Nitro-format attestation documents signed by it. */
export { createDevCa, loadDevCa, DEV_LEAF_VALIDITY_MS, type DevCa, type DevCaMaterial, type CreateDevCaOptions } from './ca.js';
export { createDevEnclave, pcrBytes, type DevEnclave, type DevEnclaveOptions, type AttestRequest, type PcrValues } from './enclave.js';
export { saveDevCa, loadDevCaFromDir, readDevCaRootPem, DEV_CA_ROOT_FILE } from './store.js';
export { buildCertificate, type CertificateSpec, type DistinguishedName } from './certificate.js';

export { verifyDcapQuote, type DcapPlatform } from './verify.js';
export { checkPolicy, sgxClaims, tdxClaims, type DcapClaims } from './claims.js';
export { parseCollateral, parseCollateralJson, olderCollateral, COLLATERAL_KEYS, MAX_COLLATERAL_ITEM_CHARS, MAX_COLLATERAL_JSON_DEPTH } from './collateral.js';
export { INTEL_SGX_ROOT_CA_PEM, INTEL_SGX_ROOT_CA_SHA256, intelSgxRootCa } from './intel-root.js';
export { parseQuote, MAX_QUOTE_BYTES, type DcapQuote } from './quote.js';
export { parseSgxReport, parseTdReport, sgxDebug, tdDebug, type SgxReportBody, type TdReportBody } from './body.js';

/** The product version reported by sys/seal-status, sys/health and `sealtrail version`. */
export const VERSION = '0.1.0';

/** Stands in for the HCL parser's worker and never says it is ready (hcl-parser.test.ts). */
import { parentPort } from 'node:worker_threads';

parentPort!.on('message', () => {});

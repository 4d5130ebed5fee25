/**
 * Runs wildcardMatch on the cases it is given, off the test's thread: a matcher that does not
 * return fails its test at a deadline instead of holding the test run.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { wildcardMatch } from '../../../src/kms/policy/wildcard.js';

const cases = workerData as Array<[pattern: string, value: string, ignoreCase: boolean]>;
parentPort!.postMessage(cases.map(([pattern, value, ignoreCase]) => wildcardMatch(pattern, value, ignoreCase)));

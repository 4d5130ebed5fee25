/** A configuration's problems, each named by the top-level key it is about. */
import { SealtrailError } from '../errors/index.js';

/** One problem of a configuration, named by the top-level key it is about. */
export interface ConfigProblem {
  key?: string;
  message: string;
}

export class ConfigError extends SealtrailError {
  /** Every problem found (a parse error is one problem with no key). */
  readonly problems: readonly ConfigProblem[];

  constructor(message: string, problems?: readonly ConfigProblem[]) {
    super('invalid', 'invalid_config', message);
    this.problems = problems ?? [{ message }];
  }
}

/** The composition root: builds the server from its configuration and runs it. */
export { runServer, type ServerRunOptions, type RunningServer } from './run.js';
export { configurationProblems } from './config-problems.js';
export type { Services, TrailServices } from './services.js';
export type { Ledger, SignedCheckpoint } from './ledger.js';

#!/usr/bin/env node
/**
 * The `sealtrail` command (bin/sealtrail runs the built copy of this file). Vault habits apply:
 * single-dash flags (`-format=json`), `key=value` data, SEALTRAIL_ADDR / SEALTRAIL_TOKEN with
 * VAULT_ADDR / VAULT_TOKEN as fallbacks. Exit codes: 0 ok, 1 local error, 2 remote error, 3 a
 * verification (`sealtrail ledger`) found the evidence bad, 127 unknown command, 141 stdout's reader
 * went away (`| head`), as SIGPIPE ends other programs.
 */
import { processIo } from './io.js';
import { runCli } from './run.js';

process.exitCode = await runCli(process.argv.slice(2), processIo());

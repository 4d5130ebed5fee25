/**
 * The `apm` auth method (Anjuna Policy Manager flow): attestation login plus its configuration.
 * Paths relative to the mount (default `auth/apm/`):
 *
 *   v0/attest/<platform>/init   update, no token   → challenge + correlation_id      (login.ts)
 *   v0/attest/<platform>/auth   update, no token   → token grant for a matching role (login.ts)
 *   config                      read/update        { challenge_ttl }
 *   config/<platform>           read/update        { trusted_roots_pem, include_vendor_root, allow_debug, ... } (config.ts)
 *   role                        list               → { keys }
 *   role/<name>                 create/update/read/delete                          (roles.ts)
 *
 * @example
 *   mounts.enable('auth', 'apm/', 'apm', apmBackend({ clock, trustedDevRoots: devMode ? () => [devRootPem] : undefined }));
 */
import { backendFromPaths, type PathRequest, type PathSpec, type BackendFactory, type LogicalResponse } from '../../core/index.js';
import { invalid } from '../../errors/index.js';
import { createPlatformVerifiers, isPlatformName, type PlatformName, type PlatformVerifier } from '../../attestation/index.js';
import type { Clock } from '../../lib/clock.js';
import { createChallengeStore, type ChallengeSource, type ChallengeStore } from './challenges.js';
import { createEntityStore } from './entities.js';
import { createConfigStore, generalConfigView, platformConfigView, updateGeneralConfig, updatePlatformConfig } from './config.js';
import { authHandler, initHandler } from './login.js';
import { authorizeRenewal } from './renewal.js';
import { createRoleStore, roleFromRequest, roleView, validRoleName } from './roles.js';
import { createRootResolver } from './trust.js';

export interface ApmBackendDeps {
  clock: Clock;
  /** PEM roots of the development enclave CA. Passed by the server in dev mode only. */
  trustedDevRoots?: () => string[];
  /** Platform verifiers; default one set per mount (with its own certificate cache). */
  verifiers?: Record<PlatformName, PlatformVerifier>;
  /** Bound on the record of used, unexpired challenges (challenges.ts); default 100 000. */
  maxConsumedChallenges?: number;
  /** A challenge store to use instead of the mount's own (tests observe its size). */
  challenges?: ChallengeStore;
  /** Where challenge bytes come from (challenges.ts; tests bind recorded evidence). */
  challengeSource?: ChallengeSource;
}

export const APM_UNAUTHENTICATED_PATHS = ['v0/attest/*'] as const;

function platformParam(req: PathRequest): PlatformName {
  const platform = req.params.platform;
  if (!isPlatformName(platform)) throw invalid('unsupported attestation platform', 'unsupported_platform');
  return platform;
}

export function apmBackend(deps: ApmBackendDeps): BackendFactory {
  return ({ storage, journal }) => {
    const config = createConfigStore(storage);
    const roles = createRoleStore(storage);
    const login = {
      clock: deps.clock,
      journal,
      challenges: deps.challenges ?? createChallengeStore({ clock: deps.clock, maxConsumed: deps.maxConsumedChallenges, source: deps.challengeSource }),
      config,
      roles,
      entities: createEntityStore(storage),
      verifiers: deps.verifiers ?? createPlatformVerifiers(),
      roots: createRootResolver(deps.trustedDevRoots),
    };
    const noContent = (): LogicalResponse => ({});

    const paths: PathSpec[] = [
      { pattern: 'v0/attest/(?<platform>[^/]+)/init', handlers: { update: initHandler(login) } },
      { pattern: 'v0/attest/(?<platform>[^/]+)/auth', handlers: { update: authHandler(login) } },
      {
        pattern: 'config',
        handlers: {
          read: async () => ({ data: generalConfigView(await config.general()) }),
          update: async (req) => (await config.setGeneral(updateGeneralConfig(await config.general(), req.data)), noContent()),
        },
      },
      {
        pattern: 'config/(?<platform>[^/]+)',
        handlers: {
          read: async (req) => {
            const platform = platformParam(req);
            return { data: platformConfigView(platform, await config.platform(platform)) };
          },
          update: async (req) => {
            const platform = platformParam(req);
            await config.setPlatform(platform, updatePlatformConfig(platform, await config.platform(platform), req.data));
            return noContent();
          },
        },
      },
      { pattern: 'role/?', handlers: { list: async () => ({ data: { keys: (await roles.all()).map((r) => r.name) } }) } },
      {
        pattern: 'role/(?<name>[^/]+)',
        existenceCheck: async (req) => (await roles.get(req.params.name)) !== undefined,
        handlers: {
          read: async (req) => {
            const role = await roles.get(validRoleName(req.params.name));
            return role ? { data: roleView(role) } : undefined;
          },
          update: async (req) => (await roles.put(roleFromRequest(req.params.name, req.data)), noContent()),
          delete: async (req) => (await roles.delete(validRoleName(req.params.name)), noContent()),
        },
      },
    ];
    return backendFromPaths(paths, { unauthenticatedPaths: APM_UNAUTHENTICATED_PATHS, authorizeRenewal: (token) => authorizeRenewal(roles, config, token) });
  };
}

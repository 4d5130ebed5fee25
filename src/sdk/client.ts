/** SealtrailClient: connection settings, the generic logical API, and the typed groups. */
import { addressFromEnv, tokenFromEnv } from './env.js';
import { asEnvelope } from './envelope.js';
import { createKvV2Api, type KvV2Api } from './kv.js';
import { listOrUndefined, readOrUndefined } from './read.js';
import { createSysApi, type SysApi } from './sys.js';
import { createTokenApi, type TokenApi } from './token.js';
import { createTransport, type FetchLike, type Transport } from './transport.js';
import type { ListData, Query, VaultResponse } from './types.js';

export interface SealtrailClientOptions {
  /** Server address; default SEALTRAIL_ADDR, then VAULT_ADDR, then http://127.0.0.1:8200. */
  address?: string;
  /** Client token; default SEALTRAIL_TOKEN, then VAULT_TOKEN (unless SEALTRAIL_ADDR and VAULT_ADDR name different servers). */
  token?: string;
  /** A fetch implementation (tests, proxies); default the global fetch. */
  fetch?: FetchLike;
  /** Per-request timeout; default 60 s (Vault's client default). */
  timeoutMs?: number;
  /**
   * The largest answer read, in bytes; default 512 MiB (a journal page). A workload that never
   * reads journal pages, such as an enclave with little memory, can lower it: a hostile or broken
   * server could otherwise make it hold that much, and more again while it is decoded.
   */
  maxResponseBytes?: number;
  /** The deepest answer parsed; default 2,048 levels. */
  maxResponseDepth?: number;
  /**
   * Asks the server to wrap every answer (X-Vault-Wrap-TTL, e.g. `"5m"`): each answer is then a
   * single-use wrapping token in `wrap_info`, which `sys/wrapping/unwrap` turns back into the
   * answer once. Not read from the environment (the CLI reads SEALTRAIL_WRAP_TTL, VAULT_WRAP_TTL).
   */
  wrapTtl?: string;
  /** Sees each wrapped answer before the method returns it; what it throws, the method rejects with. */
  onWrapped?: (answer: VaultResponse<null>) => void;
}

export const DEFAULT_TIMEOUT_MS = 60_000;

export class SealtrailClient {
  readonly address: string;
  readonly sys: SysApi;
  readonly token: TokenApi;
  #token: string | undefined;
  readonly #transport: Transport;
  readonly #options: SealtrailClientOptions;

  constructor(options: SealtrailClientOptions = {}) {
    for (const name of ['maxResponseBytes', 'maxResponseDepth'] as const) {
      const bound = options[name];
      if (bound !== undefined && !(Number.isSafeInteger(bound) && bound > 0)) throw new RangeError(`${name} must be a positive integer`);
    }
    this.#options = options;
    this.#token = options.token ?? tokenFromEnv();
    this.#transport = createTransport({
      address: options.address ?? addressFromEnv(),
      getToken: () => this.#token,
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
      maxResponseBytes: options.maxResponseBytes,
      maxResponseDepth: options.maxResponseDepth,
      wrapTtl: options.wrapTtl,
      onWrapped: options.onWrapped,
    });
    this.address = this.#transport.address;
    this.sys = createSysApi(this.#transport);
    this.token = createTokenApi(this.#transport);
  }

  /** The token sent as X-Vault-Token (undefined: requests go without one). */
  getToken(): string | undefined {
    return this.#token;
  }

  setToken(token: string | undefined): void {
    this.#token = token;
  }

  /** A client for the same server acting with another token. */
  withToken(token: string | undefined): SealtrailClient {
    return new SealtrailClient({ ...this.#options, address: this.address, token });
  }

  /** The same client asking for answers wrapped for `wrapTtl`, or (undefined) for plain answers. */
  withWrapTtl(wrapTtl: string | undefined): SealtrailClient {
    const client = new SealtrailClient({ ...this.#options, address: this.address, wrapTtl });
    client.setToken(this.#token);
    return client;
  }

  /** KV version 2 at `mount` (e.g. `"secret"`). */
  kv(mount: string): KvV2Api {
    return createKvV2Api(this.#transport, mount);
  }

  /** GET; undefined when nothing is at `path` (404 without errors). */
  read<T = Record<string, unknown>>(path: string, query?: Query): Promise<VaultResponse<T> | undefined> {
    return readOrUndefined<T>(this.#transport, path, query);
  }

  /**
   * GET of a path that must exist: every error status rejects, a 404 without errors too (which
   * `read` takes for "nothing there", as for a missing secret). For endpoints such as
   * sys/journal/records, whose absence means the address is not the server meant. Undefined
   * when the answer has no body.
   */
  async readRequired<T = Record<string, unknown>>(path: string, query?: Query): Promise<VaultResponse<T> | undefined> {
    return asEnvelope<T>(await this.#transport.call('GET', path, { query }));
  }

  /** POST of `data` as JSON; undefined when the server answers 204. */
  async write<T = Record<string, unknown>>(path: string, data: Record<string, unknown> = {}): Promise<VaultResponse<T> | undefined> {
    return asEnvelope<T>(await this.#transport.call('POST', path, { body: data }));
  }

  /** DELETE (query parameters are how Vault passes data to a delete); undefined on 204. */
  async delete<T = Record<string, unknown>>(path: string, query?: Query): Promise<VaultResponse<T> | undefined> {
    return asEnvelope<T>(await this.#transport.call('DELETE', path, { query }));
  }

  /** LIST (`GET ?list=true`); undefined when there is nothing under `path`. */
  list(path: string): Promise<VaultResponse<ListData> | undefined> {
    return listOrUndefined<ListData>(this.#transport, path);
  }
}

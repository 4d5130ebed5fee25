/**
 * The console: the built single-page app in dist/ui served at /ui/. Hashed assets are immutable;
 * every other path under /ui/ is a client route and answers index.html. Each answer carries a
 * Content-Security-Policy that allows only this origin's scripts (no inline script, no CDN), so a
 * value the console renders from the journal can never run as code. Errors too: every refusal under
 * /ui/ (a traversal, a dotfile, a URL that does not decode) is a short fixed text with the same
 * headers, never the error handler's JSON and never anything of the request. Without a build, /ui/
 * says so with a 503 instead of failing the server.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { vaultErrorReply, type EdgeLog } from './errors.js';

export const CONSOLE_CSP = [
  "default-src 'none'", "script-src 'self'", "style-src 'self'", "img-src 'self' data:", "connect-src 'self'",
  "font-src 'self'", "base-uri 'none'", "form-action 'none'", "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
};

const IMMUTABLE = 'public, max-age=31536000, immutable';
const NO_LOG: EdgeLog = { error: () => undefined };

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sealtrail console not built</title></head>
<body><h1>The Sealtrail console is not built</h1>
<p>This server serves the console from <code>dist/ui</code>, which is missing. Run <code>npm run build</code> and restart the server.</p>
</body></html>
`;

export interface ConsoleOptions {
  /** The built console (vite's output): index.html and assets/. */
  root: string;
  /** Where an internal error while serving is logged (a refusal is not). */
  log?: EdgeLog;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply.headers(SECURITY_HEADERS);
}

/** Whether a request URL is the console's: /ui itself or anything under /ui/. */
export function isConsoleUrl(url: string): boolean {
  return url === '/ui' || url.startsWith('/ui/') || url.startsWith('/ui?');
}

const REFUSALS: Readonly<Record<number, string>> = {
  400: 'bad request', 403: 'forbidden', 404: 'not found', 405: 'method not allowed', 414: 'URI too long', 415: 'unsupported media type',
};

/** An error answer under /ui/: the console's headers and a fixed text (a status outside 4xx is a 500). */
export function refuseConsoleRequest(reply: FastifyReply, status: number): FastifyReply {
  const code = status >= 400 && status < 500 ? status : 500;
  return secure(reply).code(code).header('cache-control', 'no-store').type('text/plain; charset=utf-8').send(REFUSALS[code] ?? (code === 500 ? 'internal error' : 'bad request'));
}

/** Registers /ui and /ui/* on the server. */
export function registerConsole(app: FastifyInstance, opts: ConsoleOptions): void {
  // The query goes along (a shared search link); the target is always this server's /ui/.
  app.get('/ui', (req, reply) => {
    const q = req.url.indexOf('?');
    return secure(reply).redirect(`/ui/${q < 0 ? '' : req.url.slice(q)}`, 308);
  });
  if (!existsSync(join(opts.root, 'index.html'))) {
    const notBuilt = (_req: unknown, reply: FastifyReply) => secure(reply).code(503).header('cache-control', 'no-store').type('text/html; charset=utf-8').send(NOT_BUILT);
    app.get('/ui/', notBuilt);
    app.get('/ui/*', notBuilt);
    return;
  }
  app.register(async (scope) => {
    await scope.register(fastifyStatic, {
      root: opts.root,
      prefix: '/',
      index: false,
      list: false,
      dotfiles: 'deny',
      redirect: false,
      // The cache headers are set below, per file (send's default would replace them).
      cacheControl: false,
      decorateReply: true,
      setHeaders: (res, path) => {
        for (const [name, value] of Object.entries(SECURITY_HEADERS)) res.setHeader(name, value);
        // Vite names every asset by its content hash; index.html names the current ones.
        res.setHeader('cache-control', path.startsWith(join(opts.root, 'assets')) ? IMMUTABLE : 'no-cache');
      },
    });
    // Not returned: fastify would watch a returned reply's stream with listeners of its own.
    const shell = (reply: FastifyReply): void => { secure(reply).header('cache-control', 'no-cache').sendFile('index.html'); };
    scope.get('/', { prefixTrailingSlash: 'slash' }, (_req, reply) => shell(reply));
    scope.setNotFoundHandler((req, reply) => {
      // A missing asset is a 404 (a script URL answered with HTML would only confuse); any other
      // path is a client route of the app.
      if (req.method !== 'GET' && req.method !== 'HEAD') return refuseConsoleRequest(reply, 405);
      if (req.url.startsWith('/ui/assets/')) return refuseConsoleRequest(reply, 404);
      shell(reply);
    });
    // @fastify/static's refusals (403 for a traversal, a dotfile or a directory, 400 for a NUL) and
    // a body the server's parser refuses: the status the edge would give, the console's answer.
    scope.setErrorHandler((err, _req, reply) => refuseConsoleRequest(reply, vaultErrorReply(err, opts.log ?? NO_LOG).status));
  }, { prefix: '/ui' });
}

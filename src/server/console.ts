/**
 * The console: the built single-page app in dist/ui served at /ui/. Hashed assets are immutable;
 * every other path under /ui/ is a client route and answers index.html. Each answer carries a
 * Content-Security-Policy that allows only this origin's scripts (no inline script, no CDN), so a
 * value the console renders from the journal can never run as code. Without a build, /ui/ says so
 * with a 503 instead of failing the server.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

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

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sealtrail console not built</title></head>
<body><h1>The Sealtrail console is not built</h1>
<p>This server serves the console from <code>dist/ui</code>, which is missing. Run <code>npm run build</code> and restart the server.</p>
</body></html>
`;

export interface ConsoleOptions {
  /** The built console (vite's output): index.html and assets/. */
  root: string;
}

function secure(reply: FastifyReply): FastifyReply {
  return reply.headers(SECURITY_HEADERS);
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
    const shell = (reply: FastifyReply) => secure(reply).header('cache-control', 'no-cache').sendFile('index.html');
    scope.get('/', { prefixTrailingSlash: 'slash' }, (_req, reply) => shell(reply));
    scope.setNotFoundHandler((req, reply) => {
      // A missing asset is a 404 (a script URL answered with HTML would only confuse); any other
      // path is a client route of the app.
      if (req.method !== 'GET' && req.method !== 'HEAD') return secure(reply).code(405).type('text/plain').send('method not allowed');
      if (req.url.startsWith('/ui/assets/')) return secure(reply).code(404).type('text/plain').send('not found');
      return shell(reply);
    });
  }, { prefix: '/ui' });
}

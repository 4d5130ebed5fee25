// The console's build: a static app under /ui/ of the server (src/server/console.ts serves it).
// No inline script (the server's CSP forbids it) and nothing fetched from elsewhere at run time.
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  root: new URL('.', import.meta.url).pathname,
  base: '/ui/',
  plugins: [react()],
  build: {
    outDir: new URL('../dist/ui/', import.meta.url).pathname,
    emptyOutDir: true,
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: false,
    target: 'es2022',
  },
});

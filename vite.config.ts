import react from '@vitejs/plugin-react';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Alias, type Plugin } from 'vite';

/**
 * `@/engine/...` is `src/engine/...`: the tests' imports (tsconfig.node.json `paths`), resolved
 * here for the dev server's test pages (tests/e2e/pages/); vitest.config.ts has the same alias.
 * The app's own sources import relatively.
 */
const SOURCE_ALIAS: Alias[] = [
  { find: /^@\//, replacement: fileURLToPath(new URL('./src/', import.meta.url)) },
];

/**
 * Content-Security-Policy of the production build (a <meta> tag; the dev server needs inline
 * scripts for hot reload, so it runs without one). No 'unsafe-eval': tfjs needs only
 * 'wasm-unsafe-eval' (to compile its WebAssembly backend); workers come from our own origin;
 * nothing is fetched from anywhere else (connect-src 'self').
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self' 'wasm-unsafe-eval'",
  "worker-src 'self'",
  "connect-src 'self'",
  "img-src 'self' data: blob:",
  "style-src 'self' 'unsafe-inline'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'none'",
].join('; ');

function contentSecurityPolicy(): Plugin {
  return {
    name: 'advprune-csp',
    apply: 'build',
    transformIndexHtml() {
      return [
        {
          tag: 'meta',
          attrs: { 'http-equiv': 'Content-Security-Policy', content: CONTENT_SECURITY_POLICY },
          injectTo: 'head-prepend',
        },
      ];
    },
  };
}

/**
 * Cross-origin isolation (COOP same-origin + COEP require-corp): only a cross-origin isolated
 * page (and its workers) gets `SharedArrayBuffer`, and tfjs-backend-wasm picks its multi-threaded
 * SIMD binary only then (XNNPACK runs on a pool of WebAssembly threads). Everything the app loads
 * is same-origin (scripts, the worker, the .wasm files, the datasets, fonts) or a blob: URL, so
 * require-corp blocks nothing. A static host must send the same two headers on every response
 * (docs/backends.md); without them the app still works, with single-threaded WASM.
 */
export const CROSS_ORIGIN_ISOLATION_HEADERS: Record<string, string> = {
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
};

export default defineConfig({
  plugins: [react(), contentSecurityPolicy()],
  resolve: { alias: SOURCE_ALIAS },
  worker: { format: 'es' },
  server: { port: 5173, headers: CROSS_ORIGIN_ISOLATION_HEADERS },
  preview: { port: 4173, headers: CROSS_ORIGIN_ISOLATION_HEADERS },
});

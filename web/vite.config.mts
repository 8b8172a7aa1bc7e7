import { defineConfig } from 'vite';

const here = decodeURIComponent(new URL('.', import.meta.url).pathname);

/**
 * The operator page: built into dist/web and served by the app at /admin (src/admin-web). The app
 * sends `script-src 'self'; style-src 'self'`, so the build must not emit inline scripts or styles.
 */
export default defineConfig(({ command }) => ({
  root: here,
  base: '/admin/',
  publicDir: false,
  // Production JSX whatever NODE_ENV says (jest's `test` would otherwise embed source paths).
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact', development: command === 'serve' } },
  build: {
    outDir: `${here}../dist/web`,
    emptyOutDir: true,
    target: 'es2022',
    // Only modern browsers use this page: no polyfill, which Vite would otherwise inline.
    modulePreload: { polyfill: false },
    // Nothing becomes a data: URL or an inline style.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
    sourcemap: false,
    reportCompressedSize: true,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
}));

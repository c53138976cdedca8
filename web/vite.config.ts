/**
 * The web app: a results viewer (index.html) and a live learned-optimizer demo (demo.html),
 * built into web/dist with relative URLs so it can be served from any path.
 */
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  appType: 'mpa',
  publicDir: 'public',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 8000,
    rollupOptions: { input: { results: `${root}index.html`, demo: `${root}demo.html` } },
  },
  preview: { host: '127.0.0.1', port: 5173, strictPort: false },
});

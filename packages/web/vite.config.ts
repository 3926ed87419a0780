import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

// The editor is served by `contextgen serve` from packages/web/dist; `npm run dev -w @contextgen/web`
// proxies /api to a server on port 8787.
export default defineConfig({
  root: import.meta.dirname,
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, sourcemap: true },
  server: { proxy: { '/api': 'http://127.0.0.1:8787' } },
});

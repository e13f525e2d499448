import { fileURLToPath } from 'node:url';
import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'electron-vite';

/** The desktop app: a thin main process, one preload, and the same renderer as the web bundle. */
export default defineConfig({
  main: {
    build: {
      rollupOptions: { input: { index: fileURLToPath(new URL('./src/main/index.ts', import.meta.url)) } },
    },
  },
  preload: {
    build: {
      rollupOptions: {
        input: { index: fileURLToPath(new URL('./src/preload/index.ts', import.meta.url)) },
        // A sandboxed preload runs as a plain script (no ES modules, only `require('electron')`):
        // one CommonJS file, out/preload/index.cjs, whatever package.json's "type" says.
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: fileURLToPath(new URL('./src/renderer', import.meta.url)),
    plugins: [vue()],
    build: {
      rollupOptions: {
        input: { index: fileURLToPath(new URL('./src/renderer/index.html', import.meta.url)) },
      },
    },
  },
});

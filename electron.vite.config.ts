import { resolve } from 'node:path'
import vue from '@vitejs/plugin-vue'
import { defineConfig } from 'electron-vite'

/**
 * Three builds. main: the Electron entry, the CLI and the solver worker (Node, ESM). preload:
 * CommonJS so the renderer keeps the sandbox on. renderer: the Vue app, also served by
 * `descent serve`. Entries are explicit because the folders are not electron-vite's defaults.
 */
/** Build folder: out/ by default; DESCENT_OUT moves it, e.g. to out-NAME/ for parallel builds of
 * one checkout (it must stay inside the checkout so that node_modules resolves). */
const OUT = process.env.DESCENT_OUT ? resolve(process.env.DESCENT_OUT) : resolve(__dirname, 'out')

export default defineConfig({
  main: {
    build: {
      outDir: resolve(OUT, 'main'),
      target: 'node20',
      sourcemap: true,
      rollupOptions: {
        input: {
          index: resolve(__dirname, 'src-main/electron/main.ts'),
          cli: resolve(__dirname, 'src-main/cli/main.ts'),
          worker: resolve(__dirname, 'src-main/runner/worker.ts'),
        },
        output: { format: 'es', entryFileNames: '[name].js' },
      },
    },
  },
  preload: {
    build: {
      outDir: resolve(OUT, 'preload'),
      // a sandboxed preload can only require('electron'): bundle the rest (zod, the api map)
      externalizeDeps: false,
      rollupOptions: {
        input: { index: resolve(__dirname, 'src-main/electron/preload.ts') },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: resolve(__dirname, 'src-renderer'),
    plugins: [vue()],
    build: {
      outDir: resolve(OUT, 'renderer'),
      minify: true,
      rollupOptions: { input: resolve(__dirname, 'src-renderer/index.html') },
      chunkSizeWarningLimit: 4000,
    },
  },
})

import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The portal is embedded in the Go binary (web/web.go) and served at "/".
export default defineConfig({
  base: '/',
  plugins: [vue()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: false,
    assetsDir: 'assets',
    chunkSizeWarningLimit: 1000,
  },
  server: {
    proxy: { '/api': 'http://localhost:8080' },
  },
})

import { createHash } from 'node:crypto'
import { readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join, relative } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'
import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'
import Components from 'unplugin-vue-components/vite'
import { VantResolver } from '@vant/auto-import-resolver'

// The portal is embedded in the Go binary (web/web.go) and served at "/".
//
// Weak networks (issue 13): Vant components are imported where a template
// uses them (each with its own style), never the whole library stylesheet;
// every route is its own chunk (router.js); the build writes the service
// worker (sw.js, from src/sw.js, naming this build's shell) and a brotli
// (.br) and a gzip (.gz) copy of every text file, which the server sends
// by Accept-Encoding (api/static.go) without compressing anything again.
export default defineConfig({
  base: '/',
  plugins: [
    vue(),
    Components({ resolvers: [VantResolver()], dts: false }),
    serviceWorker(),
    precompress(),
  ],
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

// serviceWorker writes dist/sw.js from src/sw.js: the version is a hash of
// this build's file names and index.html (so a new build is a new worker),
// and the shell is index.html ("/") with the scripts and styles it links.
function serviceWorker() {
  let outDir
  return {
    name: 'jiuzhu-service-worker',
    apply: 'build',
    configResolved(c) { outDir = c.build.outDir.startsWith('/') ? c.build.outDir : join(c.root, c.build.outDir) },
    writeBundle: {
      order: 'pre',
      handler(_, bundle) {
        const index = readFileSync(join(outDir, 'index.html'), 'utf8')
        const linked = [...index.matchAll(/(?:src|href)="(\/assets\/[^"]+)"/g)].map((m) => m[1])
        const shell = ['/', ...new Set(linked)]
        const version = createHash('sha256').update(Object.keys(bundle).sort().join('\n')).update(index).digest('hex').slice(0, 12)
        const src = readFileSync(new URL('./src/sw.js', import.meta.url), 'utf8')
          .replace("'__VERSION__'", JSON.stringify(version))
          .replace('[/* __SHELL__ */]', JSON.stringify(shell))
        writeFileSync(join(outDir, 'sw.js'), src)
      },
    },
  }
}

// precompress writes NAME.br (brotli, best quality) and NAME.gz (gzip -9)
// beside every text file of at least 1 KiB in dist, once per build.
function precompress() {
  let outDir
  const text = /\.(?:js|mjs|css|html|svg|json|txt|webmanifest)$/
  return {
    name: 'jiuzhu-precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(c) { outDir = c.build.outDir.startsWith('/') ? c.build.outDir : join(c.root, c.build.outDir) },
    writeBundle: {
      order: 'post',
      handler() {
        for (const file of walk(outDir)) {
          if (!text.test(file)) continue
          const raw = readFileSync(file)
          if (raw.length < 1024) continue
          writeFileSync(file + '.br', brotliCompressSync(raw, {
            params: {
              [constants.BROTLI_PARAM_QUALITY]: constants.BROTLI_MAX_QUALITY,
              [constants.BROTLI_PARAM_SIZE_HINT]: raw.length,
              [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT,
            },
          }))
          writeFileSync(file + '.gz', gzipSync(raw, { level: 9 }))
        }
        this.info?.(`precompressed text files in ${relative(process.cwd(), outDir) || '.'}`)
      },
    },
  }
}

function walk(dir) {
  const out = []
  for (const name of readdirSync(dir)) {
    const p = join(dir, name)
    if (statSync(p).isDirectory()) out.push(...walk(p))
    else out.push(p)
  }
  return out
}

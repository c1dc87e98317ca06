import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Plugin } from 'vite';

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

/** Text the relay serves; images and fonts are compressed already. */
const COMPRESSIBLE = /\.(?:html|js|mjs|css|json|webmanifest|svg|txt|map)$/;
/** Below this a compressed copy saves less than a packet. */
const MIN_BYTES = 1024;

/**
 * Writes `<file>.br` and `<file>.gz` next to every compressible file of the build, once, at
 * the highest levels (the relay serves them with sirv; compressing on the request path would
 * block its event loop). Runs after vite-plugin-pwa has written sw.js and workbox-*.js.
 */
export function precompress(): Plugin {
  let outDir = '';
  return {
    name: 'lianhu:precompress',
    apply: 'build',
    configResolved(config) {
      outDir = path.resolve(config.root, config.build.outDir);
    },
    closeBundle: {
      order: 'post',
      sequential: true,
      async handler() {
        const files = (await fs.readdir(outDir, { recursive: true, withFileTypes: true }))
          .filter((e) => e.isFile() && COMPRESSIBLE.test(e.name))
          .map((e) => path.join(e.parentPath, e.name));
        await Promise.all(
          files.map(async (file) => {
            const body = await fs.readFile(file);
            if (body.length < MIN_BYTES) return;
            const [gz, br] = await Promise.all([
              gzip(body, { level: 9 }),
              brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
            ]);
            // A copy that is not smaller is not worth a second answer for the same URL.
            if (gz.length < body.length) await fs.writeFile(`${file}.gz`, gz);
            if (br.length < body.length) await fs.writeFile(`${file}.br`, br);
          }),
        );
      },
    },
  };
}

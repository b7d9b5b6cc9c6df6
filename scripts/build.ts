/**
 * Builds dist/: the `reportable` command as an ES module bundle (esbuild), one entry
 * (dist/cli/main.js) and a chunk per lazily loaded part, so that a command loads a few files
 * instead of several hundred (Kysely alone is ~290 modules): starting `scan` takes half the time
 * it did as separate modules (docs/architecture.md, "Build", has the figures).
 * Type checking is `npm run typecheck` (tsc); esbuild only strips types.
 *   node --import tsx scripts/build.ts
 * better-sqlite3 stays outside (a native addon). ipaddr.js is bundled for src/core/cidr.ts
 * (loaded with scan's chunks), while src/core/ip.ts, which `parse` loads, still takes its own
 * copy from node_modules through createRequire on the first IPv6 address, as before (it is not
 * a static import, so esbuild leaves it alone). dist/cli is two levels below the package
 * root, as every module's own file was, so paths made from import.meta.url (templates/, data/)
 * point at the same places.
 */
import { rm } from 'node:fs/promises';
import { join } from 'node:path';
import { build } from 'esbuild';

const ROOT = join(import.meta.dirname, '..');
const OUT = join(ROOT, 'dist');

await rm(OUT, { recursive: true, force: true });
await build({
  absWorkingDir: ROOT,
  entryPoints: { 'cli/main': 'src/cli/main.ts' },
  outdir: OUT,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  packages: 'bundle',
  external: ['better-sqlite3'],
  // CommonJS dependencies (commander, handlebars, nodemailer) call require() for Node's own
  // modules: an ES module has none, so the bundle makes one.
  banner: {
    js: "import { createRequire as __bundleRequire } from 'node:module'; const require = __bundleRequire(import.meta.url);",
  },
  chunkNames: 'cli/[name]-[hash]',
  sourcemap: 'linked',
  logLevel: 'warning',
});

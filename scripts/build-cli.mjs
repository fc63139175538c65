// Bundles the command line (dist/src/cli.js, compiled by tsc) into dist/cli/ with esbuild, so that a one-file
// run loads a few modules instead of ~150 (issue 13: start-up is most of a pre-commit run). Run by
// `npm run build` after tsc and the config validator; `bin/oidclint.js` runs the bundle, and `dist/src` stays
// the library API (`exports`).
//
// What the bundle keeps lazy: everything the sources import with `import()` (the parsers of each format,
// the subcommands, globby outside git, ajv when the precompiled validator does not fit, re2js, the Python
// parser, dagre) becomes its own chunk, loaded only by a run that needs it. @cdktf/hcl2json (Go WebAssembly
// read from its package directory) stays in node_modules.
//
// The chunks are CommonJS (dist/cli/package.json says so): esbuild splits ECMAScript modules only, so each
// chunk it writes is converted on its own, its imports becoming `require` calls. Node then loads no ESM loader
// (+15 % of `node -e 0` on its own, and an asynchronous read per module), and bin/oidclint.js can compile each
// chunk with V8's code cache (bin/bundle-loader.js). The first line of cli.js names the build (a hash of every
// chunk), which keys that cache.
import { createHash } from "node:crypto";
import { mkdirSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { build, transform } from "esbuild";

const root = join(import.meta.dirname, "..");
const outdir = join(root, "dist/cli");
rmSync(outdir, { recursive: true, force: true });
const { outputFiles } = await build({
  entryPoints: [join(root, "dist/src/cli.js")],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["@cdktf/hcl2json"],
  // yaml's ECMAScript-module build (the same code as its CommonJS one, with console.warn for process.emitWarning):
  // bundled as modules it needs no CommonJS wrappers, and what the run never calls is left out.
  alias: { yaml: join(root, "node_modules/yaml/browser/index.js") },
  chunkNames: "chunks/[name]-[hash]",
  write: false,
  logLevel: "warning",
});

const chunks = [];
for (const file of outputFiles) {
  const { code, warnings } = await transform(file.text, {
    format: "cjs",
    platform: "node",
    target: "node20",
    // `import("./chunks/x.js")` becomes a `require` in a promise: still loaded only when the run gets there.
    supported: { "dynamic-import": false },
    // The sources' `import.meta.url` (the version lookup) is the chunk's own file.
    define: { "import.meta.url": "__oidclintUrl", "import.meta.dirname": "__dirname" },
    banner: 'var __oidclintUrl = require("node:url").pathToFileURL(__filename).href;',
    logLevel: "warning",
  });
  if (warnings.length > 0) throw new Error(`${file.path}: ${warnings.map((w) => w.text).join("; ")}`);
  chunks.push({ path: file.path, code });
}
const hash = createHash("sha256");
for (const { path, code } of chunks.sort((a, b) => a.path.localeCompare(b.path)))
  hash.update(`${relative(outdir, path)}\0${code}\0`);
const id = hash.digest("hex").slice(0, 16);
for (const { path, code } of chunks) {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, path === join(outdir, "cli.js") ? `// oidclint build ${id}\n${code}` : code);
}
writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);

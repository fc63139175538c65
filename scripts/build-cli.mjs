// Bundles the command line (dist/src/cli.js, compiled by tsc) into dist/cli/ with esbuild, so that a one-file
// run loads a few modules instead of ~150 (issue 13: start-up is most of a pre-commit run). Run by
// `npm run build` after tsc and the config validator; `bin/oidclint.js` runs the bundle, and `dist/src` stays
// the library API (`exports`).
//
// What the bundle keeps lazy: everything the sources import with `import()` (the parsers of each format,
// the subcommands, globby outside git, ajv when the precompiled validator does not fit, re2js, the Python
// parser, dagre) becomes its own chunk, loaded only by a run that needs it. TypeScript (the CDK/Pulumi program
// parser, 9 MB) and @cdktf/hcl2json (Go WebAssembly read from its package directory) stay in node_modules.
import { rmSync } from "node:fs";
import { join } from "node:path";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
const outdir = join(root, "dist/cli");
rmSync(outdir, { recursive: true, force: true });
await build({
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
  // Bundled CommonJS dependencies (ajv's runtime helpers) call `require` for Node built-ins.
  banner: {
    js: 'import { createRequire as __oidclintRequire } from "node:module"; const require = __oidclintRequire(import.meta.url);',
  },
  chunkNames: "chunks/[name]-[hash]",
  logLevel: "warning",
});

// Builds the GitHub Action's entry point: one bundle, dist-action/index.js, committed in the repository so that
// `uses: oidclint/oidclint@…` runs it with the runner's Node (action.yml `runs.using: node24`) and installs
// nothing. It holds oidclint and its dependencies; beside it, imported only when a run needs them,
// typescript.js (for TypeScript programs) and hcl2json.js (@cdktf/hcl2json with its WebAssembly as base64).
//   node scripts/build-action.mjs             rebuild dist-action/
//   node scripts/build-action.mjs --check     exit 1 when the committed files differ from a fresh build (.ci/run)
//   node scripts/build-action.mjs --outdir D  build into D (the tests run the bundle built from the sources)
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const root = join(import.meta.dirname, "..");
export const ACTION_DIR = join(root, "dist-action");

/**
 * @cdktf/hcl2json reads `main.wasm.gz` next to its package with fs-extra at run time; in the bundle the
 * bytes are a base64 string instead, and the rest of fs-extra is not needed.
 */
const hcl2jsonWasm = {
  name: "hcl2json-wasm",
  setup(b) {
    b.onLoad({ filter: /@cdktf[\\/]hcl2json[\\/]lib[\\/]bridge\.js$/ }, (args) => {
      const source = readFileSync(args.path, "utf8");
      const read =
        /\(0, zlib_1\.gunzipSync\)\(await fs\.readFile\(\(0, path_1\.join\)\(__dirname, "\.\.", "main\.wasm\.gz"\)\)\)/;
      if (!read.test(source))
        throw new Error("@cdktf/hcl2json changed how it reads main.wasm.gz: update scripts/build-action.mjs");
      const wasm = readFileSync(join(dirname(args.path), "..", "main.wasm.gz")).toString("base64");
      const contents = source
        .replace(read, `(0, zlib_1.gunzipSync)(Buffer.from(${JSON.stringify(wasm)}, "base64"))`)
        .replace('require("fs-extra")', 'require("node:fs")');
      return { contents, loader: "js" };
    });
  },
};

/**
 * The config validators compiled at build time (`npm run build` writes dist/src/config/validate-config.js and
 * validate-settings.js; the sources import them beside src/config/load.ts, where only their declarations are).
 */
const configValidator = {
  name: "config-validator",
  setup(b) {
    b.onResolve({ filter: /^\.\/validate-(config|settings)\.js$/ }, (args) =>
      /[\\/]src[\\/]config$/.test(args.resolveDir)
        ? { path: join(root, "dist", "src", "config", args.path.slice(2)) }
        : undefined,
    );
  },
};

/**
 * TypeScript (for CDK and other TypeScript programs) and @cdktf/hcl2json (for a Terraform file the TypeScript
 * parser refuses) are most of the bytes and are rarely needed: they are files of their own, imported only when
 * a run needs them, so that every run does not parse 9 MB of compiler (0.4 s of CPU).
 */
const VENDORED = { typescript: "typescript.js", "@cdktf/hcl2json": "hcl2json.js" };

const vendored = {
  name: "vendored",
  setup(b) {
    b.onResolve({ filter: /^(typescript|@cdktf\/hcl2json)$/ }, (args) =>
      args.kind === "dynamic-import" ? { path: `./${VENDORED[args.path]}`, external: true } : undefined,
    );
  },
};

const BANNER = [
  "// Built by scripts/build-action.mjs for the oidclint GitHub Action (action.yml). Do not edit.",
  'import { createRequire as __oidclintRequire } from "node:module";',
  // CommonJS dependencies call `require` for Node's modules: give the ES module a real one.
  "const require = __oidclintRequire(import.meta.url);",
].join("\n");

const common = {
  absWorkingDir: root,
  bundle: true,
  platform: "node",
  format: "esm",
  // The runner uses Node 24; the tests run the bundle on the Node that runs them (>= 20).
  target: "node20",
  write: false,
  legalComments: "eof",
  logLevel: "warning",
  banner: { js: BANNER },
};

/** The files of dist-action/ by name, built in memory. */
export async function bundleFiles() {
  const text = (result) => new TextDecoder().decode(result.outputFiles[0].contents);
  const main = await build({
    ...common,
    entryPoints: ["src/action/index.ts"],
    outfile: join(ACTION_DIR, "index.js"),
    plugins: [vendored, configValidator],
  });
  const files = { "index.js": text(main) };
  for (const [pkg, file] of Object.entries(VENDORED)) {
    const vendor = await build({
      ...common,
      // The module as `import()` of the package gives it: its exports as the default (what oidclint reads).
      stdin: {
        contents: `import * as m from ${JSON.stringify(pkg)};\nexport default m.default ?? m;\n`,
        resolveDir: root,
        loader: "js",
      },
      outfile: join(ACTION_DIR, file),
      minify: true,
      // TypeScript asks where it is (it never reads anything there in oidclint's use).
      banner: {
        js: `${BANNER}\nimport { fileURLToPath as __oidclintPath } from "node:url";\nconst __filename = __oidclintPath(import.meta.url);\nconst __dirname = __filename.slice(0, __filename.lastIndexOf("/"));`,
      },
      // wasm_exec's fallback for runtimes without `globalThis.performance`; Node has it.
      external: ["performance"],
      plugins: [hcl2jsonWasm],
    });
    files[file] = text(vendor);
  }
  // The validator is required by its absolute path: the bundle must not depend on where it was built.
  for (const name of Object.keys(files)) files[name] = files[name].replaceAll(`${root}/`, "");
  return files;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({ options: { check: { type: "boolean" }, outdir: { type: "string" } } });
  const files = await bundleFiles();
  if (values.check) {
    const stale = Object.entries(files).filter(([name, text]) => {
      try {
        return readFileSync(join(ACTION_DIR, name), "utf8") !== text;
      } catch {
        return true;
      }
    });
    const extra = existsSync(ACTION_DIR) ? readdirSync(ACTION_DIR).filter((f) => !(f in files)) : [];
    if (stale.length > 0 || extra.length > 0) {
      const names = [...stale.map(([n]) => n), ...extra].map((n) => `dist-action/${n}`).join(", ");
      console.error(
        `${names}: not the bundle of the current sources; run \`npm run build:action\` and commit dist-action/`,
      );
      process.exit(1);
    }
    console.log("dist-action/ matches the sources");
  } else {
    const dir = values.outdir ?? ACTION_DIR;
    mkdirSync(dir, { recursive: true });
    for (const [name, text] of Object.entries(files)) {
      writeFileSync(join(dir, name), text);
      console.log(`wrote ${join(dir, name)} (${(text.length / 1048576).toFixed(1)} MiB)`);
    }
  }
}

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
import { mkdirSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join, relative } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { build, transform } from "esbuild";

const root = join(import.meta.dirname, "..");

// Node built-ins that cost a run more than they give it: crypto (finding fingerprints, for json, sarif and
// baselines), child_process (`git ls-files`, for directories) and tty (asked only when standard output is a
// character device; it loads net and the streams) load dozens of Node's internal modules, ~5–10 % of
// `node -e 0` each. The bundle imports functions that load the built-in on their first call.
const LAZY_BUILTINS = /^node:(crypto|child_process|zlib|tty)$/;
const lazyBuiltins = {
  name: "lazy-builtins",
  setup(b) {
    b.onResolve({ filter: LAZY_BUILTINS }, (args) =>
      args.namespace === "lazy-builtin"
        ? { path: args.path, external: true }
        : { path: args.path, namespace: "lazy-builtin" },
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-builtin" }, (args) => {
      const builtin = createRequire(import.meta.url)(args.path);
      const names = Object.keys(builtin).filter(
        (n) => typeof builtin[n] === "function" && /^[A-Za-z_$][\w$]*$/.test(n),
      );
      const load = `let loaded;\nconst load = () => (loaded ??= createRequire(__filename)(${JSON.stringify(args.path)}));\n`;
      const wrappers = names.map(
        (n) =>
          `export function ${n}(...args) { return new.target ? new (load().${n})(...args) : load().${n}(...args); }`,
      );
      return {
        contents: `import { createRequire } from "node:module";\n${load}${wrappers.join("\n")}\n`,
        loader: "js",
      };
    });
  },
};

// The rule registry (rules/index.ts) with each rule's metadata written in and its implementation loaded by its
// first `check` (or `checkWorkflowFile`): the engine runs only the rules whose inputs the run has (`meta.inputs`), so a one-workflow run
// never loads the policy rules and their analyses. The metadata is the rules' own (JSON, checked equal here);
// the library (dist/rules, dist/src) keeps the eager registry.
const registry = join(root, "dist/rules/index.js");
const lazyRules = {
  name: "lazy-rules",
  setup(b) {
    b.onResolve({ filter: /[\\/]rules[\\/]index\.js$/ }, (args) =>
      join(args.resolveDir, args.path) === registry ? { path: registry, namespace: "lazy-rules" } : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-rules" }, async () => {
      const eager = await import(registry);
      if (Object.keys(eager).sort().join() !== "rules,rulesById") throw new Error(`${registry}: exports changed`);
      const { ENGINE_RULES } = await import(join(root, "dist/src/engine/rules/index.js"));
      const files = new Map();
      for (const name of readdirSync(join(root, "dist/rules")).filter((f) => f.endsWith(".js") && f !== "index.js")) {
        const rule = (await import(join(root, "dist/rules", name))).default;
        if (rule?.meta?.id) files.set(rule, join(root, "dist/rules", name));
      }
      const entries = eager.rules.map((rule) => {
        const engine = Object.entries(ENGINE_RULES).find(([, r]) => r === rule)?.[0];
        if (engine) return `ENGINE_RULES.${engine}`;
        const file = files.get(rule);
        const data = JSON.stringify({ meta: rule.meta, defaultOptions: rule.defaultOptions });
        if (!file || !isDeepStrictEqual(JSON.parse(data), { meta: rule.meta, defaultOptions: rule.defaultOptions }))
          throw new Error(`rule ${rule.meta.id}: no module of its own, or metadata that is not JSON`);
        return `lazyRule(${data}, () => import(${JSON.stringify(file)}), ${String(rule.checkWorkflowFile !== undefined)})`;
      });
      return {
        contents: `import { ENGINE_RULES } from ${JSON.stringify(join(root, "dist/src/engine/rules/index.js"))};
function lazyRule({ meta, defaultOptions }, load, perFile) {
  const rule = { meta, defaultOptions, check: async (ctx) => (await load()).default.check(ctx) };
  if (perFile) rule.checkWorkflowFile = async (ctx) => (await load()).default.checkWorkflowFile(ctx);
  return rule;
}
export const rules = [\n${entries.join(",\n")}\n];
export const rulesById = new Map(rules.map((r) => [r.meta.id, r]));\n`,
        loader: "js",
        resolveDir: join(root, "dist/rules"),
      };
    });
  },
};

// `yaml` (200 KB) is the workflow reader's fallback (what js-yaml refuses, and the parse-error message) and the
// reader of CloudFormation templates: a run that calls none of its functions should not load it. The bundle
// builds it as an entry of its own (dist/cli/yaml.js) and gives every module that imports "yaml" one that
// exports the same functions and classes as live bindings: the first call of any of them requires
// dist/cli/yaml.js and puts the real ones in place, so later calls go straight to `yaml`. Only functions and
// classes can be imported this way (a value such as `CST` fails the build), and no source may test
// `instanceof` a `yaml` class before calling into it.
const YAML_ENTRY = join(root, "node_modules/yaml/browser/index.js");
const LOAD_YAML = "__oidclintRequireYaml()";
const lazyYaml = {
  name: "lazy-yaml",
  setup(b) {
    b.onResolve({ filter: /^yaml$/ }, (args) =>
      args.importer === YAML_ENTRY ? undefined : { path: "yaml", namespace: "lazy-yaml" },
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-yaml" }, () => {
      const yaml = createRequire(import.meta.url)("yaml");
      const names = Object.keys(yaml).filter((n) => typeof yaml[n] === "function" && /^[A-Za-z_$][\w$]*$/.test(n));
      const bindings = names.map(
        (n) =>
          `export let ${n} = function (...args) { load(); return new.target ? Reflect.construct(${n}, args) : ${n}.apply(this, args); };`,
      );
      return {
        contents: `let loaded = false;
function load() {
  if (loaded) return;
  loaded = true;
  const yaml = ${LOAD_YAML};
${names.map((n) => `  ${n} = yaml.${n};`).join("\n")}
}
${bindings.join("\n")}
`,
        loader: "js",
      };
    });
  },
};

const outdir = join(root, "dist/cli");
rmSync(outdir, { recursive: true, force: true });
const { outputFiles, metafile } = await build({
  entryPoints: [join(root, "dist/src/cli.js"), { in: YAML_ENTRY, out: "yaml" }],
  outdir,
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  external: ["@cdktf/hcl2json"],
  chunkNames: "chunks/[name]-[hash]",
  plugins: [lazyBuiltins, lazyRules, lazyYaml],
  write: false,
  metafile: true,
  absWorkingDir: root,
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
    // Without comments and blanks a run reads, hashes and keeps a third less source text (the code cache is
    // V8's compiled code, about as large either way). Names stay: messages and stack traces read as before.
    minifyWhitespace: true,
    minifySyntax: true,
    // Every chunk in ASCII, the loader reads the pack as Latin-1 (`corePack`): esbuild escapes other characters
    // in strings and names, and `asciiOnly` below those it leaves in regular expression literals.
    charset: "ascii",
    // The sources' `import.meta.url` (the version lookup) is the chunk's own file.
    define: { "import.meta.url": "__oidclintUrl", "import.meta.dirname": "__dirname" },
    banner: file.text.includes("import.meta.url")
      ? 'var __oidclintUrl = require("node:url").pathToFileURL(__filename).href;'
      : "",
    logLevel: "warning",
  });
  if (warnings.length > 0) throw new Error(`${file.path}: ${warnings.map((w) => w.text).join("; ")}`);
  const yaml = relative(dirname(file.path), join(outdir, "yaml.js")).replace(/\\/g, "/");
  const loadYaml = `require(${JSON.stringify(yaml.startsWith(".") ? yaml : `./${yaml}`)})`;
  chunks.push({ path: file.path, code: asciiOnly(code.replaceAll(LOAD_YAML, loadYaml)) });
}
/**
 * `code` with each UTF-16 unit beyond ASCII written `\uXXXX`: what esbuild's `charset: "ascii"` leaves are
 * characters of regular expression literals (`/µs/`), where the escape matches the same character (with or
 * without the `u` flag, a surrogate pair written as two escapes is one character). A backslash escaping the
 * character (`\µ`, the character itself) goes with it.
 */
function asciiOnly(code) {
  return code.replace(
    // eslint-disable-next-line no-control-regex
    /(?<!\\)((?:\\\\)*)\\?([^\x00-\x7f])/g,
    (_, backslashes, c) => `${backslashes}\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

const hash = createHash("sha256");
for (const { path, code } of chunks.sort((a, b) => a.path.localeCompare(b.path)))
  hash.update(`${relative(outdir, path)}\0${code}\0`);
const id = hash.digest("hex").slice(0, 16);
for (const chunk of chunks) {
  if (chunk.path === join(outdir, "cli.js")) chunk.code = `// oidclint build ${id}\n${chunk.code}`;
  mkdirSync(dirname(chunk.path), { recursive: true });
  writeFileSync(chunk.path, chunk.code);
}
writeFileSync(join(outdir, "package.json"), `${JSON.stringify({ type: "commonjs" })}\n`);
writeFileSync(join(outdir, "core.pack"), corePack(chunks, id));

/**
 * The chunks nearly every run loads, in one file (dist/cli/core.pack; bin/bundle-loader.js): what cli.js imports,
 * and what linting workflows and policies, `check` and `explain` load (the workflow, JSON policy and Terraform
 * readers, every rule, the validator of a config without rule levels). Each is kept wrapped as Node wraps a CommonJS
 * module, so the loader compiles what it reads: one open instead of one per chunk, no copy of each source into
 * a wrapper, and only the chunks a run loads are read, each into one reused buffer (issue 13: reading the pack
 * whole cost fresh memory for all of it, ≈ 230 page faults of a one-workflow run). The chunk files stay as they
 * are (a plain `require` of dist/cli/cli.js works), so the pack repeats them; every byte is ASCII (checked), so
 * the loader reads it as Latin-1.
 *
 * Format: `// oidclint pack BUILD\n`, a line of JSON `[[name, start, end], …]` (offsets in the file, names
 * relative to dist/cli with `/`), then the wrapped sources.
 */
function corePack(chunks, build) {
  const CORE_ENTRIES = [
    "dist/src/cli.js",
    "dist/src/parsers/workflow/index.js",
    "dist/src/parsers/json-policy.js",
    // Terraform's reader and the regular expression engine of its regex functions: read from the pack, a run on
    // real modules spares decoding ≈ 500 KB of chunk files as UTF-8 and copying them into a wrapper.
    "dist/src/parsers/terraform/index.js",
    "node_modules/re2js/build/index.js",
    "dist/src/config/validate-settings.js",
    "dist/src/commands/check.js",
    "dist/src/commands/explain.js",
    ...readdirSync(join(root, "dist/rules"))
      .filter((f) => f.endsWith(".js") && f !== "index.js")
      .map((f) => `dist/rules/${f}`),
  ];
  const outputs = Object.entries(metafile.outputs);
  const byEntry = new Map(outputs.filter(([, o]) => o.entryPoint).map(([out, o]) => [o.entryPoint, out]));
  const inPack = new Set();
  const add = (out) => {
    if (inPack.has(out)) return;
    inPack.add(out);
    for (const i of metafile.outputs[out]?.imports ?? [])
      if (i.kind === "import-statement" && !i.external && metafile.outputs[i.path]) add(i.path);
  };
  for (const entry of CORE_ENTRIES) {
    const out = byEntry.get(entry);
    // A rule module (dist/rules) bundled into another chunk has no entry of its own: its chunk is imported.
    if (out) add(out);
    else if (!entry.startsWith("dist/rules/")) throw new Error(`core pack: ${entry} is no entry of the bundle`);
  }
  const code = new Map(chunks.map((c) => [relative(outdir, c.path).replace(/\\/g, "/"), c.code]));
  const names = [...inPack].map((out) => relative(outdir, join(root, out)).replace(/\\/g, "/")).sort();
  const bodies = names.map((name) => {
    const text = code.get(name);
    if (text === undefined) throw new Error(`core pack: no chunk ${name}`);
    // eslint-disable-next-line no-control-regex
    const outside = /[^\x00-\x7f]/.exec(text);
    if (outside) throw new Error(`core pack: ${name} holds a character that is not ASCII (${outside[0]})`);
    return `(function (exports, require, module, __filename, __dirname) { ${text}\n});`;
  });
  const head = `// oidclint pack ${build}\n`;
  // The index's offsets count its own length: grow the guess until the digits fit.
  for (let width = 0; ;) {
    let at = head.length + width;
    const index = names.map((name, i) => {
      const entry = [name, at, at + (bodies[i]?.length ?? 0)];
      at = entry[2];
      return entry;
    });
    const line = `${JSON.stringify(index)}\n`;
    if (line.length === width) return head + line + bodies.join("");
    width = line.length;
  }
}

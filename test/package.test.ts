/**
 * Packaging, the fast part: what `npm pack` would ship (the `files` whitelist), that the compiled code
 * imports nothing but Node built-ins and runtime dependencies, and `--version` from package.json. The full
 * check — pack, install the tarball in an empty project, run `npx oidclint` and the library there — is
 * `scripts/check-package.mjs`, run by .ci/run after the tests (about a minute), or here with OIDCLINT_SLOW_TESTS=1.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

interface PackageJson {
  version: string;
  bin: Record<string, string>;
  files: string[];
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
  exports: Record<string, unknown>;
}
const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as PackageJson;

function jsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return jsFiles(p);
    return e.name.endsWith(".js") ? [p] : [];
  });
}

describe("package", () => {
  it("ships the build, the bin, schema, docs and integration files, and nothing of the sources or tests", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const [info] = JSON.parse(out) as { files: { path: string }[] }[];
    const files = (info?.files ?? []).map((f) => f.path);
    for (const f of [
      "bin/oidclint.js",
      "bin/bundle-loader.js",
      "bin/package.json",
      "dist/cli/package.json",
      "dist/src/cli.js",
      "dist/cli/cli.js",
      "dist/src/config/validate-config.js",
      "dist/src/config/validate-settings.js",
      "dist/src/index.js",
      "dist/src/index.d.ts",
      "dist/rules/index.js",
      "schema/oidclintrc.schema.json",
      ".pre-commit-hooks.yaml",
      "package.json",
    ]) {
      expect(files, f).toContain(f);
    }
    expect(
      files.filter(
        (f) =>
          /^(test|fixtures|scripts|src|\.bench|\.ci|dist-action)\//.test(f) ||
          f === "action.yml" ||
          /^dist\/(test|scripts)\//.test(f),
      ),
    ).toEqual([]);
    expect(files.filter((f) => f.startsWith("rules/")).every((f) => f.endsWith(".md"))).toBe(true);
  });

  it("imports only Node built-ins and runtime dependencies from compiled code", () => {
    const allowed = new Set([...Object.keys(pkg.dependencies), ...builtinModules]);
    const bad: string[] = [];
    for (const file of [
      ...jsFiles(join(ROOT, "dist/src")),
      ...jsFiles(join(ROOT, "dist/rules")),
      ...jsFiles(join(ROOT, "dist/cli")),
      join(ROOT, "bin/oidclint.js"),
      join(ROOT, "bin/bundle-loader.js"),
    ]) {
      const text = readFileSync(file, "utf8");
      for (const m of text.matchAll(
        /(?:^|[\s;])(?:import|export)\s[^"'`]*?from\s*["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)|^import\s+["']([^"']+)["']|(?<![\w'"`.])require\(\s*"([^"]+)"\s*\)/gm,
      )) {
        const spec = m[1] ?? m[2] ?? m[3] ?? m[4] ?? "";
        if (spec.startsWith(".") || spec.startsWith("node:")) continue;
        const name = spec.startsWith("@") ? spec.split("/").slice(0, 2).join("/") : (spec.split("/")[0] ?? spec);
        if (!allowed.has(name)) bad.push(`${file.slice(ROOT.length + 1)}: ${spec}`);
      }
    }
    expect(bad, "dev dependencies (or undeclared packages) imported at run time").toEqual([]);
  });

  it("loads the precompiled config validator in plain Node (else every run with a config pays ajv's compile)", () => {
    // In a child process: vitest's module runner resolves modules its own way, not as Node's ESM loader does.
    const url = new URL(`file://${join(ROOT, "dist/src/config/validate-config.js")}`).href;
    const script = `const m = await import(${JSON.stringify(url)}); process.stdout.write(typeof m.default + " " + typeof m.schemaKey);`;
    const r = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
    expect(r.stderr.split("\n")[0] ?? "").toBe("");
    expect(r.stdout).toBe("function string");
  });

  it("runs the CLI from the bundle: the bin loads it, and it holds the validator and yaml instead of importing them", () => {
    const bin = readFileSync(join(ROOT, "bin/oidclint.js"), "utf8");
    expect(bin).toMatch(/^const \{ loadBundle \} = require\("\.\/bundle-loader\.js"\);$/m);
    // CommonJS, so that Node starts no ESM loader for a run (issue 13).
    for (const dir of ["bin", "dist/cli"])
      expect(JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8"))).toEqual({ type: "commonjs" });
    const bundle = jsFiles(join(ROOT, "dist/cli")).map((f) => readFileSync(f, "utf8"));
    // Every `import`, static or dynamic, became a `require`: the loader runs the chunks as CommonJS.
    expect(
      bundle.filter((text) => /^\s*(?:import|export)\s.*\sfrom\s*"[^"]+";$|\bimport\(\s*"[^"]+"\s*\)/m.test(text)),
    ).toEqual([]);
    const required = bundle.flatMap((text) =>
      [...text.matchAll(/(?<![\w'"`.])require\("([^"]+)"\)/g)].map((m) => m[1] ?? ""),
    );
    // Only the chunks of the bundle, Node built-ins and the one package kept out of it.
    expect(
      [...new Set(required)].filter((s) => !/^\.\.?\/(chunks\/)?[\w-]+\.js$/.test(s) && !s.startsWith("node:")).sort(),
    ).toEqual(["@cdktf/hcl2json"]);
    // Both precompiled config validators: every rule's options, and no rule's (a config without rule levels).
    expect(bundle.filter((text) => /\bschemaKey\s*=\s*'/.test(text))).toHaveLength(2);
  });

  it("prints package.json's version", () => {
    const out = execFileSync(process.execPath, [join(ROOT, pkg.bin.oidclint ?? "bin/oidclint.js"), "--version"], {
      encoding: "utf8",
    });
    expect(out.trim()).toBe(pkg.version);
  });

  it.skipIf(!process.env.OIDCLINT_SLOW_TESTS)(
    "installs from the tarball and runs in an empty project (scripts/check-package.mjs)",
    () => {
      const out = execFileSync(process.execPath, [join(ROOT, "scripts/check-package.mjs")], {
        cwd: ROOT,
        encoding: "utf8",
      });
      expect(out).toContain("package check passed");
    },
    300_000,
  );
});

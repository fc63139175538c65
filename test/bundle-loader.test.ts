/**
 * bin/bundle-loader.js: the CLI bundle compiled with V8's code cache kept per user (issue 13, start-up). The
 * cache must never change what a run prints, must be used only from a private directory of the user, and any
 * trouble with it (corrupt files, a directory that cannot be written, someone else's directory) only means
 * a run without it.
 */
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ROOT } from "./helpers.js";

const work = mkdtempSync(join(tmpdir(), "oidclint-loader-"));
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

const project = join(work, "project");
mkdirSync(join(project, ".github/workflows"), { recursive: true });
writeFileSync(
  join(project, ".github/workflows/deploy.yml"),
  `on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
`,
);

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  stats: { loaded: number; accepted: number; written: number };
}

/** The CLI as the bin runs it, with the loader's counts printed at the very end. */
function run(cacheDir: string | undefined, extraEnv: NodeJS.ProcessEnv = {}, args = ["--format", "json", "."]): Run {
  const loader = JSON.stringify(join(ROOT, "bin/bundle-loader.js"));
  const script =
    `const l = require(${loader});\n` +
    `l.loadBundle().main(${JSON.stringify(args)}).then((code) => {\n` +
    `  process.exitCode = code;\n` +
    `  process.on("exit", () => process.stderr.write("STATS " + JSON.stringify(l.cacheStats)));\n` +
    `});\n`;
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.NODE_DISABLE_COMPILE_CACHE;
  Object.assign(env, extraEnv);
  if (cacheDir === undefined) delete env.OIDCLINT_CACHE_DIR;
  else env.OIDCLINT_CACHE_DIR = cacheDir;
  const r = spawnSync(process.execPath, ["-e", script], { cwd: project, encoding: "utf8", env });
  const [stderr = "", stats = "{}"] = r.stderr.split("STATS ");
  return { status: r.status, stdout: r.stdout, stderr, stats: JSON.parse(stats) as Run["stats"] };
}

function findings(r: Run): string[] {
  const results = JSON.parse(r.stdout) as { messages: { ruleId: string; line: number; column: number }[] }[];
  return results.flatMap((x) => x.messages.map((m) => `${m.ruleId} ${m.line}:${m.column}`));
}

const EXPECTED = ["missing-id-token-permission 3:3"];

/**
 * A project with over 256 KiB of input: the run sets V8 flags (src/engine/load-project.ts) before it loads the
 * parsers, and V8 rejects code cached under other flags.
 */
function largeProject(name: string): string {
  const large = join(work, name);
  mkdirSync(join(large, ".github/workflows"), { recursive: true });
  const workflow = readFileSync(join(project, ".github/workflows/deploy.yml"), "utf8");
  writeFileSync(join(large, ".github/workflows/deploy.yml"), `${"# padding\n".repeat(30_000)}${workflow}`);
  return large;
}

function cacheFiles(base: string): string[] {
  const [dir, ...others] = readdirSync(base);
  expect(others).toEqual([]);
  return readdirSync(join(base, dir ?? "")).map((f) => join(base, dir ?? "", f));
}

describe("bundle loader with V8's code cache", () => {
  it("writes the cache on the first run, uses it on the next, and prints the same", () => {
    const base = join(work, "fresh");
    const first = run(base);
    expect(first.status, first.stderr).toBe(1);
    expect(findings(first)).toEqual(EXPECTED);
    expect(first.stats.loaded).toBeGreaterThan(1);
    expect(first.stats.accepted).toBe(0);
    expect(first.stats.written).toBe(first.stats.loaded);
    const [dir = ""] = readdirSync(base);
    expect(dir).toMatch(new RegExp(`^v8-[0-9a-f]{16}-${process.version}-${process.arch}$`));
    if (process.platform !== "win32") {
      expect(statSync(join(base, dir)).mode & 0o777).toBe(0o700);
      for (const f of cacheFiles(base)) expect(statSync(f).mode & 0o777, f).toBe(0o600);
    }
    const second = run(base);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stats).toEqual({ loaded: first.stats.loaded, accepted: first.stats.loaded, written: 0 });
  });

  it("keeps one file: what each command compiled is added to it, what it held before is kept", () => {
    const base = join(work, "growing");
    const explain = ["explain", ".github/workflows/deploy.yml"];
    const lint = run(base);
    expect(cacheFiles(base).map((f) => f.split(/[\\/]/).pop())).toEqual(["code.cache"]);
    const first = run(base, {}, explain);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stats.written).toBeGreaterThan(0);
    expect(first.stats.accepted).toBe(first.stats.loaded - first.stats.written);
    expect(run(base).stats).toEqual({ loaded: lint.stats.loaded, accepted: lint.stats.loaded, written: 0 });
    const again = run(base, {}, explain);
    expect(again.stdout).toBe(first.stdout);
    expect(again.stats).toEqual({ loaded: first.stats.loaded, accepted: first.stats.loaded, written: 0 });
  });

  it("keeps what a large run compiled under its V8 flags apart: small and large runs never rewrite it for each other", () => {
    const base = join(work, "flags");
    const big = ["--format", "json", largeProject("large")];
    expect(run(base).stats.written).toBeGreaterThan(0);
    const first = run(base, {}, big);
    expect(first.status, first.stderr).toBe(1);
    expect(first.stats.written).toBeGreaterThan(0);
    for (const args of [undefined, big, undefined]) {
      const again = run(base, {}, args);
      expect(again.stats.written, String(args)).toBe(0);
      expect(again.stats.accepted).toBe(again.stats.loaded);
    }
  });

  it("keeps what a large run compiled before it changed V8's flags under the flags it was compiled with", () => {
    // The first run is a large one: the chunks it loaded before the change are cached as compiled then, so the
    // next large run accepts them instead of compiling them again and rewriting the file every time.
    const base = join(work, "large-first");
    const big = ["--format", "json", largeProject("large-first-project")];
    const first = run(base, {}, big);
    expect(first.status, first.stderr).toBe(1);
    expect(first.stats).toEqual({ loaded: first.stats.loaded, accepted: 0, written: first.stats.loaded });
    const second = run(base, {}, big);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stats).toEqual({ loaded: first.stats.loaded, accepted: first.stats.loaded, written: 0 });
  });

  it("compiles from the source when the cache's data is corrupt, and writes it again", () => {
    const base = join(work, "corrupt-data");
    const first = run(base);
    const [file = ""] = cacheFiles(base);
    const bytes = readFileSync(file);
    // The index stays readable; every chunk's data is garbage that V8 refuses.
    const start = bytes.indexOf(0x0a, bytes.indexOf(0x0a) + 1) + 1;
    expect(bytes.toString("latin1", start - 2, start)).toBe("]\n");
    bytes.fill(0xab, start);
    writeFileSync(file, bytes);
    const second = run(base);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stats).toEqual({ loaded: first.stats.loaded, accepted: 0, written: first.stats.loaded });
    expect(run(base).stats.accepted).toBe(first.stats.loaded);
  });

  it("compiles from the source when a cache file is corrupt, and writes it again", () => {
    const base = join(work, "corrupt");
    const first = run(base);
    const files = cacheFiles(base);
    for (const [i, f] of files.entries()) writeFileSync(f, i % 2 === 0 ? "garbage" : Buffer.alloc(4096, 0xab));
    const second = run(base);
    expect(second.status, second.stderr).toBe(1);
    expect(second.stdout).toBe(first.stdout);
    expect(second.stats).toEqual({ loaded: first.stats.loaded, accepted: 0, written: first.stats.loaded });
    expect(run(base).stats.accepted).toBe(first.stats.loaded);
  });

  it.skipIf(process.platform === "win32")("ignores a directory others can write to, or a link to one", () => {
    const shared = join(work, "shared");
    mkdirSync(shared, { mode: 0o777 });
    chmodSync(shared, 0o777);
    const r = run(shared);
    expect(findings(r)).toEqual(EXPECTED);
    expect(r.stats).toMatchObject({ accepted: 0, written: 0 });
    const target = join(work, "target");
    mkdirSync(target, { mode: 0o700 });
    symlinkSync(target, join(work, "link"));
    const linked = run(join(work, "link"));
    expect(findings(linked)).toEqual(EXPECTED);
    expect(linked.stats).toMatchObject({ accepted: 0, written: 0 });
  });

  it("runs without a cache where none can be made, or when it is turned off", () => {
    const file = join(work, "a-file");
    writeFileSync(file, "");
    for (const r of [
      run(join(file, "cache")), // not a directory: mkdir fails as on a read-only file system
      run("relative/dir"),
      run(""),
      run(join(work, "off"), { NODE_DISABLE_COMPILE_CACHE: "1" }),
    ]) {
      expect(r.status, r.stderr).toBe(1);
      expect(findings(r)).toEqual(EXPECTED);
      expect(r.stats).toMatchObject({ accepted: 0, written: 0 });
    }
    expect(() => statSync(join(work, "off"))).toThrow();
  });
});

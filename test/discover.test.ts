/** Discovery: what git ignores is not linted (nested .gitignore, info/exclude), outside git globby walks the tree. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative, resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { absolutePath, discover, relPath, requiredPattern } from "../src/engine/discover.js";
import { compileGlob } from "../src/engine/glob.js";
import { ALWAYS_IGNORED } from "../src/parsers/index.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "oidclint-discover-"));
  dirs.push(dir);
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), body);
  }
  return dir;
}

const FILES = {
  ".gitignore": "build/\n*.generated.json\n",
  "infra/.gitignore": "local.tf\n",
  "infra/main.tf": "",
  "infra/local.tf": "",
  "build/trust.json": "{}",
  "policies/trust.json": "{}",
  "policies/x.generated.json": "{}",
  "node_modules/pkg/policy.json": "{}",
  ".terraform/modules/m/main.tf": "",
  ".github/workflows/ci.yml": "",
  "cdk.out/Stack.template.json": "{}",
  "cdk.out/manifest.json": "{}",
  "cdk.out/asset.123/policy.json": "{}",
  "README.md": "",
  // A project template another tool renders (`sam init`'s cookiecutter templates): Jinja, not inputs.
  "init/{{cookiecutter.project_name}}/template.yaml": "",
  "init/{{cookiecutter.project_name}}/.github/workflows/deploy.yml": "",
  "init/{{ project_slug }}.tf": "",
};
const EXPECTED = [".github/workflows/ci.yml", "cdk.out/Stack.template.json", "infra/main.tf", "policies/trust.json"];

describe("discover", () => {
  it("inside a git work tree: tracked and untracked files that git does not ignore", async () => {
    const dir = tree({ ...FILES, "secret.json": "{}" });
    execFileSync("git", ["init", "-q"], { cwd: dir });
    writeFileSync(join(dir, ".git", "info", "exclude"), "secret.json\n");
    execFileSync("git", ["add", "infra/main.tf"], { cwd: dir });
    const found = (await discover(["."], dir, [])).map((f) => f.rel);
    expect(found).toEqual(EXPECTED);
  });
  it("says which files the listing saw as regular files (read without asking again), never a link", async () => {
    const dir = tree({ "policies/trust.json": "{}", "infra/main.tf": "", "policies/untracked.json": "{}" });
    symlinkSync(join(dir, "policies", "trust.json"), join(dir, "policies", "link.json"));
    execFileSync("git", ["init", "-q"], { cwd: dir });
    execFileSync("git", ["add", "infra/main.tf", "policies/trust.json", "policies/link.json"], { cwd: dir });
    const kinds = (await discover(["."], dir, [])).map((f) => [f.rel, f.regular]);
    expect(kinds).toEqual([
      ["infra/main.tf", true],
      ["policies/link.json", false],
      ["policies/trust.json", true],
      ["policies/untracked.json", true],
    ]);
    // Named on the command line or walked without git: not known, read the careful way.
    expect((await discover(["policies/trust.json"], dir, [])).map((f) => f.regular)).toEqual([false]);
    rmSync(join(dir, ".git"), { recursive: true });
    expect((await discover(["."], dir, [])).every((f) => !f.regular)).toBe(true);
  });
  it("says which files are at their real path (read with no confinement check): never through a link", async () => {
    // (The temporary directory may itself be reached through a link, as on macOS: its real path is used.)
    const dir = realpathSync(tree({ "policies/trust.json": "{}", "infra/main.tf": "" }));
    symlinkSync(join(dir, "policies", "trust.json"), join(dir, "policies", "link.json"));
    symlinkSync(join(dir, "policies"), join(dir, "linked-dir"));
    execFileSync("git", ["init", "-q"], { cwd: dir });
    const real = async (paths: string[], root: string): Promise<[string, boolean][]> =>
      (await discover(paths, root, [])).map((f) => [f.rel, f.real === true]);
    expect(await real(["."], dir)).toEqual([
      ["infra/main.tf", true],
      ["policies/link.json", false],
      ["policies/trust.json", true],
    ]);
    // A directory reached through a link: the same files, at another real path.
    expect(await real(["linked-dir"], dir)).toEqual([
      ["linked-dir/link.json", false],
      ["linked-dir/trust.json", false],
    ]);
    const linkedRoot = `${dir}-link`;
    symlinkSync(dir, linkedRoot);
    dirs.push(linkedRoot);
    expect((await real(["."], linkedRoot)).map(([, r]) => r)).toEqual([false, false, false]);
    // Named on the command line: not known.
    expect(await real(["policies/trust.json"], dir)).toEqual([["policies/trust.json", false]]);
  });
  it("absolutePath is resolve(root, rel) for every root-relative path, plain or not", () => {
    for (const root of ["/repo", "/repo/sub", "/", "/a b/c"])
      for (const rel of [
        "x.tf",
        "infra/main.tf",
        ".github/workflows/ci.yml",
        "a/../b",
        "./a",
        "a//b",
        "a/",
        "..",
        "../x",
        ".",
        "/abs/x",
        "a/./b",
        "..x/y",
        "x..",
      ])
        expect(absolutePath(root, rel), `${root} ${rel}`).toBe(resolve(root, rel));
  });
  it("outside git: globby walks the tree and honours .gitignore files", async () => {
    const dir = tree(FILES);
    const found = (await discover(["."], dir, [])).map((f) => f.rel);
    expect(found).toEqual(EXPECTED);
  });
  it("a file in another tool's template is not linted even when named on the command line (pre-commit)", async () => {
    const dir = tree(FILES);
    const named = ["init/{{cookiecutter.project_name}}/template.yaml", "policies/trust.json"];
    expect((await discover(named, dir, [])).map((f) => f.rel)).toEqual(["policies/trust.json"]);
  });
  it("config ignore globs apply in both cases", async () => {
    const dir = tree(FILES);
    expect((await discover(["."], dir, ["policies/**"])).map((f) => f.rel)).not.toContain("policies/trust.json");
    execFileSync("git", ["init", "-q"], { cwd: dir });
    expect((await discover(["."], dir, ["policies/**"])).map((f) => f.rel)).not.toContain("policies/trust.json");
  });
});

describe("relPath", () => {
  it("gives what path.relative gives, without calling it for plain paths below the root", () => {
    const cases: [string, string][] = [
      ["/r/repo", "/r/repo/a/b.json"],
      ["/r/repo", "/r/repo/.github/workflows/d.yml"],
      ["/r/repo", "/r/repo/a/../b.json"],
      ["/r/repo", "/r/repo/./b.json"],
      ["/r/repo", "/r/repo/a//b.json"],
      ["/r/repo", "/r/repo/a/"],
      ["/r/repo", "/r/repo"],
      ["/r/repo", "/r/repository/x.json"],
      ["/r/repo", "/r/other/x.json"],
      ["/r/repo/", "/r/repo/x.json"],
      ["/", "/etc/x.json"],
      ["/r/repo", "/r/repo/a/..b/..c.json"],
    ];
    for (const [root, abs] of cases) expect(relPath(root, abs), `${root} ${abs}`).toBe(relative(root, abs) || ".");
  });
});

describe("the literal pieces that rule paths out before the ignore globs", () => {
  const GLOBS = [
    ...ALWAYS_IGNORED,
    "legacy/**",
    "./vendor/*.json",
    "/abs/x.tf",
    "**/{a,b}c/*.yml",
    "infra/[!t]mp/**",
    "x[]y/**",
    "docs/?.json",
    "{foo,bar}",
  ];

  it("requires the longest literal run of each glob, as a whole segment where a slash or `**` stands next to it", () => {
    const ignored = requiredPattern(ALWAYS_IGNORED);
    const held = [
      "node_modules/x.json",
      "a/node_modules/b/c.json",
      ".git/config",
      "x/.terraform/modules/m.tf",
      "cdk.out/asset.1/policy.json",
      "a/cdk.out/tree.json",
      "cdk.out/manifest.json",
      "s.assets.json",
      "package.json",
      "a/package-lock.json",
      "tsconfig.base.json",
    ];
    for (const path of held) expect(ignored?.test(path), path).toBe(true);
    // `.git` as a whole segment only: a workflow path is not run through the ignore automaton.
    const free = [
      ".github/workflows/deploy.yml",
      "a.gitignore",
      "my_node_modules/x.json",
      "mypackage.json",
      "infra/main.tf",
    ];
    for (const path of free) expect(ignored?.test(path), path).toBe(false);
    const small = requiredPattern(["**/{a,b}c/*.yml", "infra/[!t]mp/**", "docs/?.json"]);
    expect(["x.yml", "infra/tmp", "infra", "1.json"].map((p) => small?.test(p))).toEqual([true, true, true, true]);
    expect(["x.yaml", "infrastructure/a", "json"].map((p) => small?.test(p))).toEqual([false, false, false]);
    expect(requiredPattern(["legacy/**", "*"])).toBeUndefined();
    expect(requiredPattern(["{foo,bar}"])).toBeUndefined();
  });

  it("never rules out a path a glob matches", () => {
    const segments = [
      "node_modules",
      ".git",
      ".terraform",
      "cdk.out",
      "asset.1",
      "tree.json",
      "manifest.json",
      "x.assets.json",
      "package.json",
      "package-lock.json",
      "tsconfig.base.json",
      "legacy",
      "vendor",
      "a.json",
      "abs",
      "x.tf",
      "ac",
      "bc",
      "c",
      "tmp",
      "imp",
      "xy",
      "x[]y",
      "docs",
      "1.json",
      "foo",
      "bar",
      "main.tf",
      "d.yml",
    ];
    let seed = 7;
    const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
    const paths: string[] = [];
    for (let i = 0; i < 20_000; i++)
      paths.push(Array.from({ length: 1 + rand(4) }, () => segments[rand(segments.length)] ?? "").join("/"));
    let matched = 0;
    for (const glob of GLOBS) {
      const test = compileGlob(glob);
      const required = requiredPattern([glob]);
      for (const path of paths) {
        if (!test(path)) continue;
        matched++;
        expect(required === undefined || required.test(path), `${glob} ${path}`).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(2_000);
  });
});

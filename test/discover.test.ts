/** Discovery: what git ignores is not linted (nested .gitignore, info/exclude), outside git globby walks the tree. */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { discover, relPath, requiredPieces } from "../src/engine/discover.js";
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
    const found = (await discover(["."], dir, [])).map((f) => relative(dir, f));
    expect(found).toEqual(EXPECTED);
  });
  it("outside git: globby walks the tree and honours .gitignore files", async () => {
    const dir = tree(FILES);
    const found = (await discover(["."], dir, [])).map((f) => relative(dir, f));
    expect(found).toEqual(EXPECTED);
  });
  it("a file in another tool's template is not linted even when named on the command line (pre-commit)", async () => {
    const dir = tree(FILES);
    const named = ["init/{{cookiecutter.project_name}}/template.yaml", "policies/trust.json"];
    expect((await discover(named, dir, [])).map((f) => relative(dir, f))).toEqual(["policies/trust.json"]);
  });
  it("config ignore globs apply in both cases", async () => {
    const dir = tree(FILES);
    expect((await discover(["."], dir, ["policies/**"])).map((f) => relative(dir, f))).not.toContain(
      "policies/trust.json",
    );
    execFileSync("git", ["init", "-q"], { cwd: dir });
    expect((await discover(["."], dir, ["policies/**"])).map((f) => relative(dir, f))).not.toContain(
      "policies/trust.json",
    );
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

  it("takes a literal run of each glob, without the parts a wildcard, class or alternative stands for", () => {
    expect(requiredPieces(ALWAYS_IGNORED)).toEqual([
      "node_modules",
      ".git",
      ".terraform",
      "cdk.out/asset.",
      "cdk.out/tree.json",
      "cdk.out/manifest.json",
      ".assets.json",
      "package.json",
      "package-lock.json",
      "tsconfig",
    ]);
    expect(requiredPieces(["**/{a,b}c/*.yml", "infra/[!t]mp/**", "docs/?.json"])).toEqual([".yml", "infra", ".json"]);
    expect(requiredPieces(["legacy/**", "*"])).toBeUndefined();
    expect(requiredPieces(["{foo,bar}"])).toBeUndefined();
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
      const pieces = requiredPieces([glob]);
      for (const path of paths) {
        if (!test(path)) continue;
        matched++;
        expect(pieces === undefined || pieces.some((p) => path.includes(p)), `${glob} ${path}`).toBe(true);
      }
    }
    expect(matched).toBeGreaterThan(2_000);
  });
});

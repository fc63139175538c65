/**
 * Discovery without git (src/engine/git-files.ts): the index and the ignore files read directly must list exactly
 * what `git ls-files --cached --others --exclude-standard` lists, and leave to git every case it is not sure of.
 * Compared with git itself on hand-made trees (every gitignore(5) form) and on seeded random ones.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { gitFilesWithoutGit } from "../src/engine/git-files.js";
import { captureIO, deployWorkflow } from "./helpers.js";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  delete process.env.GIT_INDEX_FILE;
  delete process.env.GIT_CONFIG_COUNT;
});

function tree(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "oidclint-gitfiles-"));
  dirs.push(dir);
  for (const [p, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, p)), { recursive: true });
    writeFileSync(join(dir, p), body);
  }
  return dir;
}

function git(dir: string, ...args: string[]): string {
  return execFileSync("git", ["-C", dir, ...args], {
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@e",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@e",
    },
  });
}

function byGit(dir: string): string[] {
  return git(dir, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    .split("\0")
    .filter((p) => p !== "")
    .sort();
}

function read(dir: string): string[] | undefined {
  return gitFilesWithoutGit(dir)?.sort();
}

function expectSameAsGit(dir: string): void {
  const ours = read(dir);
  expect(ours, `${dir}: read without git`).toBeDefined();
  expect([...new Set(ours)]).toEqual([...new Set(byGit(dir))]);
}

const IGNORES = {
  ".gitignore": [
    "# a comment",
    "\\#literal-hash",
    "build/",
    "*.log",
    "!keep.log",
    "/rooted.json",
    "docs/**/generated.json",
    "**/cache",
    "tmp/**",
    "secret?.json",
    "[ab]x.tf",
    "[!c]y.tf",
    "trailing-space.json   ",
    "escaped-space.json\\ ",
    "dir-only/",
    "a**b.yml",
    "unclosed[.json",
    "nested/deep/*.json",
    "",
  ].join("\n"),
  "src/.gitignore": "local.tf\n!important.log\n/only-here.json\n",
  "src/sub/.gitignore": "!local.tf\n",
  "build/keep.json": "",
  "keep.log": "",
  "x.log": "",
  "#literal-hash": "",
  "rooted.json": "",
  "src/rooted.json": "",
  "docs/generated.json": "",
  "docs/a/b/generated.json": "",
  "docs/a/other.json": "",
  "cache/x.json": "",
  "src/cache/y.json": "",
  "tmp/z.json": "",
  "secret1.json": "",
  "secret12.json": "",
  "ax.tf": "",
  "cx.tf": "",
  "cy.tf": "",
  "dy.tf": "",
  "trailing-space.json": "",
  "escaped-space.json ": "",
  "escaped-space.json": "",
  "dir-only/file.json": "",
  "src/dir-only": "",
  "aXXb.yml": "",
  "a/b.yml": "",
  "unclosed[.json": "",
  "nested/deep/n.json": "",
  "nested/deep/er/n.json": "",
  "src/local.tf": "",
  "src/important.log": "",
  "src/only-here.json": "",
  "src/x/only-here.json": "",
  "src/sub/local.tf": "",
  "src/sub/x.log": "",
  "ünïcode/fïle.yml": "",
  "with space/a b.json": "",
  "excluded-by-info.json": "",
  "excluded-by-global.json": "",
  ".github/workflows/ci.yml": "",
};

describe("git-files: the same list as git ls-files", () => {
  it("every gitignore(5) form, nested files, negation, info/exclude and core.excludesFile, tracked and untracked", () => {
    const dir = tree(IGNORES);
    git(dir, "init", "-q");
    writeFileSync(join(dir, ".git/info/exclude"), "excluded-by-info.json\n");
    const global = join(dir, "..", `${dir.split("/").pop()}-global-ignore`);
    dirs.push(global);
    writeFileSync(global, "excluded-by-global.json\n");
    git(dir, "config", "core.excludesFile", global);
    // Tracked although ignored, tracked then deleted, staged in a directory git ignores.
    git(dir, "add", "-f", "x.log", "build/keep.json", "keep.log", "src/local.tf");
    git(dir, "commit", "-qm", "one");
    unlinkSync(join(dir, "keep.log"));
    symlinkSync("ax.tf", join(dir, "link.tf"));
    expectSameAsGit(dir);
    for (const sub of ["src", "src/sub", "build", "docs/a", "ünïcode"]) expectSameAsGit(join(dir, sub));
    expect(read(dir)).toEqual(expect.arrayContaining(["link.tf", "keep.log", "x.log", "escaped-space.json"]));
    expect(read(dir)).not.toContain("escaped-space.json ");
    expect(read(dir)).not.toContain("excluded-by-global.json");
    expect(read(dir)).not.toContain("excluded-by-info.json");
  });

  it("index versions 2, 3 (intent-to-add) and 4 (compressed names)", () => {
    const dir = tree({ "a/one.json": "", "a/two.json": "", "b/three.tf": "", "b/c/four.yml": "", "new.json": "" });
    git(dir, "init", "-q");
    git(dir, "add", "a", "b");
    expectSameAsGit(dir);
    git(dir, "add", "-N", "new.json");
    expectSameAsGit(dir);
    git(dir, "update-index", "--index-version", "4");
    expectSameAsGit(dir);
    expectSameAsGit(join(dir, "b"));
  });

  it("nested repositories are listed as a directory, submodules (gitlinks) as their path", () => {
    const dir = tree({
      "top.json": "",
      "inner/x.json": "",
      "ignored-inner/y.json": "",
      ".gitignore": "ignored-inner/\n",
    });
    git(dir, "init", "-q");
    git(join(dir, "inner"), "init", "-q");
    git(join(dir, "ignored-inner"), "init", "-q");
    const sha = git(dir, "hash-object", "-w", "top.json").trim();
    git(dir, "update-index", "--add", "--cacheinfo", `160000,${sha},module`);
    mkdirSync(join(dir, "module"));
    writeFileSync(join(dir, "module", "z.json"), "");
    expectSameAsGit(dir);
    expect(read(dir)).toContain("inner/");
    // Inside a submodule's directory git lists the submodule itself as `./`: left to git.
    expect(read(join(dir, "module"))).toBeUndefined();
  });

  it("a directory below an ignored one lists no untracked file; nor one below a directory outside any repository", () => {
    const dir = tree({
      ".gitignore": ".bench/\n",
      ".bench/startup/infra/trust.json": "{}",
      ".bench/startup/a.yml": "",
    });
    git(dir, "init", "-q");
    expect(read(join(dir, ".bench/startup"))).toEqual([]);
    expectSameAsGit(join(dir, ".bench/startup"));
    expect(gitFilesWithoutGit(mkdtempSync(join(tmpdir(), "oidclint-nogit-")))).toBeUndefined();
  });

  it("a pattern git would backtrack on (`*a*a…b`, from a pull request) is matched in linear time", () => {
    // git itself takes hours over these names (its wildmatch backtracks): the list is checked by hand.
    const long = "a".repeat(200);
    const files: Record<string, string> = {
      ".gitignore": `${"*a".repeat(25)}*b\n[!x]${"*a".repeat(25)}*c/\n`,
      "kept.json": "",
      [`${long}b`]: "",
      [`dir/${long}c/in.json`]: "",
    };
    for (let i = 0; i < 40; i++) files[`${long}${i}.json`] = "";
    const dir = tree(files);
    git(dir, "init", "-q");
    const listed = read(dir);
    expect(listed).toContain("kept.json");
    expect(listed).toContain(`${long}7.json`);
    expect(listed).not.toContain(`${long}b`);
    expect(listed).not.toContain(`dir/${long}c/in.json`);
    expect(listed).toHaveLength(42); // .gitignore, kept.json and the 40 others
  });

  it("seeded random trees and patterns", () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    const pick = <T>(xs: readonly T[]): T => xs[rand(xs.length)] as T;
    const NAMES = ["a", "b", "ab", "a.json", "b.tf", "x.yml", "deep", "c"];
    const PIECES = ["a", "b", "*", "?", "**", "/", "[ab]", "[!a]", ".json", "x", "\\*", "c", "[a-c]"];
    for (let round = 0; round < 40; round++) {
      const files: Record<string, string> = {};
      for (let f = 0; f < 12; f++) {
        const depth = 1 + rand(3);
        files[Array.from({ length: depth }, () => pick(NAMES)).join("/") + (rand(2) ? ".json" : "")] = "";
      }
      const patterns = (): string =>
        Array.from({ length: 1 + rand(5) }, () => {
          const p = Array.from({ length: 1 + rand(4) }, () => pick(PIECES)).join("");
          return `${rand(5) === 0 ? "!" : ""}${p}${rand(6) === 0 ? "/" : ""}`;
        }).join("\n");
      // Files whose names collide with directories are dropped by the first writer: keep what can be written.
      const dir = mkdtempSync(join(tmpdir(), "oidclint-gitfiles-r-"));
      dirs.push(dir);
      for (const p of Object.keys(files)) {
        try {
          mkdirSync(dirname(join(dir, p)), { recursive: true });
          writeFileSync(join(dir, p), "");
        } catch {
          // a file where a directory is wanted
        }
      }
      writeFileSync(join(dir, ".gitignore"), `${patterns()}\n`);
      try {
        mkdirSync(join(dir, "a"), { recursive: true });
        writeFileSync(join(dir, "a", ".gitignore"), `${patterns()}\n`);
      } catch {
        // `a` is a file
      }
      git(dir, "init", "-q");
      if (rand(2)) git(dir, "add", "-A");
      const ours = read(dir);
      expect(ours, `round ${round}`).toBeDefined();
      expect([...new Set(ours)], `round ${round}`).toEqual([...new Set(byGit(dir))]);
    }
  });
});

describe("git-files: left to git", () => {
  const plain = (): string => {
    const dir = tree({ "a.json": "" });
    git(dir, "init", "-q");
    return dir;
  };
  it("environment that moves the repository, its index or its configuration", () => {
    const dir = plain();
    expect(read(dir)).toEqual(["a.json"]);
    process.env.GIT_INDEX_FILE = join(dir, ".git", "other-index");
    expect(read(dir)).toBeUndefined();
    delete process.env.GIT_INDEX_FILE;
    process.env.GIT_CONFIG_COUNT = "0";
    expect(read(dir)).toBeUndefined();
  });
  it("configuration that changes matching or the index, includes, a worktree's .git file, skip-worktree, [:class:]", () => {
    for (const [key, value] of [
      ["core.ignoreCase", "true"],
      ["core.sparseCheckout", "true"],
      ["include.path", "/nonexistent"],
      ["core.worktree", "/tmp"],
    ] as const) {
      const dir = plain();
      git(dir, "config", key, value);
      expect(read(dir), key).toBeUndefined();
    }
    const withLink = plain();
    git(withLink, "add", "a.json");
    git(withLink, "update-index", "--skip-worktree", "a.json");
    expect(read(withLink)).toBeUndefined();
    const classes = plain();
    writeFileSync(join(classes, ".gitignore"), "[[:digit:]].json\n");
    expect(read(classes)).toBeUndefined();
    const worktree = tree({ ".git": "gitdir: /elsewhere\n", "a.json": "" });
    expect(read(worktree)).toBeUndefined();
  });
});

describe("explain and discovery read the same roles with and without git", () => {
  const trust = (sub: string): string =>
    JSON.stringify({
      Version: "2012-10-17",
      Statement: [
        {
          Effect: "Allow",
          Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: {
              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
              "token.actions.githubusercontent.com:sub": sub,
            },
          },
        },
      ],
    });
  const role = (name: string, sub: string): string =>
    JSON.stringify({ Role: { RoleName: name, AssumeRolePolicyDocument: JSON.parse(trust(sub)) as unknown } });

  it("the roles of tracked and untracked files, not those of ignored ones", async () => {
    const dir = tree({
      ".oidclintrc.json": '{ "repository": "acme/app" }',
      ".gitignore": "generated/\n*.local.json\n",
      "iam/deploy.json": role("deploy", "repo:acme/app:ref:refs/heads/main"),
      "iam/untracked.json": role("untracked", "repo:acme/app:ref:refs/heads/main"),
      "iam/dev.local.json": role("ignored-local", "repo:acme/app:ref:refs/heads/main"),
      "generated/role.json": role("ignored-generated", "repo:acme/app:ref:refs/heads/main"),
      ".github/workflows/deploy.yml": deployWorkflow("deploy"),
    });
    git(dir, "init", "-q");
    git(dir, "add", "iam/deploy.json", ".github");
    const args = ["explain", ".github/workflows/deploy.yml", "--format", "json"];
    const without = captureIO(dir);
    expect(gitFilesWithoutGit(dir)).toBeDefined();
    expect(await main(args, without)).toBe(0);
    // GIT_CONFIG_COUNT=0 changes nothing for git, but makes discovery ask it.
    process.env.GIT_CONFIG_COUNT = "0";
    expect(gitFilesWithoutGit(dir)).toBeUndefined();
    const withGit = captureIO(dir);
    expect(await main(args, withGit)).toBe(0);
    expect(without.out).toBe(withGit.out);
    expect(without.out).toContain("deploy");
    expect(without.out).toContain("untracked");
    expect(without.out).not.toContain("ignored-");
  });
});

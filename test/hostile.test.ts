/**
 * Issue 12: hostile repository content. Matching is linear (IAM wildcards, config globs, branch filters
 * against sub patterns), special files are never read, and a token never leaves the API origin. Each case
 * here is a crash or hang that was found, kept as a regression test.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import { ConfigError, resolveConfig } from "../src/config/load.js";
import { compileGlob } from "../src/engine/glob.js";
import { iamGlobMatches } from "../src/analysis/iam-glob.js";
import { findRefusedClaim, type PredictedValue } from "../src/analysis/iam-evaluation.js";
import type { PolicyDocument } from "../src/model/policy.js";
import { rules } from "../rules/index.js";
import { findingLines, ROOT, run } from "./helpers.js";

const root = mkdtempSync(join(tmpdir(), "oidclint-hostile-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

export function repo(name: string, files: Record<string, string | Buffer>): string {
  const dir = join(root, name);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

function cli(args: string[], cwd: string, input = ""): { code: number | null; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.GITHUB_REPOSITORY;
  const r = spawnSync(process.execPath, [join(ROOT, "bin", "oidclint.js"), ...args], { cwd, input, encoding: "utf8", env, timeout: 20_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function trustPolicy(action: string, sub?: string): string {
  const condition: Record<string, unknown> = { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } };
  if (sub !== undefined) condition.StringLike = { "token.actions.githubusercontent.com:sub": sub };
  return JSON.stringify(
    {
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }, Action: action, Condition: condition }],
    },
    null,
    2,
  );
}

describe("IAM wildcards are matched in linear time", () => {
  it.each([
    ["sts:*", "sts:AssumeRoleWithWebIdentity", true],
    ["STS:assumerole*", "sts:AssumeRoleWithWebIdentity", true],
    ["sts:AssumeRole?ithWebIdentity", "sts:AssumeRoleWithWebIdentity", true],
    ["sts:AssumeRole", "sts:AssumeRoleWithWebIdentity", false],
    ["*Web*Identity", "sts:AssumeRoleWithWebIdentity", true],
    ["*Web*Identity?", "sts:AssumeRoleWithWebIdentity", false],
    ["s*s*s*y", "sts:AssumeRoleWithWebIdentity", true],
    ["a*b*a", "aba", true],
    ["a*b*a", "ab", false],
    ["**********X", "sts:AssumeRoleWithWebIdentity", false],
  ])("%s against %s: %s", (pattern, text, expected) => {
    expect(iamGlobMatches(pattern, text, true)).toBe(expected);
  });
  it("is case-sensitive unless asked", () => {
    expect(iamGlobMatches("sts.amazonaws.*", "STS.amazonaws.com")).toBe(false);
    expect(iamGlobMatches("sts.amazonaws.*", "sts.amazonaws.com")).toBe(true);
  });

  it("a 40,000-character Action and `**********X` are read, and the rest of the run is kept", async () => {
    const cwd = repo("long-action", {
      "long.json": trustPolicy(`s${"*".repeat(40000)}y`),
      "stars.json": trustPolicy("**********X"),
      "many.json": trustPolicy(`${"*a".repeat(20000)}*`),
    });
    // `s*…*y` matches sts:AssumeRoleWithWebIdentity: the statement trusts GitHub and has no sub condition.
    // `**********X` and 20,000 `a`s match nothing: those statements do not trust GitHub at all.
    expect(findingLines(await run({ cwd }), cwd, { withFile: true })).toEqual(["long.json:10:7 error missing-sub-condition/missing"]);
  });
});

describe("trust-mismatch search stays bounded", () => {
  const loc = { file: "t.json", line: 1, column: 1, endLine: 1, endColumn: 1 };
  const s = (text: string): { parts: string[]; loc: typeof loc } => ({ parts: [text], loc });
  function policy(sub: string): PolicyDocument {
    return {
      kind: "trust",
      loc,
      source: "test",
      statements: [
        {
          effect: s("Allow"),
          principals: [{ type: { value: "Federated", loc }, values: { items: [s("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com")], loc } }],
          notPrincipal: false,
          anyPrincipal: false,
          actions: { items: [s("sts:AssumeRoleWithWebIdentity")], loc },
          notAction: false,
          conditions: [{ operator: { value: "StringLike", loc }, key: s("token.actions.githubusercontent.com:sub"), values: { items: [s(sub)], loc }, loc }],
          loc,
        },
      ],
    };
  }
  const claims = new Map<string, PredictedValue>([["sub", { kind: "pieces", pieces: ["repo:acme/app:ref:refs/heads/", { hole: true }] }]]);
  const settings = defaultSettings();

  it("long wildcards against `**a**a…` filters: a verdict or undecided, never a hang", () => {
    const cases: [string, string][] = [
      [`repo:acme/app:ref:refs/heads/${"*a".repeat(400)}*`, "**a**b".repeat(100)],
      [`repo:acme/app:ref:refs/heads/${"*".repeat(800)}b`, "**a".repeat(300)],
      [`repo:acme/app:ref:refs/heads/${"*a".repeat(200)}*`, "**a".repeat(200)],
    ];
    for (const [sub, filter] of cases) {
      const started = process.cpuUsage();
      const verdict = findRefusedClaim([policy(sub)], claims, settings, { include: [filter] }).verdict;
      const used = process.cpuUsage(started);
      expect(["refused", "accepted", "undecided"]).toContain(verdict);
      // Generous: the bound is ~0.5 s; CI machines are shared.
      expect((used.user + used.system) / 1e6).toBeLessThan(10);
    }
  });
  it("ordinary patterns still get a verdict with a readable example", () => {
    expect(findRefusedClaim([policy("repo:acme/app:ref:refs/heads/main")], claims, settings, { include: ["release/**"] })).toEqual({ verdict: "refused", example: "release/a" });
    expect(findRefusedClaim([policy("repo:acme/app:ref:refs/heads/release/*")], claims, settings, { include: ["release/**"] })).toEqual({ verdict: "accepted" });
    expect(findRefusedClaim([policy(`repo:acme/app:ref:refs/heads/${"*".repeat(500)}`)], claims, settings, { include: ["**"] })).toEqual({ verdict: "accepted" });
    expect(findRefusedClaim([policy("repo:acme/app:ref:refs/heads/*a*a*a")], claims, settings, { include: ["**a**a"] })).toEqual({ verdict: "refused", example: "aa" });
  });
});

describe("config globs", () => {
  it.each([
    ["legacy/**", "legacy/a/b.json", true],
    ["*.json", "deep/dir/trust.json", true],
    ["*.json", "deep/dir/trust.yml", false],
    ["policies/*.json", "policies/sub/x.json", false],
    ["{a,b}/x.tf", "b/x.tf", true],
    ["{a,b}/x.tf", "c/x.tf", false],
    ["infra/**/*.tf", "infra/x.tf", true],
    ["infra/**/*.tf", "infra/a/b/x.tf", true],
    ["legacy", "src/legacy/x.json", true],
    ["[a-c]?.json", "dir/b1.json", true],
    ["[!a-c]?.json", "dir/b1.json", false],
    ["[!a-c]?.json", "dir/d1.json", true],
    ["?.json", "a/b.json", true],
    ["a?b", "a/b", false],
  ])("%s matches %s: %s", (glob, path, expected) => {
    expect(compileGlob(glob)(path)).toBe(expected);
  });
  it("`*a*a…b` against a long path answers at once", () => {
    const glob = `${"*a".repeat(200)}b`;
    const path = `${"a".repeat(5000)}/x`;
    const started = process.cpuUsage();
    expect(compileGlob(glob)(path)).toBe(false);
    expect(compileGlob(glob)(`${"a".repeat(300)}b`)).toBe(true);
    expect(process.cpuUsage(started).user / 1e6).toBeLessThan(5);
  });
  it("a malformed class is a config error naming its place (exit 2), not an internal error", async () => {
    const cwd = repo("bad-glob", {
      ".oidclintrc.json": JSON.stringify({ ignore: ["ok/**", "[z-a]"], overrides: [{ files: ["x", "y[9-0]"], rules: {} }] }),
      "policy.json": trustPolicy("sts:AssumeRoleWithWebIdentity"),
    });
    const err = await resolveConfig({ cwd, rules, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).details).toEqual([
      'ignore.1: character range z-a is out of order in "[z-a]"',
      'overrides.0.files.1: character range 9-0 is out of order in "y[9-0]"',
    ]);
    const r = cli(["."], cwd);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("ignore.1: character range z-a is out of order");
    expect(r.stderr).not.toContain("internal error");
  });
  it("a hostile ignore glob costs nothing outside git either", async () => {
    const cwd = repo("hostile-ignore", {
      ".oidclintrc.json": JSON.stringify({ ignore: [`${"*a".repeat(60)}b`, "skipped/**"] }),
      [`${"a".repeat(100)}/policy.json`]: trustPolicy("sts:AssumeRoleWithWebIdentity"),
      "skipped/policy.json": trustPolicy("sts:AssumeRoleWithWebIdentity"),
    });
    expect(findingLines(await run({ cwd }), cwd, { withFile: true })).toEqual([`${"a".repeat(100)}/policy.json:10:7 error missing-sub-condition/missing`]);
  });
});

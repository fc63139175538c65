import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../src/config/load.js";
import { repositoryFromRemote, gitFacts } from "../src/config/git.js";
import { compileGlob } from "../src/engine/glob.js";
import { rules } from "../rules/index.js";

const dirs: string[] = [];
function tempDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "oidclint-config-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, ".."), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("resolveConfig", () => {
  it("uses the defaults without a config", async () => {
    const c = await resolveConfig({ cwd: tempDir({}), rules, env: {} });
    expect(c.settings.audience).toBe("sts.amazonaws.com");
    expect(c.settings.issuer).toBe("token.actions.githubusercontent.com");
    expect(c.settings.subClaimTemplate).toEqual(["repo", "context"]);
    expect(c.settings.defaultBranch).toBe("main");
    expect(c.settings.repositories).toBeUndefined();
    expect(c.rules.get("missing-sub-condition")?.severity).toBe("error");
    expect(c.rules.get("mutable-sub-claim")?.severity).toBe("off");
  });
  it("finds the config upward and applies rule levels and options", async () => {
    const dir = tempDir({
      ".oidclintrc.json": JSON.stringify({
        $schema: "./node_modules/oidclint/schema/oidclintrc.schema.json",
        audience: "custom",
        rules: { "unsafe-condition-operator": "error", "provider-config": ["off"] },
      }),
      "sub/dir/x.txt": "",
    });
    const c = await resolveConfig({ cwd: join(dir, "sub", "dir"), rules, env: {} });
    expect(c.configFile).toBe(join(dir, ".oidclintrc.json"));
    expect(c.settings.audience).toBe("custom");
    expect(c.rules.get("unsafe-condition-operator")?.severity).toBe("error");
    expect(c.rules.get("provider-config")?.severity).toBe("off");
  });
  it("strict preset turns on the rules that are off by default", async () => {
    const dir = tempDir({ ".oidclintrc.json": JSON.stringify({ extends: "oidclint:strict" }) });
    const c = await resolveConfig({ cwd: dir, rules, env: {} });
    expect(c.rules.get("mutable-sub-claim")?.severity).not.toBe("off");
  });
  it("command-line --rule wins over the file", async () => {
    const dir = tempDir({ ".oidclintrc.json": JSON.stringify({ rules: { "missing-sub-condition": "warn" } }) });
    const c = await resolveConfig({ cwd: dir, rules, env: {}, ruleOverrides: { "missing-sub-condition": "off" } });
    expect(c.rules.get("missing-sub-condition")?.severity).toBe("off");
  });
  it("reads repositoriesFile as lines or as gh repo list JSON", async () => {
    const lines = tempDir({
      ".oidclintrc.json": JSON.stringify({ repositoriesFile: "repos.txt" }),
      "repos.txt": "acme/app\n# comment\nacme/infra\n",
    });
    expect((await resolveConfig({ cwd: lines, rules, env: {} })).settings.repositories).toEqual([
      "acme/app",
      "acme/infra",
    ]);
    const gh = tempDir({
      ".oidclintrc.json": JSON.stringify({ repositoriesFile: "repos.json", repositories: ["acme/x"] }),
      "repos.json": JSON.stringify([{ nameWithOwner: "acme/app" }]),
    });
    expect((await resolveConfig({ cwd: gh, rules, env: {} })).settings.repositories).toEqual(["acme/x", "acme/app"]);
  });
  it("takes the repository from GITHUB_REPOSITORY when git has no origin", async () => {
    const c = await resolveConfig({ cwd: tempDir({}), rules, env: { GITHUB_REPOSITORY: "acme/app" } });
    expect(c.settings.repository).toBe("acme/app");
  });
  it("rejects invalid configs with the JSON path of every problem", async () => {
    const dir = tempDir({
      ".oidclintrc.json": JSON.stringify({
        defaultTokenPermissions: "open",
        overrides: [{ rules: {} }],
        rules: { "broad-sub-wildcard": ["warn", { allowEverything: true }] },
      }),
    });
    const err = await resolveConfig({ cwd: dir, rules, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    const details = (err as ConfigError).details.join("\n");
    expect(details).toContain("defaultTokenPermissions: must be equal to one of the allowed values");
    expect(details).toContain("overrides.0: must have required property 'files'");
    expect(details).toContain("rules.broad-sub-wildcard");
  });
  it("rejects a config that is not JSON", async () => {
    const dir = tempDir({ ".oidclintrc.json": "{ audience: x }" });
    await expect(resolveConfig({ cwd: dir, rules, env: {} })).rejects.toThrow(/is not valid JSON/);
  });
});

describe("git facts", () => {
  it("reads OWNER/REPO from every remote URL form", () => {
    expect(repositoryFromRemote("https://github.com/acme/app.git")).toBe("acme/app");
    expect(repositoryFromRemote("https://github.com/acme/app")).toBe("acme/app");
    expect(repositoryFromRemote("git@github.com:acme/app.git")).toBe("acme/app");
    expect(repositoryFromRemote("ssh://git@github.com/acme/app.git")).toBe("acme/app");
    expect(repositoryFromRemote("https://user:token@github.example.com/acme/app.git")).toBe("acme/app");
    expect(repositoryFromRemote("/srv/git/app")).toBeUndefined();
  });
  it("reads origin and its HEAD from .git without running git", () => {
    const dir = tempDir({
      ".git/config":
        '[core]\n\tbare = false\n[remote "origin"]\n\turl = git@github.com:acme/app.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n',
      ".git/refs/remotes/origin/HEAD": "ref: refs/remotes/origin/trunk\n",
    });
    expect(gitFacts(join(dir))).toEqual({ repository: "acme/app", defaultBranch: "trunk" });
  });
});

describe("globs for ignore and overrides", () => {
  it.each([
    ["legacy/**", "legacy/a/b.json", true],
    ["legacy/**", "src/legacy/b.json", false],
    ["*.json", "deep/dir/trust.json", true],
    ["**/cdk.out/**", "infra/cdk.out/Stack.template.json", true],
    ["policies/*.json", "policies/sub/x.json", false],
    ["{a,b}/x.tf", "b/x.tf", true],
    // A character outside the BMP is one character (`?`), as in the pattern.
    ["docs/?.json", "docs/\u{1F600}.json", true],
    ["docs/??.json", "docs/\u{1F600}.json", false],
  ])("%s matches %s: %s", (glob, path, expected) => {
    expect(compileGlob(glob)(path)).toBe(expected);
  });
});

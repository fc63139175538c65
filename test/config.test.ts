import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../src/config/load.js";
import { repositoryFromRemote, gitFacts } from "../src/config/git.js";
import { compileGlob } from "../src/engine/glob.js";
import { rules } from "../rules/index.js";
import { Ajv2020 } from "ajv/dist/2020.js";
import { buildConfigSchema, reachesRuleLevels } from "../src/config/schema.js";
import { CONFIG_KEYS, RULES_SCHEMA } from "../src/config/settings.js";
import { ROOT } from "./helpers.js";

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
  describe("in GitHub Actions, where actions/checkout leaves no origin/HEAD", () => {
    const ORIGIN = '[remote "origin"]\n\turl = https://github.com/acme/app\n';
    const event = (repository: unknown): string => JSON.stringify({ ref: "refs/heads/feature", repository });
    const actions = (dir: string, repository?: string): Record<string, string> => ({
      GITHUB_ACTIONS: "true",
      GITHUB_EVENT_PATH: join(dir, "event.json"),
      ...(repository ? { GITHUB_REPOSITORY: repository } : {}),
    });
    const defaultBranch = async (files: Record<string, string>, env?: (dir: string) => Record<string, string>) => {
      const dir = tempDir(files);
      return (await resolveConfig({ cwd: dir, rules, env: env ? env(dir) : actions(dir) })).settings.defaultBranch;
    };
    it("takes the default branch the event payload names for this repository", async () => {
      const payload = event({ full_name: "Acme/App", default_branch: "trunk" });
      expect(await defaultBranch({ ".git/config": ORIGIN, "event.json": payload })).toBe("trunk");
      expect(await defaultBranch({ "event.json": payload }, (d) => actions(d, "acme/app"))).toBe("trunk");
    });
    it("keeps main when the payload is about another repository, malformed, or outside Actions", async () => {
      const other = event({ full_name: "acme/ci", default_branch: "trunk" });
      expect(await defaultBranch({ ".git/config": ORIGIN, "event.json": other }, (d) => actions(d, "acme/ci"))).toBe(
        "main",
      );
      expect(await defaultBranch({ ".git/config": ORIGIN, "event.json": "{ not json" })).toBe("main");
      for (const branch of ["", "a b", "x..y", "ref\u001b[31m", 7])
        expect(
          await defaultBranch({
            ".git/config": ORIGIN,
            "event.json": event({ full_name: "acme/app", default_branch: branch }),
          }),
        ).toBe("main");
      const payload = event({ full_name: "acme/app", default_branch: "trunk" });
      expect(
        await defaultBranch({ ".git/config": ORIGIN, "event.json": payload }, (d) => ({
          GITHUB_EVENT_PATH: join(d, "event.json"),
        })),
      ).toBe("main");
    });
    it("lets git's origin/HEAD and the config come first", async () => {
      const payload = event({ full_name: "acme/app", default_branch: "trunk" });
      const head = { ".git/refs/remotes/origin/HEAD": "ref: refs/remotes/origin/develop\n" };
      expect(await defaultBranch({ ".git/config": ORIGIN, ...head, "event.json": payload })).toBe("develop");
      const config = { ".oidclintrc.json": JSON.stringify({ defaultBranch: "release" }) };
      expect(await defaultBranch({ ".git/config": ORIGIN, ...config, "event.json": payload })).toBe("release");
    });
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

/**
 * A config that writes no rule level is validated against the schema of no rule (src/config/load.ts: the CLI
 * then loads a small validator instead of the one holding every rule's options). That is exact only if such a
 * config never reaches the rules' part of the schema: checked here on the schema and on many configs.
 */
describe("the settings-only validator", () => {
  it("finds the rules block wherever CONFIG_KEYS use it, through `properties` and `items` only", () => {
    const paths: string[] = [];
    const walk = (node: unknown, path: string[]): void => {
      if (node === RULES_SCHEMA) paths.push(path.join("/"));
      else if (typeof node === "object" && node !== null)
        for (const [k, v] of Object.entries(node)) walk(v, [...path, k]);
    };
    for (const [name, decl] of Object.entries(CONFIG_KEYS)) walk(decl.schema, ["properties", name]);
    expect(paths).toEqual(["properties/rules", "properties/overrides/items/properties/rules"]);
    expect(reachesRuleLevels({ rules: {} })).toBe(true);
    expect(reachesRuleLevels({ rules: 3 })).toBe(true);
    expect(reachesRuleLevels({ overrides: [{ files: "a" }, { files: "b", rules: {} }] })).toBe(true);
    expect(reachesRuleLevels({ overrides: [{ files: "a" }] })).toBe(false);
    expect(reachesRuleLevels({ overrides: { rules: {} } })).toBe(false);
    expect(reachesRuleLevels({ overrides: [[{ rules: {} }]] })).toBe(false);
    expect(reachesRuleLevels({ audience: { rules: {} }, ignore: [{ rules: 1 }] })).toBe(false);
    expect(reachesRuleLevels([{ rules: {} }])).toBe(false);
    expect(reachesRuleLevels(JSON.parse('{"__proto__": {"rules": {}}}'))).toBe(false);
    expect(reachesRuleLevels(null)).toBe(false);
  });

  it("gives every config without rule levels the verdict and errors of the full schema", () => {
    const compile = (ruleSet: typeof rules) =>
      new Ajv2020({ allErrors: true, strict: false }).compile(buildConfigSchema(ruleSet));
    const full = compile(rules);
    const settingsOnly = compile([]);
    const configs: unknown[] = readdirSync(join(ROOT, "fixtures"), { recursive: true, encoding: "utf8" })
      .filter((f) => f.endsWith(".oidclintrc.json"))
      .map((f) => JSON.parse(readFileSync(join(ROOT, "fixtures", f), "utf8")) as unknown);
    configs.push(JSON.parse(readFileSync(join(ROOT, ".oidclintrc.example.json"), "utf8")));
    // Every key given every kind of value, alone and next to a valid config.
    const values = [
      null,
      true,
      0,
      -1,
      1.5,
      "",
      "x",
      "acme/app",
      "oidclint:strict",
      [],
      ["x"],
      [1],
      [{}],
      {},
      { files: "a" },
    ];
    for (const name of [...Object.keys(CONFIG_KEYS), "unknownKey"])
      for (const value of values) {
        configs.push({ [name]: value });
        configs.push({ repository: "acme/app", audience: "sts.amazonaws.com", [name]: value });
      }
    for (const value of values) configs.push({ overrides: [{ files: value }, value] });
    configs.push(null, 3, "x", [], [{ rules: {} }]);
    let compared = 0;
    for (const config of configs) {
      if (reachesRuleLevels(config)) continue;
      compared++;
      const verdict = full(config);
      expect(settingsOnly(config), JSON.stringify(config)).toBe(verdict);
      expect(settingsOnly.errors ?? null, JSON.stringify(config)).toEqual(full.errors ?? null);
    }
    expect(compared).toBeGreaterThan(500);
  });

  it("reports an invalid config without rule levels as before", async () => {
    const dir = tempDir({
      ".oidclintrc.json": JSON.stringify({ audience: "", overrides: [{ files: [] }, {}], extra: 1 }),
    });
    const err = await resolveConfig({ cwd: dir, rules, env: {} }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as ConfigError).details).toEqual([
      "(root): must NOT have additional properties `extra`",
      "audience: must NOT have fewer than 1 characters",
      "overrides.0.files: must be string",
      "overrides.0.files: must NOT have fewer than 1 items",
      "overrides.1: must have required property 'files'",
    ]);
  });
});

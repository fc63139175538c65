/**
 * `oidclint init`, and the files generated from rule metadata (`.oidclintrc.example.json`,
 * `schema/oidclintrc.schema.json`): they must match what `npm run generate` writes.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import type { CliIO } from "../src/cli.js";
import { main } from "../src/cli.js";
import { configSchemaText, exampleConfigText, SCHEMA_URL } from "../src/commands/init.js";
import { readConfig, resolveConfig, validateConfig } from "../src/config/load.js";
import { buildConfigSchema } from "../src/config/schema.js";
import { rules } from "../rules/index.js";
import { ROOT } from "./helpers.js";

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "oidclint-init-"));
  dirs.push(dir);
  return dir;
}

function git(cwd: string, ...args: string[]): void {
  execFileSync("git", args, { cwd, stdio: "ignore" });
}

function io(cwd: string, env: NodeJS.ProcessEnv = {}): CliIO & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    stdout: (s) => out.push(s),
    stderr: (s) => err.push(s),
    readStdin: () => Promise.resolve(""),
    isTTY: false,
    cwd,
    env,
  };
}

const configPath = (dir: string): string => join(dir, ".oidclintrc.json");
const readJson = (file: string): Record<string, unknown> =>
  JSON.parse(readFileSync(file, "utf8")) as Record<string, unknown>;

describe("oidclint init", () => {
  for (const [form, url] of [
    ["https", "https://github.com/acme/deploy-app.git"],
    ["ssh://", "ssh://git@github.com/acme/deploy-app.git"],
    ["git@", "git@github.com:acme/deploy-app.git"],
    ["https without .git", "https://github.com/acme/deploy-app"],
  ] as const) {
    it(`detects the repository from an origin remote (${form})`, async () => {
      const dir = tempDir();
      git(dir, "init", "-q");
      git(dir, "remote", "add", "origin", url);
      const cli = io(dir);
      expect(await main(["init"], cli)).toBe(0);
      expect(cli.out.join("")).toContain("acme/deploy-app");
      const config = readJson(configPath(dir));
      expect(config.repository).toBe("acme/deploy-app");
    });
  }

  it("writes $schema, extends and only what differs from the preset, as a config the loader accepts", async () => {
    const dir = tempDir();
    git(dir, "init", "-q");
    git(dir, "remote", "add", "origin", "git@github.com:acme/app.git");
    expect(await main(["init"], io(dir))).toBe(0);
    const config = readJson(configPath(dir));
    expect(config).toEqual({ $schema: SCHEMA_URL, extends: "oidclint:recommended", repository: "acme/app" });
    await readConfig(configPath(dir), rules);
    const resolved = await resolveConfig({ cwd: dir, rules, env: {} });
    expect(resolved.settings.repository).toBe("acme/app");
    expect(resolved.settings.audience).toBe("sts.amazonaws.com");
    for (const r of rules) expect(resolved.rules.get(r.meta.id)?.severity).toBe(r.meta.severity);
  });

  it("--strict extends oidclint:strict; a default branch other than main is written, main is not", async () => {
    const dir = tempDir();
    git(dir, "init", "-q");
    git(dir, "remote", "add", "origin", "https://github.com/acme/legacy.git");
    mkdirSync(join(dir, ".git/refs/remotes/origin"), { recursive: true });
    writeFileSync(join(dir, ".git/refs/remotes/origin/HEAD"), "ref: refs/remotes/origin/master\n");
    const cli = io(dir);
    expect(await main(["init", "--strict"], cli)).toBe(0);
    expect(cli.out.join("")).toBe("Wrote .oidclintrc.json (extends oidclint:strict) for acme/legacy.\n");
    expect(readJson(configPath(dir))).toEqual({
      $schema: SCHEMA_URL,
      extends: "oidclint:strict",
      repository: "acme/legacy",
      defaultBranch: "master",
    });
    const resolved = await resolveConfig({ cwd: dir, rules, env: {} });
    for (const r of rules) expect(resolved.rules.get(r.meta.id)?.severity).toBe(r.meta.strict ?? r.meta.severity);
    writeFileSync(join(dir, ".git/refs/remotes/origin/HEAD"), "ref: refs/remotes/origin/main\n");
    expect(await main(["init", "--force"], io(dir))).toBe(0);
    expect(readJson(configPath(dir)).defaultBranch).toBeUndefined();
  });

  it("points $schema into node_modules when oidclint is installed there", async () => {
    const dir = tempDir();
    mkdirSync(join(dir, "node_modules/oidclint/schema"), { recursive: true });
    writeFileSync(join(dir, "node_modules/oidclint/schema/oidclintrc.schema.json"), "{}");
    expect(await main(["init"], io(dir))).toBe(0);
    expect(readJson(configPath(dir)).$schema).toBe("./node_modules/oidclint/schema/oidclintrc.schema.json");
  });

  it("falls back to GITHUB_REPOSITORY, and says so when nothing is known", async () => {
    const dir = tempDir();
    expect(await main(["init"], io(dir, { GITHUB_REPOSITORY: "acme/ci-only" }))).toBe(0);
    expect(readJson(configPath(dir)).repository).toBe("acme/ci-only");
    const bare = tempDir();
    const cli = io(bare);
    expect(await main(["init"], cli)).toBe(0);
    expect(readJson(configPath(bare)).repository).toBeUndefined();
    expect(cli.out.join("")).toMatch(/add "repository": "OWNER\/REPO"/);
  });

  it("refuses to overwrite without --force, and overwrites with it", async () => {
    const dir = tempDir();
    writeFileSync(configPath(dir), '{ "audience": "mine" }\n');
    const cli = io(dir);
    expect(await main(["init"], cli)).toBe(2);
    expect(cli.err.join("")).toMatch(/already exists.*--force/);
    expect(readFileSync(configPath(dir), "utf8")).toBe('{ "audience": "mine" }\n');
    expect(await main(["init", "--force"], io(dir))).toBe(0);
    expect(readJson(configPath(dir)).extends).toBe("oidclint:recommended");
  });

  it("rejects unknown flags and arguments with exit 2, in oidclint's words", async () => {
    const cli = io(tempDir());
    expect(await main(["init", "--forse"], cli)).toBe(2);
    expect(cli.err.join("")).toBe(
      "oidclint init: unknown option --forse — did you mean --force?\nRun `oidclint init --help` for usage and examples.\n",
    );
    const extra = io(tempDir());
    expect(await main(["init", "infra"], extra)).toBe(2);
    expect(extra.err.join("")).toContain(
      'oidclint init: unexpected argument "infra": oidclint init takes no arguments (init writes .oidclintrc.json in the current directory)',
    );
  });
});

describe("generated files stay in sync (npm run generate)", () => {
  it("schema/oidclintrc.schema.json is buildConfigSchema(rules)", () => {
    const text = readFileSync(join(ROOT, "schema/oidclintrc.schema.json"), "utf8");
    expect(text, "schema/oidclintrc.schema.json is out of date: run npm run generate").toBe(configSchemaText(rules));
    expect(JSON.parse(text)).toEqual(buildConfigSchema(rules));
  });

  it(".oidclintrc.example.json lists every rule and is a valid config", async () => {
    const file = join(ROOT, ".oidclintrc.example.json");
    const text = readFileSync(file, "utf8");
    expect(text, ".oidclintrc.example.json is out of date: run npm run generate").toBe(exampleConfigText(rules));
    const data = JSON.parse(text) as { rules: Record<string, unknown> };
    expect(Object.keys(data.rules)).toEqual(rules.map((r) => r.meta.id));
    await validateConfig(data, file, rules);
  });
});

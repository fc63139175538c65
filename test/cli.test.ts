/** The real binary, spawned: exit codes, output formats, options, configuration errors, bad input. */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { ROOT, fixtureDir } from "./helpers.js";

const BIN = join(ROOT, "bin", "oidclint.js");

function cli(
  args: string[],
  opts: { cwd?: string; input?: string } = {},
): { code: number; stdout: string; stderr: string } {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: "1" };
  delete env.GITHUB_REPOSITORY;
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? fixtureDir("_cli"),
    input: opts.input ?? "",
    encoding: "utf8",
    env,
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

interface JsonResult {
  filePath: string;
  messages: {
    ruleId: string;
    severity: number;
    message: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
  }[];
  errorCount: number;
  warningCount: number;
}

describe("exit codes", () => {
  it("0 when there are no problems", () => {
    const r = cli(["clean"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("1 file checked, no problems");
  });
  it("1 on lint errors, and a malformed file does not stop the others", () => {
    const r = cli(["mixed", "--format", "json"]);
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as JsonResult[];
    const byFile = new Map(results.map((x) => [x.filePath.replace(`${fixtureDir("_cli")}/`, ""), x]));
    expect(byFile.get("mixed/broken.json")?.messages.map((m) => [m.ruleId, m.line, m.column])).toEqual([
      ["parse-error", 3, 26],
    ]);
    expect(byFile.get("mixed/open-trust.json")?.messages.map((m) => [m.ruleId, m.line, m.column])).toContainEqual([
      "missing-sub-condition",
      10,
      7,
    ]);
    expect(byFile.get("mixed/good-trust.json")?.messages).toEqual([]);
  });
  it("2 for a path that does not exist, with a clear message and no stack trace", () => {
    const r = cli(["no/such/dir"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("No such file or directory: no/such/dir");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it("2 for an invalid config, naming each key path", () => {
    const r = cli(["."], { cwd: fixtureDir("_cli", "bad-config") });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("audience: must be string");
    expect(r.stderr).toContain("rules: must NOT have additional properties `no-such-rule`");
    expect(r.stderr).toContain("rules.missing-sub-condition");
    expect(r.stderr).toContain("(root): must NOT have additional properties `colour`");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  it("2 for unknown options and bad option values", () => {
    expect(cli(["--frobnicate"]).code).toBe(2);
    expect(cli(["--format", "xml", "clean"]).stderr).toContain('unknown format "xml"');
    expect(cli(["--rule", "missing-sub-condition=off", "clean"]).code).toBe(2);
    expect(cli(["--rule", "no-such-rule:off", "clean"]).stderr).toContain("unknown rule id `no-such-rule`");
    expect(cli(["--config", "missing.json", "clean"]).code).toBe(2);
  });
  it("a reader that closes the pipe early (| head) is not an internal error: the exit code stays that of the findings", () => {
    const dir = mkdtempSync(join(tmpdir(), "oidclint-pipe-"));
    try {
      // More output than a pipe holds, so the write after `head` has gone fails with EPIPE.
      const trust = readFileSync(fixtureDir("_cli", "mixed", "open-trust.json"), "utf8");
      for (let i = 0; i < 300; i++) writeFileSync(join(dir, `trust-${i}.json`), trust);
      const r = spawnSync(
        "bash",
        ["-c", 'node "$0" "$1" --format json | head -c 10 >/dev/null; echo "${PIPESTATUS[0]}"', BIN, dir],
        {
          encoding: "utf8",
        },
      );
      expect(r.stderr).not.toContain("internal error");
      expect(r.stdout.trim()).toBe("1");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("warnings alone exit 0, unless --max-warnings is exceeded", () => {
    expect(cli(["warn-only"]).code).toBe(0);
    const r = cli(["warn-only", "--max-warnings", "0"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("too many warnings");
  });
});

describe("output", () => {
  it("json is ESLint-compatible", () => {
    const results = JSON.parse(cli(["mixed/open-trust.json", "--format", "json"]).stdout) as JsonResult[];
    expect(results).toHaveLength(1);
    const [first] = results;
    expect(Object.keys(first ?? {}).sort()).toEqual(["errorCount", "filePath", "messages", "warningCount"]);
    expect(first?.filePath).toBe(join(fixtureDir("_cli"), "mixed", "open-trust.json"));
    for (const m of first?.messages ?? []) {
      expect([typeof m.ruleId, typeof m.message, [1, 2].includes(m.severity)]).toEqual(["string", "string", true]);
      expect(m.line).toBeGreaterThan(0);
      expect(m.endLine).toBeGreaterThanOrEqual(m.line);
    }
    expect(first?.errorCount).toBe(first?.messages.filter((m) => m.severity === 2).length);
  });
  it("stylish groups by file with a summary line, without colour when not a TTY", () => {
    const r = cli(["mixed"]);
    expect(r.stdout).toMatch(/^mixed\/broken\.json$/m);
    expect(r.stdout).toMatch(/^ {2}3:26 +error +Invalid JSON.* +parse-error$/m);
    expect(r.stdout).toMatch(/✖ \d+ problems? \(\d+ errors?, \d+ warnings?\) in 2 of 3 files checked/);
    expect(r.stdout).not.toContain("\u001b[");
  });
  it("--quiet drops warnings", () => {
    const r = cli(["warn-only", "--quiet", "--format", "json"]);
    expect((JSON.parse(r.stdout) as JsonResult[]).flatMap((x) => x.messages)).toEqual([]);
  });
  it("--rule turns a rule off", () => {
    const r = cli(["mixed/open-trust.json", "--rule", "missing-sub-condition:off", "--format", "json"]);
    expect((JSON.parse(r.stdout) as JsonResult[]).flatMap((x) => x.messages.map((m) => m.ruleId))).not.toContain(
      "missing-sub-condition",
    );
  });
  it("--stdin lints standard input as the named file", () => {
    const text = readFileSync(fixtureDir("_cli", "mixed", "open-trust.json"), "utf8");
    const r = cli(["--stdin", "--stdin-filename", "policies/trust.json", "--format", "json"], { input: text });
    expect(r.code).toBe(1);
    const results = JSON.parse(r.stdout) as JsonResult[];
    expect(results[0]?.filePath).toBe(join(fixtureDir("_cli"), "policies", "trust.json"));
    expect(results[0]?.messages.some((m) => m.ruleId === "missing-sub-condition" && m.line === 10)).toBe(true);
    expect(cli(["--stdin"]).code).toBe(2);
  });
  it("--output-file writes the report there", () => {
    const dir = mkdtempSync(join(tmpdir(), "oidclint-out-"));
    try {
      const r = cli(["clean", "--format", "json", "--output-file", join(dir, "report.json")]);
      expect(r.stdout).toBe("");
      expect(JSON.parse(readFileSync(join(dir, "report.json"), "utf8"))).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
  it("looks up the config from the linted directory (the demo's roles map gives trust-mismatch findings)", () => {
    const r = cli(["fixtures/demo", "--format", "json"], { cwd: ROOT });
    const ids = (JSON.parse(r.stdout) as JsonResult[]).flatMap((x) => x.messages.map((m) => m.ruleId));
    expect(ids).toContain("trust-mismatch");
    expect(new Set(ids).size).toBeGreaterThanOrEqual(6);
  });
  it("--version and --help", () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string };
    expect(cli(["--version"]).stdout.trim()).toBe(pkg.version);
    const help = cli(["--help"]);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain("Usage: oidclint");
  });
});

/**
 * Issue 14 items 2, 4 and 6: fingerprints that survive moved lines and tell two findings at one place
 * apart, the baseline round trip, and the command line's conventions (unknown options, globs that match
 * nothing, `--online` failures).
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main, type CliIO } from "../src/cli.js";
import type { LintMessage, LintReport } from "../src/engine/result.js";
import { fixtureDir, run } from "./helpers.js";
import { createHash } from "node:crypto";
import { addFingerprints } from "../src/engine/fingerprint.js";
import { lint } from "../src/engine/lint.js";

const tmp = mkdtempSync(join(tmpdir(), "oidclint-baseline-"));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

function copyDemo(name: string): string {
  const dir = join(tmp, name);
  cpSync(fixtureDir("demo"), dir, { recursive: true });
  return dir;
}

async function cli(
  cwd: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const io: CliIO = {
    stdout: (s) => (stdout += s),
    stderr: (s) => (stderr += s),
    readStdin: () => Promise.resolve(""),
    isTTY: false,
    cwd,
    env,
  };
  return { code: await main(args, io), stdout, stderr };
}

function prints(report: LintReport): Map<string, string> {
  const out = new Map<string, string>();
  for (const r of report.results)
    for (const m of r.messages)
      out.set(`${r.filePath.replace(/.*\/demo-[a-z]+\//, "")} ${m.ruleId} ${m.message}`, m.fingerprint ?? "");
  return out;
}

describe("fingerprints", () => {
  it("do not change when unrelated lines move, and differ for two findings at one place", async () => {
    const dir = copyDemo("demo-move");
    const before = prints(await run({ cwd: dir }));
    // Unrelated lines above every finding: comments in the workflow and Terraform, blank lines in JSON.
    for (const [file, prefix] of [
      [".github/workflows/deploy.yml", "# moved\n# moved\n"],
      ["infra/github-oidc.tf", "# moved\n\n"],
      ["iam/legacy-trust.json", "\n\n\n"],
    ] as const) {
      writeFileSync(join(dir, file), prefix + readFileSync(join(dir, file), "utf8"));
    }
    const afterReport = await run({ cwd: dir });
    const after = prints(afterReport);
    expect([...after.keys()].sort()).toEqual([...before.keys()].sort());
    for (const [k, v] of before) expect(after.get(k), k).toBe(v);
    // The lines did move.
    const wf = afterReport.results.find((r) => r.filePath.endsWith("deploy.yml"));
    expect(wf?.messages.map((m) => m.line)).toEqual([13, 19, 19]);
    // The two trust-mismatch findings on one line (pull_request and push) have different fingerprints.
    const mismatch = wf?.messages.filter((m) => m.ruleId === "trust-mismatch") ?? [];
    expect(mismatch).toHaveLength(2);
    expect(mismatch[0]?.fingerprint).not.toBe(mismatch[1]?.fingerprint);
    expect(new Set([...after.values()]).size).toBe(after.size);
  });
  it("are left out when asked (`fingerprints: false`, the CLI's stylish, github and markdown formats), nothing else changes", async () => {
    const dir = copyDemo("demo-nofp");
    const withPrints = await lint({ cwd: dir });
    const without = await lint({ cwd: dir, fingerprints: false });
    const all = withPrints.results.flatMap((r) => r.messages);
    expect(all.length).toBeGreaterThan(3);
    expect(all.every((m) => /^[0-9a-f]{32}$/.test(m.fingerprint ?? ""))).toBe(true);
    for (const r of withPrints.results) for (const m of r.messages) delete m.fingerprint;
    expect(without).toEqual(withPrints);
  });
  it("do not change when the file gains a comment that mentions oidclint", async () => {
    const dir = copyDemo("demo-mention");
    const before = prints(await run({ cwd: dir }));
    // (The run keeps the text of a file that mentions `oidclint-` for its suppressions, and reads others again.)
    for (const file of [".github/workflows/deploy.yml", "infra/github-oidc.tf"])
      writeFileSync(join(dir, file), readFileSync(join(dir, file), "utf8") + "\n# see oidclint-docs\n");
    const after = prints(await run({ cwd: dir }));
    expect(before.size).toBeGreaterThan(3);
    for (const [k, v] of before) expect(after.get(k), k).toBe(v);
  });
  it("change when the finding's own value changes", async () => {
    const dir = copyDemo("demo-edit");
    const before = prints(await run({ cwd: dir }));
    const file = join(dir, "iam/legacy-trust.json");
    writeFileSync(file, readFileSync(file, "utf8").replace("repo:acme*", "repo:acm*"));
    const after = prints(await run({ cwd: dir }));
    const key = [...before.keys()].find((k) => k.includes("`repo:acme*`")) ?? "";
    const changed = [...after.keys()].find((k) => k.includes("`repo:acm*`")) ?? "";
    expect(after.get(changed)).toBeDefined();
    expect(after.get(changed)).not.toBe(before.get(key));
  });
});

describe("fingerprints of findings on a long line", () => {
  // The located text of an empty range is the rest of its line, blanks collapsed, cut to 2,000 characters.
  const reference = (text: string, column: number, file: string): string =>
    createHash("sha256")
      .update(
        [
          "r",
          "m",
          file,
          text
            .slice(column - 1)
            .replace(/\s+/g, " ")
            .trim()
            .slice(0, 2000),
          "msg",
          "0",
        ].join("\0"),
      )
      .digest("hex")
      .slice(0, 32);
  const at = (column: number): LintMessage => ({
    ruleId: "r",
    messageId: "m",
    severity: 2,
    message: "msg",
    line: 1,
    column,
    endLine: 1,
    endColumn: column,
  });
  it("hash the 2,000 collapsed characters after an empty range, however long the line and its blanks", () => {
    const word = (i: number): string => `w${String(i)}${" \t".repeat(i % 3)}`;
    const lines = [
      Array.from({ length: 60000 }, (_, i) => word(i)).join(","),
      `${" ".repeat(20000)}x${"  y".repeat(3000)}`,
      `a${" ".repeat(7990)}b c`,
      `${"ab    ".repeat(1500)}${"z".repeat(5000)}`,
    ];
    for (const text of lines) {
      for (const column of [1, 2, 100, 5000, text.length - 3]) {
        const m = at(column);
        addFingerprints([m], "p.json", text);
        expect(m.fingerprint, `${text.slice(0, 20)}… at ${String(column)}`).toBe(reference(text, column, "p.json"));
      }
    }
  });
});

describe("baseline", () => {
  it("round trip: recorded problems are not reported, exit 0; a new one is, exit 1", async () => {
    const dir = copyDemo("demo-baseline");
    const written = await cli(dir, ["--write-baseline", "oidclint-baseline.json"]);
    expect(written.code).toBe(0);
    expect(written.stderr).toContain("recorded 11 problem(s) in oidclint-baseline.json");
    const recorded = JSON.parse(readFileSync(join(dir, "oidclint-baseline.json"), "utf8")) as {
      findings: { file: string; ruleId: string }[];
    };
    expect(recorded.findings).toHaveLength(11);
    expect(recorded.findings[0]?.file).toBe(".github/workflows/deploy.yml");

    const clean = await cli(dir, ["--baseline", "oidclint-baseline.json"]);
    expect(clean.code).toBe(0);
    expect(clean.stdout).toContain("no problems");
    expect(clean.stdout).toContain("11 problem(s) recorded in oidclint-baseline.json not shown");

    // Moving lines keeps the baseline valid; a new problem is reported alone.
    const trust = join(dir, "iam/deploy-trust.json");
    writeFileSync(
      trust,
      `\n\n${readFileSync(trust, "utf8").replace("repo:acme/webshop:ref:refs/heads/main", "repo:*")}`,
    );
    const moved = await cli(dir, ["--baseline", "oidclint-baseline.json", "--format", "json"]);
    expect(moved.code).toBe(1);
    const results = JSON.parse(moved.stdout) as { filePath: string; messages: { ruleId: string }[] }[];
    const shown = results.flatMap((r) => r.messages.map((m) => `${r.filePath.slice(dir.length + 1)} ${m.ruleId}`));
    // `repo:*` under StringEquals is a new problem; the recorded ones stay hidden although their lines moved.
    expect(shown).toEqual(["iam/deploy-trust.json invalid-sub-pattern"]);
  });
  it("a missing or foreign baseline file is a usage error", async () => {
    const dir = copyDemo("demo-bad-baseline");
    expect((await cli(dir, ["--baseline", "nope.json"])).stderr).toContain("cannot read the baseline nope.json");
    writeFileSync(join(dir, "other.json"), "{}");
    const foreign = await cli(dir, ["--baseline", "other.json"]);
    expect(foreign.code).toBe(2);
    expect(foreign.stderr).toContain("is not an oidclint baseline");
  });
});

describe("command-line conventions", () => {
  const demo = fixtureDir("demo");
  it("answers unknown options in oidclint's words, with the nearest option", async () => {
    const r = await cli(demo, ["--fromat", "json"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(
      "oidclint: unknown option --fromat — did you mean --format?\nRun `oidclint --help` for usage and examples.\n",
    );
    expect((await cli(demo, ["--format"])).stderr).toContain("--format needs a value");
    expect((await cli(demo, ["--zzzzzzzz"])).stderr).toContain("unknown option --zzzzzzzz\n");
  });
  it("exits 2 when a glob matches no file", async () => {
    const r = await cli(demo, ["iam/*.jsn"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('No files matching the pattern "iam/*.jsn" were found');
    expect((await cli(demo, ["iam/*.json", "--format", "json"])).code).toBe(1);
  });
  it("FORCE_COLOR colours stylish output when it is not a terminal; --no-color wins", async () => {
    expect((await cli(demo, [], { FORCE_COLOR: "1" })).stdout).toContain("\u001b[31m");
    expect((await cli(demo, ["--no-color"], { FORCE_COLOR: "1" })).stdout).not.toContain("\u001b[");
    expect((await cli(demo, [])).stdout).not.toContain("\u001b[");
  });
  it("--verbose prints the explanation, the fix, a code frame and the rule page", async () => {
    const r = await cli(demo, ["iam/legacy-trust.json", "-v"]);
    expect(r.stdout).toContain("    12 |");
    expect(r.stdout).toMatch(/\n +\| +\^~+\n/);
    expect(r.stdout).toContain("Fix: Pin owner and repository, e.g. `repo:acme/webshop:ref:refs/heads/main`.");
    expect(r.stdout).toContain("rules/broad-sub-wildcard.md");
  });
  it("the demo prints one line per problem within 120 columns", async () => {
    const r = await cli(demo, []);
    const lines = r.stdout.split("\n");
    expect(lines.filter((l) => /^ {2}\d+:\d+ /.test(l))).toHaveLength(11);
    for (const l of lines) expect(l.length, l).toBeLessThanOrEqual(120);
  });
});

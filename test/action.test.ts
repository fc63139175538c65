/**
 * The GitHub Action (`action.yml`, `runs.using: node24`): the bundle built from the current sources by
 * scripts/build-action.mjs, run the way the runner runs a JavaScript action — `node <action>/dist-action/index.js`
 * in the workspace, each input as `INPUT_<NAME>`, `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY` naming files, no
 * `node_modules` anywhere near the action. (That the committed dist-action/ is this build is .ci/run's check.)
 */
import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureDir, ROOT } from "./helpers.js";

interface ActionFile {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { description: string }>;
  runs: { using: string; main: string };
}

const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as ActionFile;
const tmp = mkdtempSync(join(tmpdir(), "oidclint-action-"));
/** The action as the runner checks it out: action.yml, package.json and the bundle, nothing else. */
const actionPath = join(tmp, "action");

beforeAll(() => {
  mkdirSync(actionPath);
  for (const f of ["action.yml", "package.json"]) copyFileSync(join(ROOT, f), join(actionPath, f));
  execFileSync(
    process.execPath,
    [join(ROOT, "scripts/build-action.mjs"), "--outdir", join(actionPath, "dist-action")],
    {
      cwd: ROOT,
    },
  );
}, 120_000);
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

/** GITHUB_OUTPUT's `name<<DELIMITER` blocks (and plain `name=value` lines). */
function readOutputs(file: string): Record<string, string> {
  let text = "";
  try {
    text = readFileSync(file, "utf8");
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  const lines = text.split("\n");
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? "";
    const heredoc = /^([\w-]+)<<(.+)$/.exec(line);
    if (heredoc?.[1] && heredoc[2]) {
      const end = lines.indexOf(heredoc[2], i + 1);
      out[heredoc[1]] = lines.slice(i + 1, end).join("\n");
      i = end;
    } else if (line.includes("=")) out[line.slice(0, line.indexOf("="))] = line.slice(line.indexOf("=") + 1);
  }
  return out;
}

let n = 0;
function runAction(
  cwd: string,
  inputs: Record<string, string>,
): { code: number | null; stdout: string; stderr: string; outputs: Record<string, string>; summary: string } {
  const outFile = join(tmp, `output-${n}`);
  const summaryFile = join(tmp, `summary-${n++}`);
  writeFileSync(outFile, "");
  writeFileSync(summaryFile, "");
  // The runner sets every declared input, with its default when the workflow gives none.
  const env: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs))
    env[`INPUT_${name.toUpperCase()}`] = inputs[name] ?? spec.default ?? "";
  const r = spawnSync(process.execPath, [join(actionPath, action.runs.main)], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH, GITHUB_OUTPUT: outFile, GITHUB_STEP_SUMMARY: summaryFile, ...env },
  });
  return {
    code: r.status,
    stdout: r.stdout,
    stderr: r.stderr,
    outputs: readOutputs(outFile),
    summary: readFileSync(summaryFile, "utf8"),
  };
}

describe("action.yml", () => {
  it("is a JavaScript action on node24 whose entry is the bundle", () => {
    expect(action.runs).toEqual({ using: "node24", main: "dist-action/index.js" });
    expect(Object.keys(action.inputs)).toEqual(["paths", "format", "config", "fail-on", "sarif-file", "args"]);
    expect(action.inputs.format?.default).toBe("github");
    expect(action.inputs["fail-on"]?.default).toBe("error");
    expect(Object.keys(action.outputs)).toEqual(["exit-code", "error-count", "warning-count", "sarif-file"]);
  });
});

describe("the bundled action, run as the runner runs it", () => {
  it("annotates the demo, writes the job summary and the outputs, fails on errors", () => {
    // What the CLI reports on the demo is the reference: the action must say the same.
    const cli = spawnSync(process.execPath, [join(ROOT, "bin/oidclint.js"), "--format", "json", "."], {
      cwd: fixtureDir("demo"),
      encoding: "utf8",
    });
    const messages = (JSON.parse(cli.stdout) as { messages: { severity: number }[] }[]).flatMap((x) => x.messages);
    const errors = messages.filter((m) => m.severity === 2).length;
    const warnings = messages.length - errors;
    expect(errors).toBeGreaterThan(0);
    const r = runAction(fixtureDir("demo"), {});
    expect(r.stderr).toBe("");
    expect(r.code).toBe(1);
    expect(r.outputs).toEqual({ "exit-code": "1", "error-count": String(errors), "warning-count": String(warnings) });
    const annotations = r.stdout.split("\n").filter((l) => l.startsWith("::"));
    expect(annotations).toHaveLength(messages.length);
    expect(annotations).toContain(
      "::error file=fixtures/demo/.github/workflows/deploy.yml,line=11,col=3,endLine=11,endColumn=9,title=missing-id-token-permission::Job `deploy` requests an OIDC token without `id-token: write`",
    );
    expect(r.summary).toContain(`**${messages.length} problems** (${errors} errors, ${warnings} warnings)`);
    expect(r.summary).toContain(
      "| `fixtures/demo/.github/workflows/deploy.yml:11:3` | error | Job `deploy` requests an OIDC token without `id-token: write` | [missing-id-token-permission](https://github.com/oidclint/oidclint/blob/main/rules/missing-id-token-permission.md) |",
    );
    // One table row per finding.
    expect(r.summary.split("\n").filter((l) => /^\| `fixtures\/demo\//.test(l))).toHaveLength(messages.length);
  });

  it("writes SARIF for github/codeql-action/upload-sarif, names it, and still annotates", () => {
    const sarifFile = join(tmp, "out.sarif");
    const r = runAction(fixtureDir("_formats"), { format: "sarif", "sarif-file": sarifFile });
    expect(r.code).toBe(1);
    expect(r.outputs["sarif-file"]).toBe(sarifFile);
    const log = JSON.parse(readFileSync(sarifFile, "utf8")) as {
      version: string;
      runs: { tool: { driver: { version: string } }; results: { ruleId: string }[] }[];
    };
    expect(log.version).toBe("2.1.0");
    // The version is the package's (read beside the bundle), not a placeholder.
    expect(log.runs[0]?.tool.driver.version).toBe(
      (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version,
    );
    const annotated = r.stdout.split("\n").filter((l) => l.startsWith("::"));
    expect(annotated.length).toBe(log.runs[0]?.results.length);
    expect(r.stdout).toMatch(/^::error file=fixtures\/_formats\/policies\/broken-trust\.json,/m);
  });

  it("fail-on: never passes with findings, warning fails on warnings only", () => {
    const never = runAction(fixtureDir("_formats"), { "fail-on": "never" });
    expect(never.code).toBe(0);
    expect(never.outputs["exit-code"]).toBe("1");
    const warningsOnly = fixtureDir("unused-suppression/invalid/unused-next-line");
    const relaxed = runAction(warningsOnly, {});
    expect(relaxed.stdout).toMatch(/^::warning /m);
    expect(relaxed.code).toBe(0);
    expect(runAction(warningsOnly, { "fail-on": "warning" }).code).toBe(1);
  });

  it("lints only the given paths, separated by spaces or new lines", () => {
    const r = runAction(fixtureDir("_formats"), { paths: "policies/open-trust.json\n  policies/deploy-trust.json" });
    expect(r.stdout).toContain("open-trust.json");
    expect(r.stdout).not.toContain("broken-trust.json");
    expect(r.stdout).not.toContain(".github/workflows");
  });

  it("passes `args` to the command line", () => {
    const all = runAction(fixtureDir("demo"), {});
    const r = runAction(fixtureDir("demo"), { args: "--rule trust-mismatch:off --quiet" });
    expect(all.stdout).toContain("title=trust-mismatch");
    expect(r.stdout).not.toContain("title=trust-mismatch");
    expect(r.stdout).not.toMatch(/^::warning/m);
    expect(r.outputs["warning-count"]).toBe("0");
    expect(Number(r.outputs["error-count"])).toBe(Number(all.outputs["error-count"]) - 2);
  });

  it("fails on usage and config errors whatever fail-on says", () => {
    const missing = runAction(fixtureDir("_formats"), { config: "missing.json", "fail-on": "never" });
    expect(missing.code).toBe(2);
    expect(missing.outputs["exit-code"]).toBe("2");
    const bad = runAction(fixtureDir("_formats"), { "fail-on": "sometimes" });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain("fail-on must be error, warning or never");
    const unknown = runAction(fixtureDir("_formats"), { args: "--fromat json" });
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option --fromat — did you mean --format?");
  });

  it("reads TypeScript programs and hands a broken Terraform file to hcl2json (the vendored files)", () => {
    const repo = join(tmp, "repo");
    mkdirSync(join(repo, ".git"), { recursive: true });
    copyFileSync(fixtureDir("provider-config/invalid/cdk-trailing-slash.ts"), join(repo, "stack.ts"));
    writeFileSync(
      join(repo, "main.tf"),
      `resource "aws_iam_role" "x" {\n  assume_role_policy = jsonencode({ Statement = [] })\n`,
    );
    const r = runAction(repo, { format: "json" });
    const results = JSON.parse(r.stdout.split("\n").find((l) => l.startsWith("[")) ?? "") as {
      filePath: string;
      messages: { ruleId: string; line: number; column: number; message: string }[];
    }[];
    const by = (name: string) => results.find((x) => x.filePath.endsWith(name))?.messages ?? [];
    expect(by("stack.ts").map((m) => [m.ruleId, m.line, m.column])).toEqual([["provider-config", 8, 12]]);
    expect(by("main.tf").map((m) => [m.ruleId, m.line, m.column])).toEqual([["parse-error", 1, 29]]);
    expect(by("main.tf")[0]?.message).toContain("Unclosed configuration block");
  });

  it("escapes linted values in the job summary (no Markdown, HTML or table break from a file)", () => {
    const repo = join(tmp, "hostile");
    mkdirSync(join(repo, ".git"), { recursive: true });
    const sub = "repo:*|<img src=x onerror=alert(1)>`[x](http://evil)";
    writeFileSync(
      join(repo, "trust.json"),
      JSON.stringify({
        Version: "2012-10-17",
        Statement: [
          {
            Effect: "Allow",
            Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
            Action: "sts:AssumeRoleWithWebIdentity",
            Condition: {
              StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
              StringLike: { "token.actions.githubusercontent.com:sub": sub },
            },
          },
        ],
      }),
    );
    const r = runAction(repo, {});
    expect(r.code).toBe(1);
    const rows = r.summary.split("\n").filter((l) => l.startsWith("| `trust.json"));
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      // Four cells: every `|` from the value is escaped.
      expect(row.split(/(?<!\\)\|/).length).toBe(6);
      // Outside code spans (which GitHub renders literally), no unescaped `<`, `[` or `(` from the value.
      const outsideCode = row
        .replace(/(`+)[^`]*?(?:`(?!`)[^`]*?)*?\1(?!`)/g, "")
        .replace(/\[[\w-]+\]\(https:[^)]+\)/g, "");
      expect(outsideCode).not.toMatch(/(?<!\\)[<[(]/);
    }
    expect(rows.join("\n")).toContain("\\[x\\]\\(http://evil\\)");
  });
});

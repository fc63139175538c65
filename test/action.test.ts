/**
 * The GitHub Action (`action.yml`): its inputs and outputs, and its lint step's script run with bash as the
 * runner would (`bash --noprofile --norc -eo pipefail`, inputs as environment variables, `GITHUB_OUTPUT` a file, `github.action_path` this
 * repository). The setup-node and `npm ci` steps are the runner's business and are not run here.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse } from "yaml";
import { afterAll, describe, expect, it } from "vitest";
import { fixtureDir, ROOT } from "./helpers.js";

interface ActionStep {
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
}
interface ActionFile {
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, { value: string }>;
  runs: { using: string; steps: ActionStep[] };
}

const action = parse(readFileSync(join(ROOT, "action.yml"), "utf8")) as ActionFile;
const lintStep = action.runs.steps.find((s) => s.id === "lint");
const tmp = mkdtempSync(join(tmpdir(), "oidclint-action-"));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
function runStep(
  cwd: string,
  inputs: Record<string, string>,
): { code: number | null; stdout: string; outputs: Record<string, string> } {
  const outFile = join(tmp, `output-${n++}`);
  const values: Record<string, string> = {};
  for (const [name, spec] of Object.entries(action.inputs)) values[name] = inputs[name] ?? spec.default ?? "";
  // Evaluate the step's `env:` expressions the way the runner would.
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(lintStep?.env ?? {})) {
    env[k] = v
      .replace(/\$\{\{\s*inputs\.([\w-]+)\s*\}\}/g, (_m, name: string) => values[name] ?? "")
      .replace(/\$\{\{\s*github\.action_path\s*\}\}/g, ROOT);
  }
  const r = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", "-c", lintStep?.run ?? "exit 99"], {
    cwd,
    encoding: "utf8",
    env: { PATH: process.env.PATH, HOME: process.env.HOME, GITHUB_OUTPUT: outFile, ...env },
  });
  let outputs: Record<string, string> = {};
  try {
    outputs = Object.fromEntries(
      readFileSync(outFile, "utf8")
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
  } catch {
    // no outputs written
  }
  return { code: r.status, stdout: r.stdout + r.stderr, outputs };
}

describe("action.yml", () => {
  it("is a composite action with the documented inputs and outputs", () => {
    expect(action.runs.using).toBe("composite");
    expect(Object.keys(action.inputs)).toEqual(expect.arrayContaining(["paths", "format", "config", "fail-on"]));
    expect(action.inputs.format?.default).toBe("github");
    expect(action.inputs["fail-on"]?.default).toBe("error");
    expect(Object.keys(action.outputs)).toEqual(expect.arrayContaining(["sarif-file", "exit-code"]));
    expect(lintStep?.run).toBeDefined();
    // No input is spliced into the script itself (script injection).
    expect(lintStep?.run).not.toMatch(/\$\{\{/);
  });

  it("annotates findings with format github and fails on errors", () => {
    const r = runStep(fixtureDir("_formats"), {});
    expect(r.code).toBe(1);
    expect(r.outputs["exit-code"]).toBe("1");
    expect(r.stdout).toMatch(/^::error file=fixtures\/_formats\/policies\/broken-trust\.json,/m);
  });

  it("writes a SARIF file for upload-sarif and names it in its output", () => {
    const sarifFile = join(tmp, "out.sarif");
    const r = runStep(fixtureDir("_formats"), { format: "sarif", "sarif-file": sarifFile });
    expect(r.code).toBe(1);
    expect(r.outputs["sarif-file"]).toBe(sarifFile);
    const log = JSON.parse(readFileSync(sarifFile, "utf8")) as { version: string; runs: unknown[] };
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
  });

  it("fail-on: never passes with findings, warning fails on warnings only", () => {
    expect(runStep(fixtureDir("_formats"), { "fail-on": "never" }).code).toBe(0);
    const warningsOnly = fixtureDir("unused-suppression/invalid/unused-next-line");
    const relaxed = runStep(warningsOnly, {});
    expect(relaxed.stdout).toMatch(/^::warning /m);
    expect(relaxed.code).toBe(0);
    expect(runStep(warningsOnly, { "fail-on": "warning" }).code).toBe(1);
  });

  it("lints only the given paths, separated by spaces or new lines", () => {
    const r = runStep(fixtureDir("_formats"), { paths: "policies/open-trust.json\n  policies/deploy-trust.json" });
    expect(r.stdout).not.toContain("broken-trust.json");
    expect(r.stdout).not.toContain(".github/workflows");
  });

  it("fails on usage and config errors whatever fail-on says", () => {
    expect(runStep(fixtureDir("_formats"), { config: "missing.json", "fail-on": "never" }).code).toBe(2);
    const bad = runStep(fixtureDir("_formats"), { "fail-on": "sometimes" });
    expect(bad.code).toBe(2);
    expect(bad.stdout).toContain("fail-on must be");
  });
});

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { describe, expect, it } from "vitest";
import { rules as builtinRules } from "../rules/index.js";
import { lint, runRules } from "../src/engine/lint.js";
import { loadProject } from "../src/engine/load-project.js";
import { defineRule, type AnyRule } from "../src/engine/rule.js";
import { withEngineRules } from "../src/engine/rules/index.js";
import { findingLines } from "./helpers.js";

function repo(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "oidclint-stream-"));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(d, name)), { recursive: true });
    writeFileSync(join(d, name), text);
  }
  return d;
}

const ASSUME = `    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: us-east-1
`;

/**
 * a: needs a token, has none (handed over at once, dropped); b: a reusable workflow (kept); c: calls b (kept,
 * handed over last); d: calls e, which does not declare `workflow_call` (d kept and handed over last; e
 * dropped at first, parsed again for d); e: grants the token itself.
 */
const WORKFLOWS = {
  ".github/workflows/a.yml": `on: push\njobs:\n  deploy:\n${ASSUME}`,
  ".github/workflows/b.yml": `on: workflow_call\njobs:\n  deploy:\n${ASSUME}`,
  ".github/workflows/c.yml": `on: push\npermissions:\n  contents: read\njobs:\n  call:\n    uses: ./.github/workflows/b.yml\n`,
  ".github/workflows/d.yml": `on: push\npermissions:\n  contents: read\njobs:\n  call:\n    uses: ./.github/workflows/e.yml\n`,
  ".github/workflows/e.yml": `on: push\npermissions:\n  id-token: write\njobs:\n  deploy:\n${ASSUME}`,
};

describe("workflow files handed to the rules as they are parsed", () => {
  it("a run without workflow files reads the project the rules were handed: built and indexed once", async () => {
    const cwd = repo({
      "main.tf": `resource "aws_iam_role" "ci" {\n  name = "ci"\n  assume_role_policy = "{}"\n}\n`,
      "policy.json": `{"Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}]}`,
    });
    let handed: Awaited<ReturnType<typeof loadProject>> | undefined;
    const loaded = await loadProject({
      cwd,
      env: {},
      workflowFiles: (others) => {
        handed = others;
        return Promise.resolve(() => Promise.resolve());
      },
    });
    expect(loaded.project.files.map((f) => f.file)).toEqual(["policy.json", "main.tf"]);
    expect(loaded.project).toBe(handed?.project);
    expect(loaded.index).toBe(handed?.index);
  });

  it("hands each file over once, in project order or last when it calls a local workflow; keeps only what may be called", async () => {
    const cwd = repo(WORKFLOWS);
    const handed: string[] = [];
    const loaded = await loadProject({
      cwd,
      env: {},
      workflowFiles: (others) => {
        expect(others.project.workflows).toEqual([]);
        return Promise.resolve(async (file, order, against) => {
          handed.push(`${order} ${file.file} ${against.project.workflows.length}`);
          await Promise.resolve();
        });
      },
    });
    // Handed over at once against the project of every other file (no workflows); c and d last, against every
    // workflow kept: b (may be called), c and d (they call), e (d calls it: parsed again).
    expect(handed).toEqual([
      "0 .github/workflows/a.yml 0",
      "1 .github/workflows/b.yml 0",
      "4 .github/workflows/e.yml 0",
      "2 .github/workflows/c.yml 4",
      "3 .github/workflows/d.yml 4",
    ]);
    expect(loaded.project.workflows.map((w) => w.file)).toEqual([
      ".github/workflows/b.yml",
      ".github/workflows/c.yml",
      ".github/workflows/d.yml",
      ".github/workflows/e.yml",
    ]);
    // The files stay, with their problems; a's model is gone.
    expect(loaded.project.files.map((f) => f.file)).toHaveLength(5);
  });

  it("finds what a run with every model kept finds, a dropped callee included", async () => {
    const cwd = repo(WORKFLOWS);
    const streamed = await lint({ cwd, env: {} });
    const whole = await runRules(
      await loadProject({ cwd, env: {}, workflowPrefilter: true, releaseTexts: true }),
      withEngineRules(builtinRules),
    );
    expect(streamed).toEqual(whole);
    expect(findingLines(streamed, cwd, { withFile: true, full: true })).toEqual([
      ".github/workflows/a.yml:3:3-3:9 error missing-id-token-permission/defaultPermissions: Job `deploy` requests an OIDC token, but default permissions grant no `id-token`",
      ".github/workflows/c.yml:5:3-5:7 error missing-id-token-permission/callerMissingPermission: Job `call` calls `.github/workflows/b.yml`, which needs an OIDC token, without `id-token: write`",
      // Found only through e's model, dropped after e was handed over and parsed again for d.
      ".github/workflows/d.yml:5:3-5:7 error missing-id-token-permission/callerMissingPermission: Job `call` calls `.github/workflows/e.yml`, which needs an OIDC token, without `id-token: write`",
    ]);
  });

  it("calls check once, then checkWorkflowFile per file with that file's workflows, one memo per run", async () => {
    const cwd = repo(WORKFLOWS);
    const calls: string[] = [];
    const perFile = defineRule({
      meta: { id: "per-file", severity: "warn", description: "per file", inputs: ["workflow"], messages: { m: "m" } },
      check(ctx) {
        calls.push(`check ${ctx.project.workflows.length}`);
        ctx.memo.files = 0;
      },
      checkWorkflowFile(ctx) {
        ctx.memo.files = Number(ctx.memo.files) + 1;
        const [wf, ...more] = ctx.project.workflows;
        calls.push(`file ${wf?.file ?? ""} ${String(more.length)} ${String(ctx.memo.files)}`);
        if (wf) ctx.report({ messageId: "m", at: wf.loc });
      },
    });
    // With an action in the project, `check` of a workflow rule runs before any file is handed over.
    writeFileSync(join(cwd, "action.yml"), "runs:\n  using: composite\n  steps:\n    - run: echo\n      shell: bash\n");
    const report = await lint({ cwd, env: {}, rules: [perFile as unknown as AnyRule] });
    expect(calls[0]).toBe("check 0");
    expect(calls.slice(1).sort()).toEqual([
      "file .github/workflows/a.yml 0 1",
      "file .github/workflows/b.yml 0 2",
      "file .github/workflows/c.yml 0 4",
      "file .github/workflows/d.yml 0 5",
      "file .github/workflows/e.yml 0 3",
    ]);
    expect(findingLines(report, cwd, { withFile: true })).toHaveLength(5);
  });

  it("keeps every workflow when a rule reads workflows in check (a custom rule without checkWorkflowFile)", async () => {
    const cwd = repo(WORKFLOWS);
    const seen: number[] = [];
    const whole = defineRule({
      meta: { id: "whole", severity: "warn", description: "whole project", inputs: ["workflow"], messages: { m: "m" } },
      check(ctx) {
        seen.push(ctx.project.workflows.length);
      },
    });
    const report = await lint({ cwd, env: {}, rules: [...builtinRules, whole as unknown as AnyRule] });
    expect(seen).toEqual([5]);
    expect(findingLines(report, cwd, { withFile: true, ruleId: "missing-id-token-permission" })).toHaveLength(3);
  });
});

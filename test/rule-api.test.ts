import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { lint } from "../src/engine/lint.js";
import { defineRule, type AnyRule } from "../src/engine/rule.js";
import { FIXTURES, findingLines, run } from "./helpers.js";

function dir(files: Record<string, string>): string {
  const d = mkdtempSync(join(tmpdir(), "oidclint-api-"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(d, name), text);
  return d;
}

const POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
});

describe("meta.defersTo", () => {
  const cwd = join(FIXTURES, "unknown-condition-key", "invalid");
  it("a misspelt `…:subject` key is unknown-condition-key's finding while that rule is on", async () => {
    const report = await run({ cwd, paths: ["misspelt-claim.json"] });
    expect(findingLines(report, cwd, { withFile: false, ruleId: "missing-sub-condition" })).toEqual([]);
    expect(findingLines(report, cwd, { withFile: false, ruleId: "unknown-condition-key" })).toContain(
      "11:11 error unknown-condition-key/misspeltClaim",
    );
  });
  it("with unknown-condition-key off, missing-sub-condition reports the statement", async () => {
    const report = await run({ cwd, paths: ["misspelt-claim.json"], rules: { "unknown-condition-key": "off" } });
    expect(findingLines(report, cwd, { withFile: false })).toEqual(["8:7 error missing-sub-condition/missing"]);
    expect(report.results[0]?.messages[0]?.message).toContain("No `sub` condition");
  });
  it("asking about a rule not declared in defersTo is a bug in the rule", async () => {
    const sneaky = defineRule({
      meta: {
        id: "sneaky",
        severity: "error",
        description: "asks about another rule",
        inputs: [],
        messages: { m: "m" },
      },
      check(ctx) {
        ctx.isOn("missing-sub-condition", "x");
      },
    });
    // Reported as that rule's error (the other rules still run), never silently answered.
    const report = await lint({ cwd: dir({ "p.json": POLICY }), rules: [sneaky as unknown as AnyRule], env: {} });
    expect(report.ruleErrors?.map((e) => e.ruleId)).toEqual(["sneaky"]);
    expect(report.ruleErrors?.[0]?.message).toMatch(/meta\.defersTo/);
  });
});

describe("meta.fixable", () => {
  const fixer = (fixable: boolean | undefined) =>
    defineRule({
      meta: {
        id: `fixes-${String(fixable)}`,
        severity: "error",
        description: "reports every policy with a fix",
        inputs: ["policy"],
        ...(fixable === undefined ? {} : { fixable }),
        messages: { m: "m" },
      },
      check(ctx) {
        for (const p of ctx.project.policies) {
          const edit = ctx.fixer.edit(p.loc.file, 0, 0, "");
          ctx.report({ messageId: "m", at: p.loc, fix: edit && { edits: [edit] } });
        }
      },
    });
  it("a rule declaring `fixable: false` that reports a fix is a rule error (--fix would not run it before fixing)", async () => {
    const rules = [fixer(false), fixer(undefined)] as unknown as AnyRule[];
    const report = await lint({ cwd: dir({ "p.json": POLICY }), rules, env: {} });
    expect(report.ruleErrors).toEqual([
      { ruleId: "fixes-false", message: "rule fixes-false reports a fix but declares meta.fixable: false" },
    ]);
    // The rule that does not say (a custom rule) may fix: it runs and its fix is kept.
    expect(report.results[0]?.messages.map((m) => [m.ruleId, m.autofix?.edits.length])).toEqual([
      ["fixes-undefined", 1],
    ]);
  });
});

describe("LintOptions.rules", () => {
  const seen: string[] = [];
  const everyPolicy = defineRule({
    meta: {
      id: "every-policy",
      severity: "warn",
      description: "reports every policy",
      inputs: ["policy"],
      messages: { here: "policy here" },
    },
    check(ctx) {
      seen.push("every-policy");
      for (const doc of ctx.project.policies) ctx.report({ messageId: "here", at: doc.loc });
    },
  });
  const workflowsOnly = defineRule({
    meta: {
      id: "workflows-only",
      severity: "error",
      description: "reads workflows",
      inputs: ["workflow"],
      messages: { m: "m" },
    },
    check() {
      seen.push("workflows-only");
    },
  });

  it("runs the rules given, with the engine's parse-error, and skips rules that cannot fire", async () => {
    const cwd = dir({ "p.json": POLICY, "broken.json": '{"Statement": [' });
    const report = await lint({ cwd, rules: [everyPolicy, workflowsOnly] as unknown as AnyRule[], env: {} });
    expect(findingLines(report, cwd, { withFile: true })).toEqual([
      "broken.json:1:15 error parse-error/unparsable",
      "p.json:1:1 warn every-policy/here",
    ]);
    // No workflow in the project: the workflow rule was never called.
    expect(seen).toEqual(["every-policy"]);
  });

  it("validates the config against the rules given", async () => {
    const cwd = dir({
      "p.json": POLICY,
      ".oidclintrc.json": JSON.stringify({ rules: { "every-policy": "error", "unused-suppression": "off" } }),
    });
    const report = await lint({ cwd, rules: [everyPolicy] as unknown as AnyRule[], env: {} });
    expect(findingLines(report, cwd, { withFile: true })).toEqual(["p.json:1:1 error every-policy/here"]);
    const bad = dir({
      "p.json": POLICY,
      ".oidclintrc.json": JSON.stringify({ rules: { "missing-sub-condition": "error" } }),
    });
    await expect(lint({ cwd: bad, rules: [everyPolicy] as unknown as AnyRule[], env: {} })).rejects.toThrow(
      /Invalid config/,
    );
  });
});

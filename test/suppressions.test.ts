/**
 * Inline suppressions (SPEC §6): the comment grammar in YAML and HCL, block and next-line forms, several
 * ids, `-- reason` (required with `requireSuppressionReason`), and `unused-suppression`. The end-to-end
 * part runs the real engine with one extra test rule (`test-flag`, reporting every `FLAG` in a file), so
 * it does not depend on which product rules have landed. The rule fixtures of `unused-suppression` cover
 * the same ground with real rules.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { LintMessage } from "../src/engine/result.js";
import { defineRule } from "../src/engine/rule.js";
import {
  applySuppressions,
  collectSuppressions,
  parseDirectiveArgs,
  type SuppressionOptions,
} from "../src/engine/suppressions.js";
import { findingLines, run } from "./helpers.js";

vi.mock("../rules/index.js", async (importOriginal) => {
  const original = await importOriginal<typeof import("../rules/index.js")>();
  const { readFileSync: read } = await import("node:fs");
  const { join: joinPath } = await import("node:path");
  const flag = defineRule({
    meta: {
      id: "test-flag",
      severity: "error",
      description: "Test rule: every FLAG",
      inputs: [],
      messages: { flag: "FLAG here" },
    },
    check(ctx) {
      for (const f of ctx.project.files) {
        read(joinPath(ctx.project.root, f.file), "utf8")
          .split("\n")
          .forEach((text, i) => {
            const col = text.indexOf("FLAG");
            if (col >= 0)
              ctx.report({
                messageId: "flag",
                at: { file: f.file, line: i + 1, column: col + 1, endLine: i + 1, endColumn: col + 5 },
              });
          });
      }
    },
  });
  const rules = [...original.rules, flag] as typeof original.rules;
  return { ...original, rules, rulesById: new Map(rules.map((r) => [r.meta.id, r])) };
});

const messages = {
  unused: "unused {{ruleId}}",
  unknownRule: "unknown {{ruleId}}",
  missingReason: "no reason {{ruleId}}",
};
const opts = (over: Partial<SuppressionOptions> = {}): SuppressionOptions => ({
  unusedSeverity: 1,
  requireReason: false,
  messages,
  knownRuleIds: new Set(["a", "b", "c", "test-flag"]),
  ...over,
});
const msg = (ruleId: string, line: number): LintMessage => ({
  ruleId,
  messageId: "x",
  severity: 2,
  message: ruleId,
  line,
  column: 1,
  endLine: line,
  endColumn: 2,
});
const brief = (ms: LintMessage[]): string[] =>
  ms.map((m) => `${m.line}:${m.column} ${m.ruleId}${m.ruleId === "unused-suppression" ? ` ${m.message}` : ""}`);

describe("directive grammar", () => {
  it("splits ids on commas and spaces, and the reason on a free-standing --", () => {
    expect(parseDirectiveArgs(" a, b c -- sandbox -- really")).toEqual({
      ids: ["a", "b", "c"],
      reason: "sandbox -- really",
    });
    expect(parseDirectiveArgs(" a,b")).toEqual({ ids: ["a", "b"] });
    expect(parseDirectiveArgs(" -- all of them")).toEqual({ ids: [], reason: "all of them" });
    expect(parseDirectiveArgs(" a --")).toEqual({ ids: ["a"] });
    expect(parseDirectiveArgs(" a */")).toEqual({ ids: ["a"] });
  });

  it("reads YAML # comments, whole-line and trailing, with the comment's position", () => {
    const text = [
      "a: 1",
      "  # oidclint-disable-next-line a, b -- why",
      "b: 2 # oidclint-disable-next-line c",
      "c: 3",
    ].join("\n");
    const s = collectSuppressions("x.yml", text);
    expect(s.map((x) => [x.kind, x.ruleId, x.line, x.column, x.from, x.to, x.reason])).toEqual([
      ["next-line", "a", 2, 3, 3, 3, "why"],
      ["next-line", "b", 2, 3, 3, 3, "why"],
      ["next-line", "c", 3, 6, 4, 4, undefined],
    ]);
    expect(s[0]?.endColumn).toBe((text.split("\n")[1]?.length ?? 0) + 1);
  });

  it("ignores directives that are not comments or not directives", () => {
    const text = [
      'a: "x#oidclint-disable-next-line a"', // no whitespace before #: not a YAML comment
      "b: http://x//oidclint-disable a", // // is no comment in YAML
      "# oidclint-disable-line a", // not a directive
      "# oidclint-disabled a",
    ].join("\n");
    expect(collectSuppressions("x.yaml", text)).toEqual([]);
    expect(collectSuppressions("x.json", "# oidclint-disable a")).toEqual([]);
  });

  it("reads HCL #, // and /* */ comments", () => {
    const text = [
      "# oidclint-disable-next-line a",
      "x = 1 // oidclint-disable-next-line b -- ok",
      "/* oidclint-disable-next-line c */",
      "y = 2",
    ].join("\n");
    expect(collectSuppressions("main.tf", text).map((x) => [x.ruleId, x.from, x.column, x.reason])).toEqual([
      ["a", 2, 1, undefined],
      ["b", 3, 7, "ok"],
      ["c", 4, 1, undefined],
    ]);
    expect(collectSuppressions("prod.tfvars", "# oidclint-disable a")).toHaveLength(1);
  });

  it("handles CRLF line ends", () => {
    const s = collectSuppressions("x.yml", "# oidclint-disable-next-line a -- why\r\nb: 1\r\n");
    expect(s.map((x) => [x.ruleId, x.reason, x.from])).toEqual([["a", "why", 2]]);
  });

  it("ends blocks at enable: a named id ends only that id, a bare enable ends all", () => {
    const text = [
      "# oidclint-disable a, b",
      "1",
      "# oidclint-enable a",
      "3",
      "# oidclint-disable",
      "5",
      "# oidclint-enable c",
      "7",
      "# oidclint-enable",
      "9",
    ].join("\n");
    const s = collectSuppressions("x.yml", text);
    expect(s.map((x) => [x.ruleId, x.from, x.to])).toEqual([
      ["a", 1, 3],
      ["b", 1, 9],
      ["*", 5, 9],
    ]);
    const out = applySuppressions(
      [msg("a", 2), msg("a", 4), msg("b", 8), msg("c", 8), msg("c", 6), msg("a", 6), msg("b", 10)],
      s,
      opts(),
    );
    expect(brief(out)).toEqual(["4:1 a", "8:1 c", "10:1 b"]);
  });

  it("a block without enable lasts to the end of the file", () => {
    const s = collectSuppressions("x.yml", "# oidclint-disable a\n1\n2\n");
    expect(s[0]?.to).toBe(4);
    expect(applySuppressions([msg("a", 3)], s, opts())).toEqual([]);
  });
});

describe("applySuppressions", () => {
  it("silences only the named ids on the next line", () => {
    const s = collectSuppressions("x.yml", "# oidclint-disable-next-line a, b -- reason\nx\ny\n");
    const out = applySuppressions([msg("a", 2), msg("b", 2), msg("c", 2), msg("a", 3)], s, opts());
    expect(brief(out)).toEqual(["2:1 c", "3:1 a"]);
  });

  it("reports each id of a comment that silenced nothing, and unknown ids as such", () => {
    const s = collectSuppressions("x.yml", "# oidclint-disable-next-line a, b, nope\nx\n");
    const out = applySuppressions([msg("a", 2)], s, opts());
    expect(brief(out)).toEqual(["1:1 unused-suppression unused b", "1:1 unused-suppression unknown nope"]);
    expect(out.every((m) => m.severity === 1)).toBe(true);
  });

  it("an all-rules suppression is used by any finding, and unused is named as such", () => {
    const s = collectSuppressions("x.yml", "# oidclint-disable-next-line -- generated file\nx\n");
    expect(applySuppressions([msg("c", 2)], s, opts())).toEqual([]);
    expect(brief(applySuppressions([], s, opts()))).toEqual(["1:1 unused-suppression unused all rules"]);
  });

  it("credits the narrowest suppression when several cover a finding", () => {
    const text = "# oidclint-disable a\n1\n# oidclint-disable-next-line a\n3\n";
    const out = applySuppressions([msg("a", 4)], collectSuppressions("x.yml", text), opts());
    expect(brief(out)).toEqual(["1:1 unused-suppression unused a"]);
  });

  it("never suppresses its own findings", () => {
    const s = collectSuppressions("x.yml", "# oidclint-disable\n# oidclint-disable-next-line nope\n");
    const out = applySuppressions([], s, opts());
    expect(brief(out)).toEqual(["1:1 unused-suppression unused all rules", "2:1 unused-suppression unknown nope"]);
  });

  it("requires a reason once per comment when asked; a comment without one suppresses nothing", () => {
    const s = collectSuppressions(
      "x.yml",
      "# oidclint-disable-next-line a, b\nx\n# oidclint-disable-next-line c -- fine\ny\n",
    );
    const out = applySuppressions([msg("a", 2), msg("b", 2), msg("c", 4)], s, opts({ requireReason: true }));
    expect(brief(out)).toEqual(["2:1 a", "2:1 b", "1:1 unused-suppression no reason a, b"]);
  });

  it("reports nothing about suppressions when unused-suppression is off, but still suppresses", () => {
    const s = collectSuppressions("x.yml", "# oidclint-disable-next-line a, b\nx\n");
    expect(applySuppressions([msg("a", 2)], s, opts({ unusedSeverity: 0, requireReason: false }))).toEqual([]);
  });

  it("a suppression without the required reason suppresses nothing", () => {
    const s = collectSuppressions(
      "x.yml",
      "# oidclint-disable-next-line a\nx\n# oidclint-disable-next-line a -- reviewed\ny\n",
    );
    const out = applySuppressions([msg("a", 2), msg("a", 4)], s, opts({ unusedSeverity: 1, requireReason: true }));
    expect(out.map((m) => `${m.line} ${m.ruleId}/${m.messageId}`).sort()).toEqual([
      "1 unused-suppression/missingReason",
      "2 a/x",
    ]);
  });
});

describe("end to end through lint()", () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  });
  function project(files: Record<string, string>): string {
    const dir = mkdtempSync(join(tmpdir(), "oidclint-suppr-"));
    dirs.push(dir);
    for (const [name, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, name)), { recursive: true });
      writeFileSync(join(dir, name), text);
    }
    return dir;
  }
  const workflow = (body: string): string =>
    `name: ci\non: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n${body}`;

  it("suppresses next-line and block findings in workflows and reports the unused ones", async () => {
    const cwd = project({
      ".github/workflows/ci.yml": workflow(
        [
          "      # oidclint-disable-next-line test-flag -- fixture",
          "      - run: echo FLAG",
          "      - run: echo FLAG",
          "      # oidclint-disable test-flag, missing-sub-condition",
          "      - run: echo FLAG",
          "      # oidclint-enable test-flag",
          "      - run: echo FLAG # oidclint-disable-next-line test-flag",
          "      - run: echo fine",
          "",
        ].join("\n"),
      ),
    });
    const report = await run({ cwd });
    expect(findingLines(report, cwd, { withFile: true })).toEqual([
      ".github/workflows/ci.yml:9:19 error test-flag/flag",
      ".github/workflows/ci.yml:10:7 warn unused-suppression/unused",
      ".github/workflows/ci.yml:13:19 error test-flag/flag",
      ".github/workflows/ci.yml:13:24 warn unused-suppression/unused",
    ]);
    const unused = report.results[0]?.messages.filter((m) => m.ruleId === "unused-suppression").map((m) => m.message);
    expect(unused?.[0]).toContain("`missing-sub-condition`");
    expect(unused?.[1]).toContain("`test-flag`");
  });

  it("requires `-- reason` with requireSuppressionReason, and honours overrides for unused-suppression", async () => {
    const cwd = project({
      ".oidclintrc.json": JSON.stringify({
        requireSuppressionReason: true,
        overrides: [{ files: "legacy/**", rules: { "unused-suppression": "off" } }],
      }),
      ".github/workflows/ci.yml": workflow("      # oidclint-disable-next-line test-flag\n      - run: echo FLAG\n"),
      "legacy/template.yml":
        "AWSTemplateFormatVersion: '2010-09-09'\n# oidclint-disable-next-line test-flag\nResources: {}\n",
    });
    const report = await run({ cwd });
    // The comment without a reason is reported, and suppresses nothing: the finding it meant to hide stays.
    expect(findingLines(report, cwd, { withFile: true })).toEqual([
      ".github/workflows/ci.yml:7:7 warn unused-suppression/missingReason",
      ".github/workflows/ci.yml:8:19 error test-flag/flag",
    ]);
  });

  it("does not read suppressions in JSON (overrides are the way there)", async () => {
    const cwd = project({
      "trust.json": '{ "Version": "2012-10-17", "Statement": [], "Note": "# oidclint-disable test-flag FLAG" }\n',
    });
    const report = await run({ cwd });
    expect(findingLines(report, cwd, { withFile: true })).toEqual(["trust.json:1:83 error test-flag/flag"]);
    const cwd2 = project({
      ".oidclintrc.json": JSON.stringify({ overrides: [{ files: ["*.json"], rules: { "test-flag": "off" } }] }),
      "trust.json": readFileSync(join(cwd, "trust.json"), "utf8"),
    });
    // The config schema is built from the (mocked) registry, so the test rule may be configured.
    expect(findingLines(await run({ cwd: cwd2 }), cwd2, { withFile: true })).toEqual([]);
  });
});

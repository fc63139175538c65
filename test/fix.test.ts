import { captureIO as io } from "./helpers.js";
/**
 * `--fix` / `--fix-dry-run`. Every case of `fixtures/_fix/<case>/` holds `before/` (a repository), `after/`
 * (the same repository as `--fix` must leave it, byte for byte) and `remaining.out` (the findings left,
 * `file:line:col severity rule/messageId`). For each case: the fixed findings are gone and nothing new
 * appears, a second `--fix` changes nothing, and `--fix-dry-run` changes nothing on disk.
 */
import {
  cpSync,
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { resolveConfig } from "../src/config/load.js";
import type { LintReport } from "../src/engine/result.js";
import { applyEdits, lintAndFix, selectFixes } from "../src/fix/apply.js";
import { unifiedDiff } from "../src/fix/diff.js";
import { rules } from "../rules/index.js";
import { FIXTURES, findingLines, readExpected } from "./helpers.js";

const CASES = join(FIXTURES, "_fix");
const scratch = mkdtempSync(join(tmpdir(), "oidclint-fix-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string): void => {
    for (const n of readdirSync(d)) {
      const p = join(d, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

function copyCase(name: string, tag: string): string {
  const dir = join(scratch, `${name}-${tag}`);
  cpSync(join(CASES, name, "before"), dir, { recursive: true });
  return dir;
}

async function fix(cwd: string, dryRun: boolean) {
  const config = await resolveConfig({ cwd, rules, env: {} });
  return lintAndFix({ cwd, config, paths: ["."] }, dryRun);
}

/** Findings per `file rule/messageId`, and how many of them carry a fix. */
function tally(report: LintReport, cwd: string): { all: Map<string, number>; fixable: Map<string, number> } {
  const all = new Map<string, number>();
  const fixable = new Map<string, number>();
  for (const r of report.results) {
    for (const m of r.messages) {
      const key = `${relative(cwd, r.filePath)} ${m.ruleId}/${m.messageId}`;
      all.set(key, (all.get(key) ?? 0) + 1);
      if (m.autofix) fixable.set(key, (fixable.get(key) ?? 0) + 1);
    }
  }
  return { all, fixable };
}

describe("--fix on fixtures/_fix", () => {
  for (const name of readdirSync(CASES).sort()) {
    it(`${name}: fixes, leaves the rest, nothing new, idempotent`, async () => {
      const cwd = copyCase(name, "fix");
      const outcome = await fix(cwd, false);
      const expectedDir = join(CASES, name, "after");
      expect(filesOf(cwd)).toEqual(filesOf(expectedDir));
      for (const f of filesOf(expectedDir))
        expect(readFileSync(join(cwd, f), "utf8"), f).toBe(readFileSync(join(expectedDir, f), "utf8"));
      expect(findingLines(outcome.report, cwd, { withFile: true })).toEqual(
        readExpected(join(CASES, name, "remaining.out")),
      );
      // The fixed findings are gone and nothing new appeared.
      const original = await lintOnly(join(CASES, name, "before"));
      const after = tally(outcome.report, cwd).all;
      for (const [key, n] of after) {
        expect(original.all.has(key), `new finding after --fix: ${key}`).toBe(true);
        expect(n, key).toBeLessThanOrEqual((original.all.get(key) ?? 0) - (original.fixable.get(key) ?? 0));
      }
      expect([...original.fixable.values()].reduce((a, b) => a + b, 0)).toBeGreaterThan(0);
      // Idempotent: a second run changes nothing.
      const again = await fix(cwd, false);
      expect(again.changed).toEqual([]);
      expect(again.applied).toBe(0);
    });

    it(`${name}: what --fix-dry-run reports is what a fresh lint of the fixed files reports`, async () => {
      const cwd = copyCase(name, "same");
      const outcome = await fix(cwd, true);
      expect(outcome.changed.length).toBeGreaterThan(0);
      for (const c of outcome.changed) writeFileSync(c.file, c.after);
      const config = await resolveConfig({ cwd, rules, env: {} });
      const { lint } = await import("../src/engine/lint.js");
      const fresh = await lint({ cwd, config, paths: ["."] });
      // Every field of every message: explanation, advice, related places, edits, suggestions, fingerprint.
      expect(JSON.stringify(outcome.report, null, 1)).toBe(JSON.stringify(fresh, null, 1));
    });

    it(`${name}: --fix-dry-run computes the same texts and writes nothing`, async () => {
      const cwd = copyCase(name, "dry");
      const outcome = await fix(cwd, true);
      const beforeDir = join(CASES, name, "before");
      for (const f of filesOf(beforeDir))
        expect(readFileSync(join(cwd, f), "utf8")).toBe(readFileSync(join(beforeDir, f), "utf8"));
      for (const c of outcome.changed)
        expect(c.after).toBe(readFileSync(join(CASES, name, "after", relative(cwd, c.file)), "utf8"));
    });
  }
});

async function lintOnly(dir: string) {
  const cwd = join(scratch, `lint-${Math.random().toString(36).slice(2)}`);
  cpSync(dir, cwd, { recursive: true });
  const config = await resolveConfig({ cwd, rules, env: {} });
  const { lint } = await import("../src/engine/lint.js");
  return tally(await lint({ cwd, config, paths: ["."] }), cwd);
}

describe("the command line", () => {
  it("--fix-dry-run prints a unified diff on stdout and changes nothing", async () => {
    const cwd = copyCase("json-policy", "cli-dry");
    const before = readFileSync(join(cwd, "trust.json"), "utf8");
    const cli = io(cwd);
    const code = await main(["--fix-dry-run"], cli);
    expect(readFileSync(join(cwd, "trust.json"), "utf8")).toBe(before);
    expect(cli.out).toContain("--- a/trust.json\n+++ b/trust.json\n@@ -9,7 +9,7 @@\n");
    expect(cli.out).toContain(
      '-          "token.actions.githubusercontent.com:sub": ["repo:acme/app:ref:main",   "repo:acme/app:ref:v2"]\n',
    );
    expect(cli.out).toContain(
      '+          "token.actions.githubusercontent.com:sub": ["repo:acme/app:ref:refs/heads/main",   "repo:acme/app:ref:v2"]\n',
    );
    expect(cli.out).toContain('-        "StringEquals": {\n+        "StringLike": {\n');
    expect(cli.err).toBe("oidclint: would fix 2 problems in 1 file\n");
    // Errors remain after the fixes (`ref:v2`, `repo:acme/*`): exit 1.
    expect(code).toBe(1);
  });

  it("--fix writes the files and reports what is left", async () => {
    const cwd = copyCase("cloudformation", "cli-fix");
    const cli = io(cwd);
    expect(await main(["--fix", "--format", "json"], cli)).toBe(0);
    expect(readFileSync(join(cwd, "template.yaml"), "utf8")).toBe(
      readFileSync(join(CASES, "cloudformation", "after", "template.yaml"), "utf8"),
    );
    const results = JSON.parse(cli.out) as { messages: unknown[] }[];
    expect(results.flatMap((r) => r.messages)).toEqual([]);
    expect(cli.err).toBe("oidclint: fixed 3 problems in 1 file\n");
  });

  it("the json format carries fixes and suggestions with absolute files, offsets and lines", async () => {
    const cwd = copyCase("json-policy", "cli-json");
    const cli = io(cwd);
    await main(["--format", "json"], cli);
    const [result] = JSON.parse(cli.out) as {
      messages: { messageId: string; line: number; autofix?: unknown; suggestions?: unknown }[];
    }[];
    const shortRef = result?.messages.find((m) => m.messageId === "shortRef" && m.line === 12 && m.autofix);
    const file = join(cwd, "trust.json");
    const start = readFileSync(file, "utf8").indexOf("repo:acme/app:ref:main");
    expect(shortRef?.autofix).toEqual({
      edits: [
        {
          file,
          range: [start, start + "repo:acme/app:ref:main".length],
          loc: { file, line: 12, column: 56, endLine: 12, endColumn: 78 },
          text: "repo:acme/app:ref:refs/heads/main",
        },
      ],
    });
    // `ref:v2` may be a tag: a suggestion, not a fix.
    const v2 = result?.messages.find((m) => m.messageId === "shortRef" && !m.autofix);
    expect(v2?.suggestions).toMatchObject([
      { desc: "Replace `repo:acme/app:ref:v2` by `repo:acme/app:ref:refs/heads/v2`" },
    ]);
    // An org-wide pattern under StringEquals: moving it to StringLike would open the role to the whole org.
    const orgWide = result?.messages.find((m) => m.messageId === "literalWildcard" && m.line === 36);
    expect(orgWide?.autofix).toBeUndefined();
    expect(orgWide?.suggestions).toMatchObject([{ desc: "Replace `StringEquals` by `StringLike`" }]);
  });

  it("the missing aud condition is only a suggestion where another audience may be right", async () => {
    const desc = 'Add `"StringEquals": { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" }`';
    const missingAud = async (name: string, file: string) => {
      const cwd = copyCase(name, `cli-aud-${file}`);
      const cli = io(cwd);
      await main(["--format", "json"], cli);
      const result = (
        JSON.parse(cli.out) as {
          filePath: string;
          messages: { messageId: string; line: number; autofix?: unknown; suggestions?: unknown }[];
        }[]
      ).find((r) => r.filePath === join(cwd, file));
      return result?.messages.find((m) => m.messageId === "missingAud");
    };
    // A step of the repository requests `signer.example.com`: pinning `sts.amazonaws.com` could lock it out.
    const signer = await missingAud("aud-suggestion", "signer.json");
    expect(signer?.line).toBe(12);
    expect(signer?.autofix).toBeUndefined();
    expect(signer?.suggestions).toMatchObject([
      {
        desc,
        fix: { edits: [{ text: '              "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",\n' }] },
      },
    ]);
    // The aws-cn partition, where the audience may be `sts.amazonaws.com.cn`.
    const china = await missingAud("aud-json", "china.json");
    expect(china?.autofix).toBeUndefined();
    expect(china?.suggestions).toMatchObject([{ desc }]);
  });

  it("a value from a Terraform variable default is a suggestion at the default; a template literal gets nothing", async () => {
    type Message = { messageId: string; line: number; autofix?: unknown; suggestions?: unknown };
    const messagesOf = async (name: string, file: string): Promise<Message[]> => {
      const cwd = copyCase(name, `cli-origin-${file}`);
      const cli = io(cwd);
      await main(["--format", "json", file], cli);
      return (JSON.parse(cli.out) as { messages: Message[] }[])[0]?.messages ?? [];
    };
    // `var.main_sub` whose default is `repo:acme/app:ref:main`: a caller may set another value.
    const tf = (await messagesOf("terraform", "main.tf")).find((m) => m.messageId === "shortRef" && m.line === 50);
    expect(tf?.autofix).toBeUndefined();
    expect(tf?.suggestions).toMatchObject([
      {
        desc: "Replace `repo:acme/app:ref:main` by `repo:acme/app:ref:refs/heads/main` in the default of variable `main_sub` (callers may set another value)",
        fix: {
          edits: [
            { loc: { line: 10, column: 14, endLine: 10, endColumn: 36 }, text: "repo:acme/app:ref:refs/heads/main" },
          ],
        },
      },
    ]);
    // `${branch}` in a TypeScript template literal: the value is not written where the model points.
    const ts = (await messagesOf("programs", "stack.ts")).find((m) => m.messageId === "shortRef" && m.line === 35);
    expect(ts).toBeDefined();
    expect(ts?.autofix).toBeUndefined();
    expect(ts?.suggestions).toBeUndefined();
  });

  it("the report left after --fix is capped before it is completed, as a cap applied afterwards would leave it", async () => {
    const { capReport } = await import("../src/engine/result.js");
    const { moreFindingsFingerprint } = await import("../src/engine/fingerprint.js");
    const cwd = copyCase("many-statements", "capped");
    const config = await resolveConfig({ cwd, rules, env: {} });
    const capped = await lintAndFix({ cwd, config, paths: ["."] }, true, 3);
    const late = await lintAndFix({ cwd, config, paths: ["."] }, true);
    const counts = late.report.results.map((r) => r.messages.length);
    capReport(late.report, 3, (m, file) => {
      m.fingerprint = moreFindingsFingerprint(m.ruleId, relative(cwd, file));
    });
    expect(capped.report.results.map((r) => r.messages.length)).not.toEqual(counts);
    expect(capped.report.results.flatMap((r) => r.messages).some((m) => m.messageId === "moreFindings")).toBe(true);
    expect(capped.report).toEqual(late.report);
    expect(capped.changed).toEqual(late.changed);
  });

  it("refuses --fix with --stdin", async () => {
    const cli = io(scratch);
    expect(await main(["--fix", "--stdin", "--stdin-filename", "a.json"], cli)).toBe(2);
    expect(cli.err).toContain("--fix and --fix-dry-run edit files; they take no --stdin");
  });
});

describe("applying edits", () => {
  it("never edits a file outside the repository, through .. or a symlink", () => {
    const root = join(scratch, "root");
    const outside = join(scratch, "outside");
    mkdirSync(root, { recursive: true });
    mkdirSync(outside, { recursive: true });
    writeFileSync(join(outside, "trust.json"), "x");
    writeFileSync(join(root, "inside.json"), "x");
    symlinkSync(join(outside, "trust.json"), join(root, "link.json"));
    const edit = (file: string) => ({
      edits: [
        {
          file,
          range: [0, 1] as [number, number],
          loc: { file, line: 1, column: 1, endLine: 1, endColumn: 2 },
          text: "y",
        },
      ],
    });
    const report = (files: string[]): LintReport => ({
      results: files.map((f) => ({
        filePath: f,
        errorCount: 1,
        warningCount: 0,
        messages: [
          {
            ruleId: "r",
            messageId: "m",
            severity: 2,
            message: "",
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 2,
            autofix: edit(f),
          },
        ],
      })),
      filesLinted: files.length,
      errorCount: files.length,
      warningCount: 0,
    });
    expect(
      selectFixes(
        report([join(outside, "trust.json"), join(root, "link.json"), join(root, "..", "outside", "trust.json")]),
        root,
      ),
    ).toEqual([]);
    expect(selectFixes(report([join(root, "inside.json")]), root)).toHaveLength(1);
  });

  it("takes, of many fixes, exactly those that overlap no fix taken before them (as a pairwise check would)", () => {
    const root = mkdtempSync(join(scratch, "many-"));
    const files = ["a.json", "b.json"].map((n) => join(root, n));
    for (const f of files) writeFileSync(f, "x");
    let seed = 11;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let round = 0; round < 200; round++) {
      const fixes = Array.from({ length: 1 + rand(40) }, () => ({
        edits: Array.from({ length: 1 + rand(2) }, () => {
          const file = files[rand(2)] ?? "";
          const start = rand(50);
          const end = start + (rand(3) === 0 ? 0 : rand(8));
          return {
            file,
            range: [start, end] as [number, number],
            loc: { file, line: 1, column: 1, endLine: 1, endColumn: 1 },
            text: "t",
          };
        }),
      }));
      const report: LintReport = {
        results: [
          {
            filePath: files[0] ?? "",
            errorCount: fixes.length,
            warningCount: 0,
            messages: fixes.map((autofix) => ({
              ruleId: "r",
              messageId: "m",
              severity: 2 as const,
              message: "",
              line: 1,
              column: 1,
              endLine: 1,
              endColumn: 1,
              autofix,
            })),
          },
        ],
        filesLinted: 1,
        errorCount: fixes.length,
        warningCount: 0,
      };
      // The rule, checked pair by pair: two edits of one file overlap when they start at one point or
      // their ranges intersect; a fix whose edits overlap each other or a taken edit is skipped.
      type E = (typeof fixes)[number]["edits"][number];
      const overlap = (x: E, y: E): boolean =>
        x.file === y.file && (x.range[0] === y.range[0] || (x.range[0] < y.range[1] && y.range[0] < x.range[1]));
      const taken: E[] = [];
      const expected = fixes.filter((f) => {
        if (f.edits.some((e, i) => f.edits.some((o, j) => i < j && overlap(e, o)))) return false;
        if (f.edits.some((e) => taken.some((t) => overlap(e, t)))) return false;
        taken.push(...f.edits);
        return true;
      });
      expect(selectFixes(report, root)).toEqual(expected);
    }
  });

  it("takes the first of overlapping fixes and applies the rest last-first", () => {
    const file = "/r/a.txt";
    const e = (s: number, t: number, text: string) => ({
      file,
      range: [s, t] as [number, number],
      loc: { file, line: 1, column: s + 1, endLine: 1, endColumn: t + 1 },
      text,
    });
    expect(applyEdits("abcdef", [e(0, 1, "A"), e(4, 6, "EF"), e(2, 2, "+")])).toBe("Ab+cdEF");
  });
});

describe("unified diff", () => {
  it("prints hunks with three lines of context, merging close changes", () => {
    const a = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12", "13", "14", "15", "16"].join("\n") + "\n";
    const b = a.replace("2\n", "two\n").replace("5\n", "5\nfive\n").replace("15\n", "");
    expect(unifiedDiff("f.txt", a, b)).toBe(
      [
        "--- a/f.txt",
        "+++ b/f.txt",
        "@@ -1,8 +1,9 @@",
        " 1",
        "-2",
        "+two",
        " 3",
        " 4",
        " 5",
        "+five",
        " 6",
        " 7",
        " 8",
        "@@ -12,5 +13,4 @@",
        " 12",
        " 13",
        " 14",
        "-15",
        " 16",
        "",
      ].join("\n"),
    );
    expect(unifiedDiff("f.txt", a, a)).toBe("");
  });
});

/**
 * The data-driven rule tests. For every rule `fixtures/<id>/` holds:
 *   invalid/<case>.<ext> + invalid/<case>.<ext>.out   golden findings of this rule,
 *                                                     `line:col-endLine:endCol severity id/messageId: message`
 *   invalid/<case>/ + invalid/<case>/expected.out     a multi-file case, lines prefixed with `file:`
 *   valid/<case>.<ext> or valid/<case>/               must yield no finding of this rule
 * An optional `.oidclintrc.json` in `fixtures/<id>/` (or in a case directory) configures the cases.
 * Cross-file scenarios live in `fixtures/_projects/<scenario>/` with `expected.out` (all rules).
 * The message text and end positions are pinned: after a deliberate wording change, run
 * `UPDATE_GOLDENS=1 npx vitest run test/fixtures.test.ts` (it only rewrites files whose findings are the same
 * ones at the same start positions) and review the diff.
 */
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { rules } from "../rules/index.js";
import { findingLines, fixtureDir, readExpected, run, updateGolden } from "./helpers.js";

function cases(dir: string): { name: string; path: string; isDir: boolean }[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir)
    .filter((n) => !n.endsWith(".out") && !n.startsWith("."))
    .map((name) => ({ name, path: join(dir, name), isDir: statSync(join(dir, name)).isDirectory() }));
}

for (const rule of rules) {
  const id = rule.meta.id;
  const base = fixtureDir(id);
  // A rule that is off by default is switched on for its own fixtures; the others run at their default
  // level (not re-set: a level the user writes applies to every finding, lowered tiers included).
  const level = rule.meta.severity === "off" ? { [id]: rule.meta.strict ?? "warn" } : {};
  describe(id, () => {
    const invalid = cases(join(base, "invalid"));
    const valid = cases(join(base, "valid"));
    it("has valid and invalid fixtures", () => {
      expect(invalid.length, `fixtures/${id}/invalid/ is empty`).toBeGreaterThan(0);
      expect(valid.length, `fixtures/${id}/valid/ is empty`).toBeGreaterThan(0);
    });
    for (const c of invalid) {
      it(`invalid: ${c.name}`, async () => {
        const cwd = c.isDir ? c.path : join(base, "invalid");
        const report = await run({ cwd, paths: [c.isDir ? "." : c.name], rules: level });
        const golden = c.isDir ? join(c.path, "expected.out") : `${c.path}.out`;
        const expected = readExpected(golden);
        expect(expected.length, `golden file for ${c.name} lists no finding`).toBeGreaterThan(0);
        const actual = findingLines(report, cwd, { withFile: c.isDir, ruleId: id, full: true });
        if (updateGolden(golden, expected, actual)) return;
        expect(actual).toEqual(expected);
      });
    }
    for (const c of valid) {
      it(`valid: ${c.name}`, async () => {
        const cwd = c.isDir ? c.path : join(base, "valid");
        const report = await run({ cwd, paths: [c.isDir ? "." : c.name], rules: level });
        expect(findingLines(report, cwd, { withFile: true, ruleId: id })).toEqual([]);
      });
    }
  });
}

const projects = cases(fixtureDir("_projects")).filter((c) => c.isDir);
describe.runIf(projects.length > 0)("cross-file projects", () => {
  for (const c of projects) {
    it(c.name, async () => {
      const report = await run({ cwd: c.path });
      const golden = join(c.path, "expected.out");
      const expected = readExpected(golden);
      const actual = findingLines(report, c.path, { withFile: true, full: true });
      if (updateGolden(golden, expected, actual)) return;
      expect(actual).toEqual(expected);
    });
  }
});

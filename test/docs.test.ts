/**
 * Every rule has a doc page beside it with the fixed headings, one heading per option, and examples that
 * are real: each ❌ example yields the rule, each ✅ example yields nothing from it.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { rules } from "../rules/index.js";
import { ROOT, run } from "./helpers.js";

const HEADINGS = ["## Why", "## Examples", "## Options", "## How to fix", "## References"];

interface Example {
  file: string;
  marker: "❌" | "✅";
  group: string;
  body: string;
}

/** Fenced blocks whose info string is `<lang> <file> ❌|✅ [example=NAME]`. */
export function examples(markdown: string): Example[] {
  const out: Example[] = [];
  const fence = /^```(\S+)[ \t]+(\S+)[ \t]+(❌|✅)(?:[ \t]+example=(\S+))?[ \t]*\n([\s\S]*?)^```[ \t]*$/gm;
  let n = 0;
  for (const m of markdown.matchAll(fence)) {
    n++;
    out.push({ file: m[2] ?? "", marker: m[3] as "❌" | "✅", group: m[4] ?? `#${n}`, body: m[5] ?? "" });
  }
  return out;
}

const tmp = mkdtempSync(join(tmpdir(), "oidclint-docs-"));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

for (const rule of rules) {
  const id = rule.meta.id;
  const page = join(ROOT, "rules", `${id}.md`);
  describe(`docs: ${id}`, () => {
    it("has a page with the fixed headings in order", () => {
      expect(existsSync(page), `rules/${id}.md is missing`).toBe(true);
      const text = readFileSync(page, "utf8");
      expect(text.startsWith(`# ${id}\n`), "title must be the rule id").toBe(true);
      const positions = HEADINGS.map((h) => text.search(new RegExp(`^${h}\\s*$`, "m")));
      for (const [i, h] of HEADINGS.entries()) expect(positions[i], `missing heading "${h}"`).toBeGreaterThan(0);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    });
    it("documents every option", () => {
      const text = existsSync(page) ? readFileSync(page, "utf8") : "";
      const props = Object.keys(rule.meta.schema?.properties ?? {});
      for (const p of props)
        expect(text, `option ${p} has no "### ${p}" heading`).toMatch(new RegExp(`^### \`?${p}\`?\\s*$`, "m"));
    });
    const groups = new Map<string, Example[]>();
    if (existsSync(page)) {
      for (const ex of examples(readFileSync(page, "utf8")))
        groups.set(ex.group, [...(groups.get(ex.group) ?? []), ex]);
    }
    for (const [group, files] of groups) {
      const marker = files[0]?.marker ?? "✅";
      it(`example ${group} (${files.map((f) => f.file).join(", ")}) ${marker}`, async () => {
        expect(new Set(files.map((f) => f.marker)).size, "all blocks of one example carry the same marker").toBe(1);
        const dir = join(tmp, id, group.replace(/[^\w-]/g, "_"));
        for (const f of files) {
          mkdirSync(dirname(join(dir, f.file)), { recursive: true });
          writeFileSync(join(dir, f.file), f.body);
        }
        const level = rule.meta.severity === "off" ? "warn" : rule.meta.severity;
        const report = await run({ cwd: dir, rules: { [id]: level } });
        const hits = report.results.flatMap((r) => r.messages).filter((m) => m.ruleId === id);
        if (marker === "❌") expect(hits.length, "a ❌ example must yield this rule").toBeGreaterThan(0);
        else expect(hits.map((h) => `${h.line}:${h.column} ${h.message}`)).toEqual([]);
      });
    }
  });
}

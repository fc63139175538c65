import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { buildConfigSchema } from "../src/config/schema.js";
import { CONFIG_KEYS, defaultSettings, settingsTable } from "../src/config/settings.js";
import { CHINA_AWS_AUDIENCE, DEFAULT_AWS_AUDIENCE, GITHUB_ISSUER_HOST } from "../src/model/well-known.js";
import { rules } from "../rules/index.js";
import { ROOT } from "./helpers.js";

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? tsFiles(join(dir, e.name)) : e.name.endsWith(".ts") ? [join(dir, e.name)] : [],
  );
}

describe("well-known values are written once", () => {
  it("no source file spells out the default audience, the China audience or GitHub's issuer host", () => {
    const literal = new RegExp(
      `["'](${[DEFAULT_AWS_AUDIENCE, CHINA_AWS_AUDIENCE, GITHUB_ISSUER_HOST].map((v) => v.replace(/\./g, "\\.")).join("|")})["']`,
    );
    const offenders = [...tsFiles(join(ROOT, "src")), ...tsFiles(join(ROOT, "rules"))]
      .map((f) => relative(ROOT, f))
      .filter((f) => f !== "src/model/well-known.ts" && literal.test(readFileSync(join(ROOT, f), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("the README settings table is the one derived from the config keys (npm run generate writes it)", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    expect(readme).toContain(`\n${settingsTable()}\n`);
    const table = settingsTable();
    // Derived, not hand-kept: every key of the schema has a row, and the defaults are the loader's.
    const schema = buildConfigSchema(rules) as { properties: Record<string, unknown> };
    const documented = [...table.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
    expect(documented.sort()).toEqual(
      Object.keys(schema.properties)
        .filter((k) => k !== "$schema")
        .sort(),
    );
    const defaults = defaultSettings();
    expect(table).toContain(`| \`audience\` | \`${defaults.audience}\` |`);
    expect(table).toContain(`| \`issuer\` | \`${defaults.issuer}\` |`);
    expect(table).toContain(`| \`subClaimTemplate\` | \`["repo", "context"]\` |`);
    expect(defaults.subClaimTemplate).toEqual(["repo", "context"]);
  });

  it("every config key has one declaration: type, schema, default and doc line", () => {
    for (const [name, decl] of Object.entries(CONFIG_KEYS)) {
      expect(decl.doc, name).toMatch(/\S/);
      expect(decl.schema, name).toBeTypeOf("object");
    }
    // A setting without a default is absent until the config, git or the environment give it.
    expect(Object.keys(defaultSettings()).sort()).toEqual(
      Object.entries(CONFIG_KEYS)
        .filter(([, d]) => "setting" in d && "default" in d)
        .map(([k]) => k)
        .concat("online")
        .sort(),
    );
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { buildConfigSchema } from "../src/config/schema.js";
import { defaultSettings } from "../src/config/settings.js";
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

  it("the README settings table lists every setting of the schema, with the defaults the loader uses", () => {
    const readme = readFileSync(join(ROOT, "README.md"), "utf8");
    const table = readme.slice(readme.indexOf("| key | default | meaning |"));
    const rows = table
      .split("\n")
      .slice(2)
      .filter((l) => l.startsWith("| `"));
    const documented = rows.flatMap((r) => [...(r.split("|")[1] ?? "").matchAll(/`([^`]+)`/g)].map((m) => m[1]));
    const schema = buildConfigSchema(rules) as { properties: Record<string, unknown> };
    expect(documented.sort()).toEqual(
      Object.keys(schema.properties)
        .filter((k) => k !== "$schema")
        .sort(),
    );
    const defaults = defaultSettings();
    const defaultCell = (key: string): string =>
      rows
        .find((r) => r.startsWith(`| \`${key}\``))
        ?.split("|")[2]
        ?.trim() ?? "";
    expect(defaultCell("audience")).toBe(`\`${defaults.audience}\``);
    expect(defaultCell("issuer")).toBe(`\`${defaults.issuer}\``);
    expect(defaultCell("subClaimTemplate")).toBe(`\`${JSON.stringify(defaults.subClaimTemplate).replace(",", ", ")}\``);
    expect(defaultCell("defaultTokenPermissions")).toBe(`\`${defaults.defaultTokenPermissions}\``);
    expect(defaultCell("localActionUsesOidc")).toBe(`\`${String(defaults.localActionUsesOidc)}\``);
    expect(defaultCell("defaultBranch")).toContain(`\`${defaults.defaultBranch}\``);
  });
});

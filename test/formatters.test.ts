/**
 * Output formats. The real linter runs on one shared fixture (`fixtures/_formats/`): every SARIF log is
 * validated against the official SARIF 2.1.0 schema (test/schemas/, draft-04 via ajv-draft-04), and every
 * `github` line must be a well-formed workflow command. A synthetic report pins the exact output shape
 * (escaping, related locations, regions) independently of which rules have landed.
 */
import { readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import AjvDraft04 from "ajv-draft-04";
import { describe, expect, it } from "vitest";
import { main, type CliIO } from "../src/cli.js";
import type { LintReport } from "../src/engine/result.js";
import { docsUrl } from "../src/engine/rule.js";
import { formatters } from "../src/formatters/index.js";
import { escapeData, escapeProperty } from "../src/formatters/github.js";
import { rules } from "../rules/index.js";
import { fixtureDir, ROOT, run } from "./helpers.js";

const FORMATS = fixtureDir("_formats");

const schema = JSON.parse(readFileSync(join(ROOT, "test/schemas/sarif-schema-2.1.0.json"), "utf8")) as object;
const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
ajv.addFormat("uri", (s: string) => URL.canParse(s));
ajv.addFormat("uri-reference", (s: string) => URL.canParse(s, "http://example.invalid/"));
ajv.addFormat(
  "date-time",
  (s: string) => /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/i.test(s) && !Number.isNaN(Date.parse(s)),
);
const validateSarif = ajv.compile(schema);

function expectValidSarif(text: string): SarifLog {
  const log = JSON.parse(text) as SarifLog;
  const ok = validateSarif(log);
  expect(ok ? [] : validateSarif.errors).toEqual([]);
  return log;
}

interface SarifRegion {
  startLine: number;
  startColumn: number;
  endLine?: number;
  endColumn?: number;
}
interface SarifLocation {
  physicalLocation: { artifactLocation: { uri: string; uriBaseId?: string }; region: SarifRegion };
}
interface SarifLog {
  version: string;
  runs: {
    tool: {
      driver: {
        name: string;
        version: string;
        rules: {
          id: string;
          shortDescription: { text: string };
          fullDescription: { text: string };
          helpUri: string;
          defaultConfiguration: { level: string };
          properties: { tags: string[]; "security-severity"?: string };
        }[];
      };
    };
    results: {
      ruleId: string;
      ruleIndex: number;
      level: string;
      message: { text: string };
      locations: SarifLocation[];
      relatedLocations?: (SarifLocation & { id: number; message: { text: string } })[];
    }[];
  }[];
}

const meta = (cwd: string) => ({ cwd, color: false, rules, version: "9.8.7" });

/** A report with the awkward cases: escapes in messages, a related location in another file, an empty region. */
function syntheticReport(cwd: string): LintReport {
  return {
    filesLinted: 2,
    errorCount: 2,
    warningCount: 1,
    results: [
      {
        filePath: resolve(cwd, ".github/workflows/deploy.yml"),
        errorCount: 1,
        warningCount: 0,
        messages: [
          {
            ruleId: "trust-mismatch",
            messageId: "noMatch",
            severity: 2,
            message: "Job `deploy` on push gets sub `repo:acme/app:ref:refs/heads/main`, 100% refused,\nallowed: a, b",
            line: 14,
            column: 27,
            endLine: 14,
            endColumn: 67,
            related: [
              {
                message: "trust policy of role deploy",
                file: "infra/role.tf",
                line: 11,
                column: 53,
                endLine: 11,
                endColumn: 67,
              },
            ],
          },
        ],
      },
      {
        filePath: resolve(cwd, "infra/role.tf"),
        errorCount: 1,
        warningCount: 1,
        messages: [
          {
            ruleId: "parse-error",
            messageId: "unparsable",
            severity: 2,
            message: "bad\r\ninput",
            line: 1,
            column: 1,
            endLine: 1,
            endColumn: 1,
          },
          {
            ruleId: "broad-sub-wildcard",
            messageId: "orgWide",
            severity: 1,
            message: "repo:acme/* admits any repository of acme",
            line: 11,
            column: 53,
            endLine: 11,
            endColumn: 67,
          },
        ],
      },
    ],
  };
}

describe("github format", () => {
  it("escapes data and properties as the runner requires", () => {
    expect(escapeData("50% a\r\nb: c, d")).toBe("50%25 a%0D%0Ab: c, d");
    expect(escapeProperty("50% a\r\nb: c, d")).toBe("50%25 a%0D%0Ab%3A c%2C d");
  });

  it("prints one workflow command per finding, paths relative to the repository root", () => {
    const cwd = FORMATS;
    const text = formatters.github(syntheticReport(cwd), meta(cwd));
    expect(text).toBe(
      [
        "::error file=fixtures/_formats/.github/workflows/deploy.yml,line=14,col=27,endLine=14,endColumn=67,title=trust-mismatch::Job `deploy` on push gets sub `repo:acme/app:ref:refs/heads/main`, 100%25 refused,%0Aallowed: a, b",
        "::error file=fixtures/_formats/infra/role.tf,line=1,col=1,title=parse-error::bad%0D%0Ainput",
        "::warning file=fixtures/_formats/infra/role.tf,line=11,col=53,endLine=11,endColumn=67,title=broad-sub-wildcard::repo:acme/* admits any repository of acme",
        "",
      ].join("\n"),
    );
  });

  it("prints nothing for a clean report", () => {
    expect(formatters.github({ results: [], filesLinted: 3, errorCount: 0, warningCount: 0 }, meta(FORMATS))).toBe("");
  });

  it("formats the real linter's findings on the shared fixture", async () => {
    const report = await run({ cwd: FORMATS });
    const text = formatters.github(report, meta(FORMATS));
    const lines = text.split("\n").filter((l) => l !== "");
    expect(lines.length).toBe(report.errorCount + report.warningCount);
    // At least the broken JSON policy, whatever else the rules find.
    const parseError = lines.find((l) => l.startsWith("::error file=fixtures/_formats/policies/broken-trust.json,"));
    expect(parseError).toMatch(/,title=parse-error::/);
    expect(parseError?.endsWith(`::${parseErrorMessage(report)}`)).toBe(true);
    for (const l of lines) {
      expect(l).toMatch(
        /^::(error|warning) file=[^,:]+,line=\d+,col=\d+(,endLine=\d+,endColumn=\d+)?,title=[a-z-]+::[^\r\n]+$/,
      );
    }
  });
});

function parseErrorMessage(report: LintReport): string {
  const m = report.results.flatMap((r) => r.messages).find((x) => x.ruleId === "parse-error");
  return escapeData(m?.message ?? "(no parse error)");
}

describe("sarif format", () => {
  it("describes every rule with help URI, levels, tags and security severity", () => {
    const log = expectValidSarif(
      formatters.sarif({ results: [], filesLinted: 0, errorCount: 0, warningCount: 0 }, meta(FORMATS)),
    );
    expect(log.version).toBe("2.1.0");
    expect(log.runs).toHaveLength(1);
    const driver = log.runs[0]?.tool.driver;
    expect(driver?.name).toBe("oidclint");
    expect(driver?.version).toBe("9.8.7");
    expect(driver?.rules.map((r) => r.id)).toEqual(rules.map((r) => r.meta.id));
    for (const r of driver?.rules ?? []) {
      const rule = rules.find((x) => x.meta.id === r.id);
      expect(r.helpUri).toBe(docsUrl(r.id));
      expect(r.shortDescription.text).toBe(rule?.meta.description);
      expect(r.fullDescription.text.length).toBeGreaterThan(r.shortDescription.text.length);
      expect(r.defaultConfiguration.level).toBe(
        { error: "error", warn: "warning", off: "none" }[rule?.meta.severity ?? "off"],
      );
      if (rule?.meta.severity === "error" && r.id !== "parse-error") {
        expect(r.properties.tags).toContain("security");
        expect(Number(r.properties["security-severity"])).toBeGreaterThan(0);
      }
    }
  });

  it("pins results, regions, repo-relative URIs and related locations", () => {
    const log = expectValidSarif(formatters.sarif(syntheticReport(FORMATS), meta(FORMATS)));
    const results = log.runs[0]?.results ?? [];
    expect(results.map((r) => [r.ruleId, r.level, r.locations[0]?.physicalLocation.artifactLocation.uri])).toEqual([
      ["trust-mismatch", "error", "fixtures/_formats/.github/workflows/deploy.yml"],
      ["parse-error", "error", "fixtures/_formats/infra/role.tf"],
      ["broad-sub-wildcard", "warning", "fixtures/_formats/infra/role.tf"],
    ]);
    const first = results[0];
    expect(first?.locations[0]?.physicalLocation).toEqual({
      artifactLocation: { uri: "fixtures/_formats/.github/workflows/deploy.yml", uriBaseId: "%SRCROOT%" },
      region: { startLine: 14, startColumn: 27, endLine: 14, endColumn: 67 },
    });
    expect(first?.message.text).toContain("\nallowed");
    expect(first?.relatedLocations).toEqual([
      {
        id: 1,
        message: { text: "trust policy of role deploy" },
        physicalLocation: {
          artifactLocation: { uri: "fixtures/_formats/infra/role.tf", uriBaseId: "%SRCROOT%" },
          region: { startLine: 11, startColumn: 53, endLine: 11, endColumn: 67 },
        },
      },
    ]);
    for (const r of results) expect(log.runs[0]?.tool.driver.rules[r.ruleIndex]?.id).toBe(r.ruleId);
  });

  it("is valid SARIF for the real linter's findings on the shared fixture", async () => {
    const report = await run({ cwd: FORMATS });
    const log = expectValidSarif(formatters.sarif(report, meta(FORMATS)));
    const results = log.runs[0]?.results ?? [];
    expect(results.length).toBe(report.errorCount + report.warningCount);
    expect(
      results.some(
        (r) =>
          r.ruleId === "parse-error" &&
          r.locations[0]?.physicalLocation.artifactLocation.uri === "fixtures/_formats/policies/broken-trust.json",
      ),
    ).toBe(true);
    for (const r of results) {
      const loc = r.locations[0]?.physicalLocation;
      expect(loc?.artifactLocation.uri).toMatch(/^fixtures\/_formats\/[^/]/);
      expect(loc?.region.startLine).toBeGreaterThanOrEqual(1);
      expect(loc?.region.startColumn).toBeGreaterThanOrEqual(1);
    }
    // One fingerprint per result, all different; explanation and fix travel in the result's properties.
    const prints = results.map(
      (r) => (r as { partialFingerprints?: Record<string, string> }).partialFingerprints?.["oidclint/v1"],
    );
    expect(prints.every((p) => typeof p === "string" && /^[0-9a-f]{32}$/.test(p))).toBe(true);
    expect(new Set(prints).size).toBe(prints.length);
    const withDetails = results.find((r) => r.ruleId === "missing-sub-condition") as
      { properties?: { explanation?: string; fix?: string } } | undefined;
    expect(withDetails?.properties?.explanation).toContain("any repository on GitHub");
    expect(withDetails?.properties?.fix).toContain("StringEquals");
  });

  it("escapes URIs and uses file: URIs outside the repository", () => {
    const report: LintReport = {
      filesLinted: 2,
      errorCount: 2,
      warningCount: 0,
      results: [
        {
          filePath: resolve(FORMATS, "my policies/trust #1.json"),
          errorCount: 1,
          warningCount: 0,
          messages: [
            {
              ruleId: "parse-error",
              messageId: "unparsable",
              severity: 2,
              message: "x",
              line: 1,
              column: 1,
              endLine: 1,
              endColumn: 1,
            },
          ],
        },
        {
          filePath: "/elsewhere/trust.json",
          errorCount: 1,
          warningCount: 0,
          messages: [
            {
              ruleId: "parse-error",
              messageId: "unparsable",
              severity: 2,
              message: "x",
              line: 2,
              column: 3,
              endLine: 1,
              endColumn: 1,
            },
          ],
        },
      ],
    };
    const log = expectValidSarif(formatters.sarif(report, meta(FORMATS)));
    const locs = log.runs[0]?.results.map((r) => r.locations[0]?.physicalLocation);
    expect(locs?.[0]?.artifactLocation).toEqual({
      uri: "fixtures/_formats/my%20policies/trust%20%231.json",
      uriBaseId: "%SRCROOT%",
    });
    expect(locs?.[1]).toEqual({
      artifactLocation: { uri: "file:///elsewhere/trust.json" },
      region: { startLine: 2, startColumn: 3 },
    });
  });
});

describe("sarif fixes", () => {
  interface Replacement {
    deletedRegion: SarifRegion & { charOffset: number; charLength: number };
    insertedContent: { text: string };
  }
  interface SarifFix {
    description: { text: string };
    artifactChanges: { artifactLocation: { uri: string }; replacements: Replacement[] }[];
    properties: { kind: string };
  }

  it("carries the autofix and the suggestions as SARIF fixes, valid against 2.1.0, that rebuild --fix's result", async () => {
    const cwd = fixtureDir("_fix/json-policy/before");
    const report = await run({ cwd });
    const log = expectValidSarif(formatters.sarif(report, meta(cwd)));
    const results = (log.runs[0]?.results ?? []) as unknown as {
      locations: SarifLocation[];
      fixes?: SarifFix[];
      properties?: { fix?: string };
    }[];
    const at = (line: number, column: number) =>
      results.find(
        (r) =>
          r.locations[0]?.physicalLocation.region.startLine === line &&
          r.locations[0].physicalLocation.region.startColumn === column,
      );
    const certain = at(12, 55)?.fixes ?? [];
    expect(certain).toHaveLength(1);
    expect(certain[0]).toEqual({
      description: { text: at(12, 55)?.properties?.fix },
      artifactChanges: [
        {
          artifactLocation: { uri: "fixtures/_fix/json-policy/before/trust.json", uriBaseId: "%SRCROOT%" },
          replacements: [
            {
              deletedRegion: {
                startLine: 12,
                startColumn: 56,
                endLine: 12,
                endColumn: 78,
                charOffset: 444,
                charLength: 22,
              },
              insertedContent: { text: "repo:acme/app:ref:refs/heads/main" },
            },
          ],
        },
      ],
      properties: { kind: "autofix" },
    });
    const offered = at(12, 83)?.fixes ?? [];
    expect(offered.map((f) => f.properties.kind)).toEqual(["suggestion"]);
    expect(offered[0]?.description.text).toBeTruthy();
    // Applying every autofix's replacements (by character range) gives the file --fix writes.
    const before = readFileSync(join(cwd, "trust.json"), "utf8");
    const replacements = results
      .flatMap((r) => r.fixes ?? [])
      .filter((f) => f.properties.kind === "autofix")
      .flatMap((f) => f.artifactChanges.flatMap((c) => c.replacements))
      .sort((a, b) => b.deletedRegion.charOffset - a.deletedRegion.charOffset);
    expect(replacements.length).toBeGreaterThan(1);
    let fixed = before;
    for (const r of replacements) {
      const { charOffset, charLength } = r.deletedRegion;
      fixed = fixed.slice(0, charOffset) + r.insertedContent.text + fixed.slice(charOffset + charLength);
    }
    expect(fixed).toBe(readFileSync(fixtureDir("_fix/json-policy/after/trust.json"), "utf8"));
  });

  it("json keeps autofix and suggestions as ESLint-like edits", async () => {
    const cwd = fixtureDir("_fix/json-policy/before");
    const results = JSON.parse(formatters.json(await run({ cwd }), meta(cwd))) as {
      messages: { line: number; column: number; autofix?: { edits: unknown[] }; suggestions?: { desc: string }[] }[];
    }[];
    const messages = results.flatMap((r) => r.messages);
    const m = messages.find((x) => x.line === 12 && x.column === 55);
    expect(m?.autofix?.edits).toEqual([
      {
        file: join(cwd, "trust.json"),
        range: [444, 466],
        loc: { file: join(cwd, "trust.json"), line: 12, column: 56, endLine: 12, endColumn: 78 },
        text: "repo:acme/app:ref:refs/heads/main",
      },
    ]);
    expect(messages.find((x) => x.line === 12 && x.column === 83)?.suggestions?.[0]?.desc).toBeTruthy();
  });
});

describe("--format on the command line", () => {
  function io(cwd: string): CliIO & { out: string[]; err: string[] } {
    const out: string[] = [];
    const err: string[] = [];
    return {
      out,
      err,
      stdout: (s) => out.push(s),
      stderr: (s) => err.push(s),
      readStdin: () => Promise.resolve(""),
      isTTY: false,
      cwd,
      env: {},
    };
  }

  it("writes SARIF with --output-file and exits 1 on errors", async () => {
    const { mkdtempSync, rmSync } = await import("node:fs");
    const { tmpdir } = await import("node:os");
    const dir = mkdtempSync(join(tmpdir(), "oidclint-sarif-"));
    try {
      const target = join(dir, "out.sarif");
      const cli = io(FORMATS);
      const code = await main(["--format", "sarif", "--output-file", target, "."], cli);
      expect(cli.err.join("")).toBe("");
      expect(code).toBe(1);
      expect(cli.out.join("")).toBe("");
      expectValidSarif(readFileSync(target, "utf8"));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("prints workflow commands with --format github", async () => {
    const cli = io(FORMATS);
    const code = await main(["--format", "github", "policies/broken-trust.json"], cli);
    expect(code).toBe(1);
    expect(cli.out.join("")).toMatch(/^::error file=fixtures\/_formats\/policies\/broken-trust\.json,line=\d+,col=\d+/);
  });
});

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import { COMMENT_SYNTAXES, commentSyntaxOf, FORMATS, isInputByPath, isInputPath } from "../src/parsers/formats.js";
import { collectSuppressions } from "../src/engine/suppressions.js";
import { parseAll } from "../src/parsers/index.js";
import type { ParseEnv } from "../src/parsers/source.js";

const env: ParseEnv = { root: "/r", settings: defaultSettings(), readFile: () => undefined };
const src = (path: string, text: string) => ({ path, abs: `/r/${path}`, text });

describe("format registry", () => {
  it("recognises paths through the registry only", () => {
    expect(isInputPath("infra/main.tf")).toBe(true);
    expect(isInputPath("cdk.out/Stack.template.json")).toBe(true);
    expect(isInputPath(".github/workflows/ci.yml")).toBe(true);
    expect(isInputPath("notes.txt")).toBe(false);
    expect(isInputPath("src/app.test.ts")).toBe(false);
    expect(isInputByPath(".github/workflows/ci.yml")).toBe(true);
    expect(isInputByPath("infra/main.tf")).toBe(true);
    expect(isInputByPath("policy.json")).toBe(false);
    expect(new Set(FORMATS.map((f) => f.id)).size).toBe(FORMATS.length);
  });

  it("sets each format's facts on what it parsed", async () => {
    const tf =
      'resource "aws_iam_openid_connect_provider" "gh" {\n  url = "token.actions.githubusercontent.com"\n  client_id_list = ["sts.amazonaws.com"]\n}\n';
    const cfn = JSON.stringify({
      AWSTemplateFormatVersion: "2010-09-09",
      Resources: {
        P: {
          Type: "AWS::IAM::OIDCProvider",
          Properties: { Url: "token.actions.githubusercontent.com", ClientIdList: ["sts.amazonaws.com"] },
        },
      },
    });
    const iam = JSON.stringify({
      Url: "token.actions.githubusercontent.com",
      ClientIDList: ["sts.amazonaws.com"],
      ThumbprintList: [],
    });
    const parsed = await parseAll(
      [src("infra/main.tf", tf), src("stack.template.json", cfn), src("provider.json", iam)],
      env,
    );
    const facts = Object.fromEntries(parsed.map((f) => [f.file, f.facts]));
    expect(facts["infra/main.tf"]).toEqual({ deploymentScope: "directory", providerUrlNeedsScheme: true });
    expect(facts["stack.template.json"]).toEqual({ deploymentScope: "file", providerUrlNeedsScheme: true });
    expect(facts["provider.json"]).toEqual({ deploymentScope: "file", providerUrlNeedsScheme: false });
    expect(parsed.every((f) => f.providers.length === 1)).toBe(true);
  });

  it("rules, analysis and engine never test a format's name", () => {
    const dirs = ["rules", "src/analysis", "src/engine", "src/commands"];
    const offenders: string[] = [];
    for (const dir of dirs) {
      for (const name of readdirSync(dir).filter((n) => n.endsWith(".ts"))) {
        const text = readFileSync(join(dir, name), "utf8");
        if (/\.format\b(?!\()/.test(text.replace(/(values|options|opts)\.format\b/g, "")))
          offenders.push(join(dir, name));
      }
    }
    expect(offenders).toEqual([]);
  });

  it("comment syntax is a fact of the file's language: a directive counts after the language's own markers", () => {
    expect(COMMENT_SYNTAXES.map((c) => c.language)).toEqual(["yaml", "hcl", "javascript", "python"]);
    expect(commentSyntaxOf("template.json")).toBeUndefined();
    const at = (path: string, text: string) => collectSuppressions(path, text).map((s) => [s.ruleId, s.line, s.column]);
    expect(at("x.yml", "a: 1 # oidclint-disable-next-line r\n")).toEqual([["r", 1, 6]]);
    expect(at("x.yml", "a: 1 // oidclint-disable-next-line r\n")).toEqual([]);
    expect(at("main.tf", "// oidclint-disable r\n# oidclint-disable s\n/* oidclint-disable t */\n")).toEqual([
      ["r", 1, 1],
      ["s", 2, 1],
      ["t", 3, 1],
    ]);
    // A `#` is no comment in JavaScript; the `//` comment later on the line is.
    expect(at("app.ts", 'const s = " # oidclint-disable a"; // oidclint-disable b\n')).toEqual([["b", 1, 36]]);
    expect(at("app.py", "x = 1  # oidclint-disable c\n// oidclint-disable d\n")).toEqual([["c", 1, 8]]);
    expect(at("x.json", "# oidclint-disable a")).toEqual([]);
  });

  it("the engine reads comment syntax from the registry, never from a file extension", () => {
    const text = readFileSync("src/engine/suppressions.ts", "utf8");
    expect(text).not.toMatch(/\\\.\(?(ya\?ml|tf|py|ts|js)/);
  });
});

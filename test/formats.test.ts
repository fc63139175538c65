import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import { FORMATS, isInputByPath, isInputPath } from "../src/parsers/formats.js";
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
});

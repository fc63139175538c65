import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import type { Condition, PolicyDocument } from "../src/model/policy.js";
import type { ParsedFile } from "../src/model/project.js";
import { displayText, type StrValue } from "../src/model/value.js";
import type { ParseEnv } from "../src/parsers/source.js";
import { shortLine } from "../src/parsers/terraform/hcl2json-fallback/bridge.js";
import { parseTerraform } from "../src/parsers/terraform/index.js";

/**
 * The fallback path: a file the TypeScript HCL parser refuses although hcl2json accepts it (a gap of
 * that parser) is read with the lenient scanner and hcl2json's expression ASTs. No such file is known,
 * so the gap is simulated: the strict parser refuses everything here. The results must be the same
 * values at the same places as through the TypeScript parser (`terraform.test.ts`).
 */
vi.mock("../src/parsers/terraform/hcl-body.js", async (original) => ({
  ...(await original<typeof import("../src/parsers/terraform/hcl-body.js")>()),
  parseHclFile: () => ({ problem: { message: "simulated gap", start: 0, end: 1 } }),
  // A block read on its own (`hcl-scan.ts`) is refused too: its file is then parsed whole (refused, read by the fallback).
  parseTopBlock: () => ({ problem: { message: "simulated gap", start: 0, end: 1 } }),
}));
// So is the scan of a block's body, which would otherwise read the block without the parser.
vi.mock("../src/parsers/terraform/hcl-scan.js", async (original) => ({
  ...(await original<typeof import("../src/parsers/terraform/hcl-scan.js")>()),
  scanBody: () => undefined,
}));

function env(extra: Record<string, string> = {}): ParseEnv {
  return { root: "/repo", settings: defaultSettings(), readFile: (p) => extra[p] };
}

async function parse(files: Record<string, string>, extra: Record<string, string> = {}): Promise<ParsedFile[]> {
  return parseTerraform(
    Object.entries(files).map(([path, text]) => ({ path, abs: `/repo/${path}`, text })),
    env(extra),
  );
}

function subCondition(doc: PolicyDocument | undefined): Condition | undefined {
  return doc?.statements.flatMap((s) => s.conditions).find((c) => displayText(c.key).endsWith(":sub"));
}

function at(v: StrValue | undefined): string {
  return v ? `${displayText(v)} @${v.loc.line}:${v.loc.column}` : "(none)";
}

afterEach(() => {
  vi.unstubAllEnvs();
  vi.restoreAllMocks();
});

describe("terraform fallback to hcl2json for files the TypeScript parser refuses", () => {
  it("reads jsonencode, variables, for expressions and format at the same positions, and says so under OIDCLINT_DEBUG", async () => {
    vi.stubEnv("OIDCLINT_DEBUG", "1");
    const logged: string[] = [];
    vi.spyOn(console, "error").mockImplementation((m: unknown) => {
      logged.push(String(m));
    });
    const files = {
      "infra/variables.tf": `variable "org" {\n  default = "acme"\n}\nvariable "repo" {}\nvariable "repos" {\n  default = ["api", "web"]\n}\n`,
      "infra/main.tf": `locals {
  subs = concat([for r in var.repos : "repo:\${var.org}/\${r}:ref:refs/heads/main"], [format("repo:%s/%s:*", var.org, var.repo)])
}
resource "aws_iam_role" "r" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = local.subs } }
    }]
  })
}
`,
    };
    const doc = (await parse(files)).flatMap((f) => f.policies)[0];
    expect(at(doc?.role?.name)).toBe("deploy @5:10");
    const cond = subCondition(doc);
    expect(at(cond?.key)).toBe("token.actions.githubusercontent.com:sub @10:36");
    expect(cond?.values.items.map(at)).toEqual([
      "repo:acme/api:ref:refs/heads/main @10:80",
      "repo:acme/web:ref:refs/heads/main @10:80",
      "repo:acme/${var.repo}:* @10:80",
    ]);
    expect(
      logged.some((m) =>
        m.includes(
          "infra/main.tf:1:1: the TypeScript HCL parser refused this file (simulated gap) but hcl2json accepts it",
        ),
      ),
    ).toBe(true);
  });

  it("reads heredoc JSON with interpolations at the JSON string's position", async () => {
    const main = `variable "org" {
  default = "acme"
}
resource "aws_iam_role" "h" {
  assume_role_policy = <<EOF
{
  "Statement": [{
    "Effect": "Allow",
    "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:\${var.org}/*"}}
  }]
}
EOF
}
`;
    const cond = subCondition((await parse({ "main.tf": main })).flatMap((f) => f.policies)[0]);
    expect(at(cond?.key)).toBe("token.actions.githubusercontent.com:sub @9:34");
    expect(at(cond?.values.items[0])).toBe("repo:acme/* @9:77");
  });

  it("still reports broken files with hcl2json's error", async () => {
    const [file] = await parse({ "main.tf": `resource "aws_iam_role" "x" {\n  assume_role_policy = [\n}\n` });
    expect(file?.problems[0]?.message).toMatch(/Terraform syntax error/);
    expect(file?.problems[0]?.loc.line).toBe(3);
  });

  it("makes hcl2json's text one short line, the whole text the explanation", async () => {
    // A quoted string split over lines: hcl2json gives three diagnostics, each with a sentence of detail.
    const [file] = await parse({
      "main.tf": `resource "aws_iam_role" "x" {\n  name = "abc\n  assume_role_policy = "{}"\n}\n`,
    });
    const problem = file?.problems[0];
    expect(problem?.message).toBe("Terraform syntax error: Invalid multi-line string");
    expect([problem?.loc.line, problem?.loc.column]).toEqual([2, 14]);
    expect(problem?.detail).toMatch(
      /^Quoted strings may not be split over multiple lines\. .*main\.tf:\d+,\d+-\d+,\d+: /,
    );
    expect(problem?.detail).toMatch(/oidclint cannot check the policies of this file until it parses\.$/);
  });

  it("keeps one line of text, control characters escaped, and cuts it", () => {
    expect(shortLine("  Bad thing\u001b[31m here\t \nsecond line\n")).toBe("Bad thing\\x1b[31m here");
    expect(shortLine("a\u202eb")).toBe("a\\u202eb");
    const long = shortLine("x".repeat(500));
    expect(long).toHaveLength(120);
    expect(long.endsWith("…")).toBe(true);
  });
});

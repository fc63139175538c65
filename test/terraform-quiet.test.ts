/**
 * Permission policies and unreferenced policy documents that cannot matter are not evaluated
 * (`src/parsers/terraform/inert.ts`). Each case pairs a policy left unread with one that must still be read
 * because evaluating it has an effect: a principal, a condition of a document judged by its content, JSON
 * text (invalid JSON is reported), a rendered template, a document it marks as used, a local on a cycle.
 */
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import type { ParsedFile } from "../src/model/project.js";
import { parseTerraform } from "../src/parsers/terraform/index.js";

async function parse(files: Record<string, string>): Promise<ParsedFile[]> {
  return parseTerraform(
    Object.entries(files).map(([path, text]) => ({ path, abs: `/repo/${path}`, text })),
    { root: "/repo", settings: defaultSettings(), readFile: (p) => files[p.replace(/^\/repo\//, "")] },
  );
}

const kinds = (out: ParsedFile[]): string[] => out.flatMap((f) => f.policies.map((d) => `${d.kind} ${d.loc.line}`));
const problems = (out: ParsedFile[]): string[] =>
  out.flatMap((f) => f.problems.map((p) => `${p.loc.file}:${p.loc.line} ${p.message}`));

/** A policy document with one statement; `extra` goes into the statement. */
function doc(name: string, extra = "", attrs = ""): string {
  return `data "aws_iam_policy_document" "${name}" {
${attrs}  statement {
    actions   = ["s3:GetObject"]
    resources = ["*"]
${extra}  }
}
`;
}

describe("terraform: permission policies that cannot matter are not evaluated", () => {
  it("reads a permission policy with a principal, not one without", async () => {
    const out = await parse({
      "main.tf": `resource "aws_iam_policy" "plain" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = local.arn }] })
}
resource "aws_iam_role_policy" "principal" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "s3:GetObject" }] })
}
locals {
  arn = "arn:aws:s3:::b/*"
}
`,
    });
    expect(kinds(out)).toEqual(["permissions 5"]);
  });

  it("reads a principal the policy reaches through a local, a module argument or a variable default", async () => {
    const out = await parse({
      "main.tf": `resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [local.stmt] })
}
locals {
  stmt = { Effect = "Allow", Principal = var.who, Action = "s3:GetObject" }
}
variable "who" {
  default = { AWS = "*" }
}
module "m" {
  source = "./m"
  who    = { Service = "ec2.amazonaws.com" }
}
`,
      "m/main.tf": `variable "who" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = var.who, Action = "s3:GetObject" }] })
}
`,
    });
    expect(kinds(out).sort()).toEqual(["permissions 2", "permissions 3"]);
  });

  it("reads a principal a variable's type fills in (an optional attribute's default)", async () => {
    const out = await parse({
      "main.tf": `resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [var.stmt] })
}
variable "stmt" {
  type    = object({ Effect = string, Action = string, Principal = optional(map(string), { AWS = "*" }) })
  default = { Effect = "Allow", Action = "s3:GetObject" }
}
`,
    });
    const principals = out.flatMap((f) => f.policies.flatMap((d) => d.statements.flatMap((st) => st.principals)));
    expect(kinds(out)).toEqual(["permissions 2"]);
    expect(principals).toHaveLength(1);
  });

  it("still reports JSON text that is not valid JSON (a heredoc is read, not skipped)", async () => {
    const out = await parse({
      "main.tf": `resource "aws_iam_policy" "p" {
  policy = <<EOF
{ "Statement": [ }
EOF
}
`,
    });
    expect(problems(out)).toEqual([
      expect.stringMatching(/^main\.tf:3 The policy document \(heredoc JSON\) is not valid JSON/),
    ]);
  });

  it("still reads a jsonencode of something else than an object (a string is JSON text)", async () => {
    const out = await parse({
      "main.tf": `resource "aws_iam_policy" "p" {
  policy = jsonencode(local.p)
}
locals {
  p = "{ not json"
}
`,
    });
    expect(problems(out)).toEqual([
      expect.stringMatching(/^main\.tf:2 The policy document \(jsonencode\) is not valid JSON/),
    ]);
  });

  it("still reports a local on a cycle that only a permission policy refers to", async () => {
    const out = await parse({
      "main.tf": `resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = local.a, Resource = "*" }] })
}
locals {
  a = local.b
  b = local.a
}
`,
    });
    expect(problems(out)).toEqual([
      'main.tf:5 local "a" refers to itself (Terraform reports a cycle); oidclint treats it as unknown.',
    ]);
  });

  it("still registers a template a permission policy renders, also through a module argument", async () => {
    const files = {
      "main.tf": `module "m" {
  source = "./m"
  actions = jsondecode(templatefile("\${path.module}/actions.tftpl", { a = "s3:GetObject" }))
}
`,
      "m/main.tf": `variable "actions" {}
resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = var.actions, Resource = "*" }] })
}
`,
      "actions.tftpl": `["\${a}"]`,
    };
    const out = await parse(files);
    expect(out.flatMap((f) => f.templates ?? [])).toEqual(["actions.tftpl"]);
  });

  it("spends no evaluation budget on the instances of a permission policy it does not read", async () => {
    const policy = (count: string): Record<string, string> => ({
      "main.tf": `resource "aws_iam_policy" "p" {
  count  = ${count}
  policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "s3:GetObject", Resource = "*" }] })
}
resource "aws_iam_role_policy" "loud" {
  count  = ${count}
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "s3:GetObject" }] })
}
`,
    });
    // The second policy is read, so its count is evaluated (past the collection limit); the first one's is not.
    expect(problems(await parse(policy("length(range(20000))")))).toEqual([
      "main.tf:6 Terraform evaluation limit reached (a collection of more than 10,000 elements); oidclint treats this value as unknown.",
    ]);
  });

  it("spends no evaluation budget on a permission policy it does not read", async () => {
    const out = await parse({
      "main.tf": `resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [for i in range(20000) : { Effect = "Allow", Action = "s3:GetObject", Resource = "arn:aws:s3:::b/\${i}" }] })
}
`,
    });
    expect(problems(out)).toEqual([]);
  });
});

describe("terraform: documents only a permission policy uses", () => {
  /**
   * Module `m` has a document that renders a template through its variable's default, not through the
   * argument the call gives: read as used by the quiet permission policy, nothing renders the template; read
   * as unreferenced (on its own, with the default), the template is rendered. `permission` is the policy.
   */
  const called = (permission: string, documentAttrs = ""): Record<string, string> => ({
    "main.tf": `module "m" {
  source = "./m"
  r      = "arn:aws:s3:::b/*"
}
`,
    "m/main.tf": `variable "r" {
  default = templatefile("\${path.module}/r.tftpl", {})
}
${doc("d", "", documentAttrs).replace('resources = ["*"]', "resources = [var.r]")}${permission}`,
    "m/r.tftpl": "arn:aws:s3:::default/*",
  });
  const templates = (out: ParsedFile[]): string[] => out.flatMap((f) => f.templates ?? []);

  it("marks the document a quiet permission policy uses as used, when the policy has an instance", async () => {
    const policy = (count: number): string => `resource "aws_iam_policy" "p" {
  count  = ${String(count)}
  policy = data.aws_iam_policy_document.d.json
}
`;
    expect(templates(await parse(called(policy(1))))).toEqual([]);
    expect(templates(await parse(called(policy(0))))).toEqual(["m/r.tftpl"]);
  });

  it("follows the instance a permission policy names on a document with count", async () => {
    const policy = (index: number): string => `resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.d[${String(index)}].json
}
`;
    expect(templates(await parse(called(policy(1), "  count = 2\n")))).toEqual([]);
    // `d[3]` does not exist: the document is used by nobody and read on its own.
    expect(templates(await parse(called(policy(3), "  count = 2\n")))).toEqual(["m/r.tftpl"]);
  });

  it("an unreferenced document without principals is not read; one with principals is", async () => {
    const principals = `    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
`;
    const out = await parse({ "main.tf": `${doc("plain")}${doc("trust", principals)}` });
    expect(kinds(out)).toEqual(["trust 7"]);
  });

  it("a principal named in a value is no principal: an unreferenced document with one in a condition is not read", async () => {
    const condition = `    condition {
      test     = "StringEquals"
      variable = "aws:PrincipalOrgID"
      values   = [data.aws_service_principal.logs.name]
    }
`;
    const dynamicPrincipals = `    dynamic "principals" {
      for_each = var.who
      content {
        type        = "AWS"
        identifiers = principals.value
      }
    }
`;
    const out = await parse({
      "main.tf": `${doc("plain", condition)}${doc("some", dynamicPrincipals)}variable "who" {
  default = [["arn:aws:iam::123456789012:root"]]
}
`,
    });
    expect(kinds(out)).toEqual(["trust 12"]);
  });

  it("a dynamic statement with principals over a collection known to be empty adds none", async () => {
    const module = (permissions: string): Record<string, string> => ({
      "main.tf": `module "m" {
  source = "./m"
${permissions}}
`,
      "m/main.tf": `variable "permissions" {
  default = null
}
data "aws_iam_policy_document" "d" {
  dynamic "statement" {
    for_each = var.permissions != null ? var.permissions : {}
    content {
      actions = statement.value.actions
      dynamic "principals" {
        for_each = statement.value.principals
        content {
          type        = principals.value.type
          identifiers = principals.value.identifiers
        }
      }
    }
  }
}
resource "aws_iam_policy" "p" {
  count  = var.permissions == null ? 0 : 1
  policy = data.aws_iam_policy_document.d.json
}
resource "aws_iam_role_policy" "always" {
  policy = data.aws_iam_policy_document.d.json
}
`,
    });
    expect(kinds(await parse(module("")))).toEqual([]);
    const given = `  permissions = { x = { actions = ["s3:*"], principals = [{ type = "AWS", identifiers = ["*"] }] } }\n`;
    expect(kinds(await parse(module(given)))).toEqual(["permissions 4", "permissions 4"]);
  });

  it("a document merging only documents without principals is not read, nor are they", async () => {
    const out = await parse({
      "main.tf": `${doc("inner", "", "  count = var.on ? 1 : 0\n")}data "aws_iam_policy_document" "outer" {
  source_policy_documents = data.aws_iam_policy_document.inner[*].json
}
resource "aws_iam_policy" "p" {
  count  = length(data.aws_iam_policy_document.inner) > 0 ? 1 : 0
  policy = data.aws_iam_policy_document.outer.json
}
variable "on" {
  default = true
}
`,
    });
    expect(kinds(out)).toEqual([]);
  });

  it("a document merging others is read as before: the documents it merges are used", async () => {
    const principals = `    principals {
      type        = "AWS"
      identifiers = ["arn:aws:iam::123456789012:root"]
    }
`;
    const out = await parse({
      "main.tf": `${doc("inner", principals)}data "aws_iam_policy_document" "outer" {
  source_policy_documents = [data.aws_iam_policy_document.inner.json]
}
resource "aws_iam_policy" "p" {
  policy = data.aws_iam_policy_document.outer.json
}
`,
    });
    // Were `outer` not read, `inner` would be unreferenced and read on its own, as a trust policy.
    expect(kinds(out)).toEqual(["permissions 11"]);
  });
});

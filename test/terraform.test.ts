import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { describe, expect, it, vi } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import type { Condition, PolicyDocument } from "../src/model/policy.js";
import type { ParsedFile } from "../src/model/project.js";
import { displayText, type StrValue } from "../src/model/value.js";
import { parseTerraform } from "../src/parsers/terraform/index.js";
import { parseTerraformPlan } from "../src/parsers/terraform/plan.js";
import type { ParseEnv } from "../src/parsers/source.js";
import { findingLines, fixtureDir, run } from "./helpers.js";

function env(extra: Record<string, string> = {}): ParseEnv {
  return { root: "/repo", settings: defaultSettings(), readFile: (p) => extra[p] };
}

async function parse(files: Record<string, string>, extra: Record<string, string> = {}): Promise<ParsedFile[]> {
  return parseTerraform(
    Object.entries(files).map(([path, text]) => ({ path, abs: `/repo/${path}`, text })),
    env(extra),
  );
}

function policies(out: ParsedFile[]): PolicyDocument[] {
  return out.flatMap((f) => f.policies);
}

function subCondition(doc: PolicyDocument | undefined): Condition | undefined {
  return doc?.statements.flatMap((s) => s.conditions).find((c) => displayText(c.key).endsWith(":sub"));
}

/** `text @line:col` of a value, for compact assertions. */
function at(v: StrValue | undefined): string {
  return v ? `${displayText(v)} @${v.loc.line}:${v.loc.column}` : "(none)";
}

const PROVIDER = `resource "aws_iam_openid_connect_provider" "github" {
  url             = "https://token.actions.githubusercontent.com"
  client_id_list  = ["sts.amazonaws.com"]
  thumbprint_list = ["6938fd4d98bab03faadb97b34396831e3780aea1"]
}
`;

describe("terraform: jsonencode", () => {
  it("places condition values, keys and operators on their .tf line and column", async () => {
    const main = `resource "aws_iam_role" "deploy" {
  name = "deploy"
  assume_role_policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = aws_iam_openid_connect_provider.github.arn }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = {
        StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/*" }
      }
    }]
  })
}
${PROVIDER}`;
    const out = await parse({ "main.tf": main });
    const [doc] = policies(out);
    expect(doc?.kind).toBe("trust");
    expect(doc?.role?.id).toBe("aws_iam_role.deploy");
    expect(at(doc?.role?.name)).toBe("deploy @2:10");
    const cond = subCondition(doc);
    expect(cond?.operator.value).toBe("StringLike");
    expect([cond?.operator.loc.line, cond?.operator.loc.column]).toEqual([10, 9]);
    expect(at(cond?.key)).toBe("token.actions.githubusercontent.com:sub @10:24");
    expect(at(cond?.values.items[0])).toBe("repo:acme/* @10:68");
    const fed = doc?.statements[0]?.principals[0];
    expect(fed?.type.value).toBe("Federated");
    expect(at(fed?.values.items[0])).toBe(
      "arn:${partition}:iam::${account}:oidc-provider/token.actions.githubusercontent.com @7:33",
    );
    expect(fed?.values.items[0]?.origin).toContain("aws_iam_openid_connect_provider.github (main.tf:15)");
    const provider = out.flatMap((f) => f.providers)[0];
    expect(provider?.id).toBe("aws_iam_openid_connect_provider.github");
    expect(at(provider?.url)).toBe("https://token.actions.githubusercontent.com @16:21");
    expect(provider?.clientIds?.items.map(at)).toEqual(["sts.amazonaws.com @17:22"]);
  });

  it("resolves variables (tfvars over defaults), locals, for expressions, concat and format; says where values came from", async () => {
    const files = {
      "infra/variables.tf": `variable "org" {
  default = "default-org"
}
variable "repo" {}
variable "repos" {
  default = ["api", "web"]
}
`,
      "infra/terraform.tfvars": `org = "acme"\n`,
      "infra/main.tf": `locals {
  subs = concat([for r in var.repos : "repo:\${var.org}/\${r}:ref:refs/heads/main"], [format("repo:%s/%s:*", var.org, var.repo)])
}
resource "aws_iam_role" "r" {
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
    const doc = policies(await parse(files))[0];
    const values = subCondition(doc)?.values.items ?? [];
    expect(values.map(at)).toEqual([
      "repo:acme/api:ref:refs/heads/main @9:80",
      "repo:acme/web:ref:refs/heads/main @9:80",
      "repo:acme/${var.repo}:* @9:80",
    ]);
    expect(values[0]?.origin).toContain("terraform.tfvars:1");
    expect(values[2]?.origin).toContain('variable "repo" has no default (infra/variables.tf:4)');
  });

  it("applies *.auto.tfvars in Terraform's order, by code unit (a later file wins): a.auto.tfvars after B.auto.tfvars", async () => {
    const role = `variable "repo" {}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:\${var.repo}:*" } }
    }]
  })
}
`;
    const doc = policies(
      await parse({
        "infra/main.tf": role,
        "infra/a.auto.tfvars": `repo = "acme/*"\n`,
        "infra/B.auto.tfvars": `repo = "acme/app"\n`,
        "infra/terraform.tfvars": `repo = "acme/old"\n`,
      }),
    )[0];
    const values = subCondition(doc)?.values.items ?? [];
    expect(values.map(at)).toEqual(["repo:acme/*:* @7:80"]);
    expect(values[0]?.origin).toContain("a.auto.tfvars:1");
  });

  it("keeps an unknown list unknown", async () => {
    const main = `variable "subjects" {}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect = "Allow"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = var.subjects } }
    }]
  })
}
`;
    const cond = subCondition(policies(await parse({ "main.tf": main }))[0]);
    expect(cond?.values.items).toEqual([]);
    expect(cond?.values.unknown?.expr).toBe("var.subjects");
    expect([cond?.values.unknown?.loc.line, cond?.values.unknown?.loc.column]).toEqual([6, 80]);
  });
});

describe("terraform: heredoc, file and templatefile", () => {
  it("reads heredoc JSON with interpolations at the JSON string's position", async () => {
    const main = `variable "org" {
  default = "acme"
}
resource "aws_iam_role" "h" {
  assume_role_policy = <<-EOF
    {
      "Statement": [{
        "Effect": "Allow",
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:\${var.org}/*"}}
      }]
    }
  EOF
}
`;
    const doc = policies(await parse({ "main.tf": main }))[0];
    expect(doc?.source).toBe("heredoc JSON");
    const cond = subCondition(doc);
    expect(at(cond?.key)).toBe("token.actions.githubusercontent.com:sub @9:38");
    expect(at(cond?.values.items[0])).toBe("repo:acme/* @9:81");
    expect(cond?.values.items[0]?.origin).toContain('variable "org" default (main.tf:2)');
  });

  it("renders templatefile() with its variables, each literal at its place in the template, naming the call", async () => {
    const main = `resource "aws_iam_role" "t" {
  assume_role_policy = templatefile("\${path.module}/trust.json.tpl", { org = "acme" })
}
`;
    const tpl = `{
  "Statement": [{
    "Effect": "Allow",
    "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:\${org}/*"}}
  }]
}
`;
    const doc = policies(await parse({ "iam/main.tf": main }, { "iam/trust.json.tpl": tpl }))[0];
    const cond = subCondition(doc);
    const value = cond?.values.items[0];
    expect(at(value)).toBe("repo:acme/* @4:77");
    expect(value?.loc.file).toBe("iam/trust.json.tpl");
    expect(value?.loc.via).toEqual({
      message: "rendered by templatefile() here",
      loc: { file: "iam/main.tf", line: 2, column: 24, endLine: 2, endColumn: 87 },
    });
    expect(value?.origin).toBe('"org" in the variables of templatefile() (iam/main.tf:2)');
    expect(at(cond?.key)).toBe("token.actions.githubusercontent.com:sub @4:34");
    expect(cond?.key.loc.file).toBe("iam/trust.json.tpl");
  });

  it("names the templatefile() / template_file variables entry a value came from, and renders %{ for } in template files", async () => {
    const main = `variable "org" { default = "acme" }
data "template_file" "trust" {
  template = file("trust.json.tpl")
  vars = {
    org  = var.org
    repo = "*"
  }
}
resource "aws_iam_role" "d" {
  assume_role_policy = data.template_file.trust.rendered
}
resource "aws_iam_role" "t" {
  assume_role_policy = templatefile("trust.json.tpl", {
    org  = "*"
    repo = "app"
  })
}
resource "aws_iam_role" "f" {
  assume_role_policy = templatefile("for.json.tpl", { subs = ["repo:acme/*", "repo:acme/app:ref:refs/heads/main"] })
}
`;
    const tpl = `{"Statement": [{"Effect": "Allow",
  "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:\${org}/\${repo}:ref:refs/heads/main"}}}]}`;
    const forTpl = `{"Statement": [{"Effect": "Allow",
  "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": [%{ for s in subs }"\${s}",%{ endfor }"repo:acme/none:ref:refs/heads/main"]}}}]}`;
    const docs = policies(await parse({ "main.tf": main }, { "trust.json.tpl": tpl, "for.json.tpl": forTpl }));
    const values = (role: string): StrValue[] =>
      subCondition(docs.find((d) => d.role?.id === `aws_iam_role.${role}`))?.values.items ?? [];
    const via = (v: StrValue | undefined): string =>
      v?.loc.via ? `${v.loc.via.message} @${v.loc.via.loc.file}:${v.loc.via.loc.line}:${v.loc.via.loc.column}` : "";
    // Both roles render the same template: the literal is at one place in it, each role's value names its call.
    const [d] = values("d");
    expect(`${d?.loc.file ?? ""}: ${at(d)}`).toBe("trust.json.tpl: repo:acme/*:ref:refs/heads/main @2:75");
    expect(via(d)).toBe("rendered by data.template_file.trust, used here @main.tf:10:24");
    expect(d?.origin).toBe(
      'variable "org" default (main.tf:1); "repo" in the variables of data.template_file.trust (main.tf:6)',
    );
    const [t] = values("t");
    expect(at(t)).toBe("repo:*/app:ref:refs/heads/main @2:75");
    expect(via(t)).toBe("rendered by templatefile() here @main.tf:13:24");
    expect(t?.origin).toMatch(
      /^"org" in the variables of templatefile\(\) \(main\.tf:14\); "repo" in .*\(main\.tf:15\)$/,
    );
    // A value interpolated alone is where the template interpolates it; the loop's literal where it is written.
    expect(values("f").map((v) => `${v.loc.file}: ${at(v)}`)).toEqual([
      "for.json.tpl: repo:acme/* @2:94",
      "for.json.tpl: repo:acme/app:ref:refs/heads/main @2:94",
      "for.json.tpl: repo:acme/none:ref:refs/heads/main @2:112",
    ]);
    expect(values("f")[0]?.origin).toBe('"subs" in the variables of templatefile() (main.tf:19)');
    expect(values("f")[2]?.origin).toBeUndefined();
    expect(values("f").map(via)).toEqual(Array(3).fill("rendered by templatefile() here @main.tf:19:24"));
  });

  it("records where a value written whole in a definition is, as data (source)", async () => {
    const main = `variable "sub" { default = "repo:acme/app:ref:main" }
variable "org" { default = "acme" }
variable "trust" {
  default = <<-EOT
    {"Statement": [{"Effect": "Allow", "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/lib:*"}}}]}
  EOT
}
locals { subs = ["repo:\${var.org}/x:*", "repo:acme/y:*"] }
resource "aws_iam_role" "a" {
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow", Action = "sts:AssumeRoleWithWebIdentity",
    Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = concat(["\${var.sub}", var.sub], local.subs) } } }] })
}
resource "aws_iam_role" "b" {
  assume_role_policy = var.trust
}
`;
    const docs = policies(await parse({ "main.tf": main }));
    const items = subCondition(docs.find((d) => d.role?.id === "aws_iam_role.a"))?.values.items ?? [];
    const sources = items.map(
      (v) => v.source && `${v.source.kind} ${v.source.name} @${v.source.loc.line}:${v.source.loc.column}`,
    );
    // The default as written (quotes included), through `"\${var.sub}"` too; a local's element; nothing for
    // a string only partly written in the local.
    expect(sources).toEqual([
      "variable default sub @1:28",
      "variable default sub @1:28",
      undefined,
      "local subs @9:41",
    ]);
    const [fromHeredoc] = subCondition(docs.find((d) => d.role?.id === "aws_iam_role.b"))?.values.items ?? [];
    expect(at(fromHeredoc)).toBe("repo:acme/lib:* @15:24");
    expect(fromHeredoc?.source).toMatchObject({
      kind: "variable default",
      name: "trust",
      loc: { line: 6, column: 79, endColumn: 96 },
    });
  });

  it("places a whole policy held in a variable default or a local on its use, naming the line it was written on", async () => {
    const vars = `variable "trust" {
  type    = string
  default = <<-EOT
    {"Statement":[{"Effect":"Allow",
      "Condition":{"StringLike":{"token.actions.githubusercontent.com:sub":"repo:acme/*"}}}]}
  EOT
}
locals {
  trust = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/web:*" } }
    }]
  })
  from_file = file("trust.json")
  document  = data.aws_iam_policy_document.d.json
}
data "aws_iam_policy_document" "d" {
  statement {
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/doc:*"]
    }
  }
}
`;
    const main = `resource "aws_iam_role" "v" {
  assume_role_policy = var.trust
}
resource "aws_iam_role" "l" {
  assume_role_policy = local.trust
}
resource "aws_iam_role" "f" {
  assume_role_policy = local.from_file
}
resource "aws_iam_role" "d" {
  assume_role_policy = local.document
}
`;
    const json = `{"Statement": [{"Effect": "Allow",
  "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}}]}`;
    const docs = policies(await parse({ "main.tf": main, "variables.tf": vars }, { "trust.json": json }));
    const value = (role: string): StrValue | undefined =>
      subCondition(docs.find((d) => d.role?.id === `aws_iam_role.${role}`))?.values.items[0];
    expect(at(value("v"))).toBe("repo:acme/* @2:24");
    expect(value("v")?.loc.file).toBe("main.tf");
    expect(value("v")?.origin).toBe('variable "trust" default (variables.tf:5)');
    expect(at(value("l"))).toBe("repo:acme/web:* @5:24");
    expect(value("l")?.origin).toBe('local "trust" (variables.tf:12)');
    // A JSON file is linted on its own: its positions are kept. A policy document stays on its block.
    expect([value("f")?.loc.file, value("f")?.loc.line]).toEqual(["trust.json", 2]);
    expect(at(value("d"))).toBe("repo:acme/doc:* @23:19");
    expect(value("d")?.loc.file).toBe("variables.tf");
  });

  it("reads file() of a JSON policy with positions in that JSON file", async () => {
    const main = `resource "aws_iam_role" "f" {
  assume_role_policy = file("trust.json")
}
`;
    const json = `{"Statement": [{"Effect": "Allow",
  "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:acme/*"}}}]}`;
    const cond = subCondition(policies(await parse({ "main.tf": main }, { "trust.json": json }))[0]);
    const v = cond?.values.items[0];
    expect([v?.loc.file, v?.loc.line, v?.loc.column]).toEqual(["trust.json", 2, 75]);
  });
});

describe("terraform: aws_iam_policy_document", () => {
  it("maps statement/principals/condition blocks, dynamic blocks and source documents", async () => {
    const main = `locals {
  conditions = [{ test = "StringEquals", variable = "token.actions.githubusercontent.com:aud", values = ["sts.amazonaws.com"] }]
}
data "aws_iam_policy_document" "base" {
  statement {
    sid     = "Base"
    actions = ["sts:TagSession"]
  }
}
data "aws_iam_policy_document" "trust" {
  source_policy_documents = [data.aws_iam_policy_document.base.json]
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = [aws_iam_openid_connect_provider.github.arn]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/app:ref:refs/heads/main"]
    }
    dynamic "condition" {
      for_each = local.conditions
      content {
        test     = condition.value.test
        variable = condition.value.variable
        values   = condition.value.values
      }
    }
  }
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
${PROVIDER}`;
    const doc = policies(await parse({ "main.tf": main }))[0];
    expect(doc?.source).toBe("aws_iam_policy_document");
    expect(doc?.statements.map((s) => s.sid?.value)).toEqual(["Base", undefined]);
    const stmt = doc?.statements[1];
    expect(at(stmt?.effect)).toBe("Allow @12:3");
    const cond = subCondition(doc);
    expect([cond?.operator.loc.line, cond?.operator.loc.column]).toEqual([19, 18]);
    expect(at(cond?.key)).toBe("token.actions.githubusercontent.com:sub @20:18");
    expect(at(cond?.values.items[0])).toBe("repo:acme/app:ref:refs/heads/main @21:19");
    const aud = stmt?.conditions.find((c) => displayText(c.key).endsWith(":aud"));
    expect(aud?.operator.value).toBe("StringEquals");
    expect(aud?.values.items.map((v) => displayText(v))).toEqual(["sts.amazonaws.com"]);
  });

  it("merges condition blocks with the same test and variable into one condition (any value matches), as the provider does", async () => {
    const main = `variable "subs" {
  default = ["repo:acme/*"]
}
variable "more" {}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/app:ref:refs/heads/main"]
    }
    dynamic "condition" {
      for_each = var.subs
      content {
        test     = "StringLike"
        variable = "token.actions.githubusercontent.com:sub"
        values   = [condition.value]
      }
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = var.more
    }
    condition {
      test     = "StringEquals"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/app:environment:prod"]
    }
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;
    const stmt = policies(await parse({ "main.tf": main }))[0]?.statements[0];
    const subs = stmt?.conditions.filter((c) => displayText(c.key).endsWith(":sub")) ?? [];
    expect(subs.map((c) => c.operator.value)).toEqual(["StringLike", "StringEquals"]);
    const like = subs[0];
    expect(like?.values.items.map(at)).toEqual(["repo:acme/app:ref:refs/heads/main @11:19", "repo:acme/* @18:21"]);
    expect(like?.values.items[1]?.origin).toContain(`variable "subs" default`);
    // `var.more` has no default: the merged list holds an unknown number of further values.
    expect(like?.values.unknown?.expr).toContain("var.more");
  });

  it("makes the Condition unknown when a dynamic block iterates over an unknown collection", async () => {
    const main = `variable "conditions" {}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    dynamic "condition" {
      for_each = var.conditions
      content {
        test = condition.value.test
      }
    }
  }
}
resource "aws_iam_role" "r" {
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;
    const stmt = policies(await parse({ "main.tf": main }))[0]?.statements[0];
    expect(stmt?.unknownConditions?.expr).toContain("var.conditions");
  });

  it("marks aws_iam_policy documents as permissions and emits unreferenced documents by content", async () => {
    const main = `resource "aws_iam_policy" "p" {
  policy = jsonencode({ Statement = [{ Effect = "Allow", Principal = { AWS = "*" }, Action = "s3:GetObject", Resource = "*" }] })
}
`;
    const docs = policies(await parse({ "main.tf": main }));
    expect(docs.map((d) => d.kind)).toEqual(["permissions"]);
  });
});

describe("terraform: modules, errors and the pre-check", () => {
  it("expands terraform-aws-modules iam-github-oidc-role subjects", async () => {
    const main = `module "gh" {
  source   = "terraform-aws-modules/iam/aws//modules/iam-github-oidc-role"
  name     = "gh"
  subjects = ["acme/app:*", "repo:acme/web:ref:refs/heads/main"]
}
`;
    const doc = policies(await parse({ "main.tf": main }))[0];
    expect(doc?.role?.id).toBe("module.gh");
    expect(subCondition(doc)?.values.items.map(at)).toEqual([
      "repo:acme/app:* @4:15",
      "repo:acme/web:ref:refs/heads/main @4:29",
    ]);
  });

  it("reports broken HCL as a problem with its position and still reads the other files", async () => {
    const out = await parse({
      "broken.tf": `resource "aws_iam_role" "x" {\n  assume_role_policy = [\n}\n`,
      "ok.tf": `resource "aws_iam_role" "y" {\n  assume_role_policy = jsonencode({ Statement = [] })\n}\n`,
    });
    const broken = out.find((f) => f.file === "broken.tf");
    expect(broken?.problems[0]?.loc.line).toBe(3);
    expect(broken?.problems[0]?.message).toMatch(/Terraform syntax error/);
    expect(out.find((f) => f.file === "ok.tf")?.policies).toHaveLength(1);
  });

  it("does not parse files that cannot matter", async () => {
    const out = await parse({ "other/s3.tf": `resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n` });
    expect(out).toEqual([]);
  });

  it("reads .tf.json roles", async () => {
    const json = JSON.stringify(
      {
        variable: { org: { default: "acme" } },
        resource: {
          aws_iam_role: {
            r: {
              assume_role_policy:
                '${jsonencode({Statement = [{Effect = "Allow", Condition = {StringLike = {"token.actions.githubusercontent.com:sub" = "repo:${var.org}/*"}}}]})}',
            },
          },
        },
      },
      null,
      2,
    );
    const cond = subCondition(policies(await parse({ "main.tf.json": json }))[0]);
    expect(cond?.values.items.map((v) => displayText(v))).toEqual(["repo:acme/*"]);
    expect(cond?.values.items[0]?.loc.line).toBe(10);
  });
});

describe("terraform plan JSON", () => {
  it("reads planned roles (child modules too) and places inner values on the policy string", () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: "Allow", Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } } },
      ],
    });
    const plan = JSON.stringify(
      {
        format_version: "1.2",
        terraform_version: "1.9.0",
        planned_values: {
          root_module: {
            child_modules: [
              {
                resources: [
                  {
                    address: "module.m.aws_iam_role.r",
                    mode: "managed",
                    type: "aws_iam_role",
                    name: "r",
                    values: { name: "deploy", assume_role_policy: policy },
                  },
                  {
                    address: "module.m.aws_iam_openid_connect_provider.gh",
                    mode: "managed",
                    type: "aws_iam_openid_connect_provider",
                    name: "gh",
                    values: {
                      url: "https://token.actions.githubusercontent.com",
                      client_id_list: ["sts.amazonaws.com"],
                    },
                  },
                ],
              },
            ],
          },
        },
      },
      null,
      2,
    );
    const out = parseTerraformPlan({ path: "plan.json", abs: "/repo/plan.json", text: plan }, env());
    const doc = out.policies[0];
    expect(doc?.role?.id).toBe("module.m.aws_iam_role.r");
    expect(at(doc?.role?.name)).toBe("deploy @15:25");
    expect(at(subCondition(doc)?.values.items[0])).toBe("repo:acme/* @16:39");
    expect(out.providers.map((p) => p.id)).toEqual(["module.m.aws_iam_openid_connect_provider.gh"]);
  });

  it("reads `terraform show -json` of a state (values.root_module) like a plan", () => {
    const policy = JSON.stringify({
      Statement: [
        { Effect: "Allow", Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } } },
      ],
    });
    const state = JSON.stringify(
      {
        format_version: "1.0",
        terraform_version: "1.7.0",
        values: {
          root_module: {
            resources: [
              {
                address: "aws_iam_role.r",
                mode: "managed",
                type: "aws_iam_role",
                name: "r",
                values: { name: "r", assume_role_policy: policy },
              },
            ],
          },
        },
      },
      null,
      2,
    );
    const out = parseTerraformPlan({ path: "state.json", abs: "/repo/state.json", text: state }, env());
    const doc = out.policies[0];
    expect(doc?.source).toBe("Terraform state");
    expect(doc?.role?.id).toBe("aws_iam_role.r");
    expect(at(subCondition(doc)?.values.items[0])).toBe("repo:acme/* @14:35");
  });
});

describe("terraform: TypeScript HCL parser first, hcl2json only for problems", () => {
  const ROLE = `resource "aws_iam_role" "x" {\n  assume_role_policy = jsonencode({ Statement = [] })\n}\n`;

  it("does not load hcl2json for files it parses, and loads it for a broken one", async () => {
    vi.resetModules();
    const fresh = await import("../src/parsers/terraform/index.js");
    const bridge = await import("../src/parsers/terraform/hcl2json-fallback/bridge.js");
    const run = (files: Record<string, string>): Promise<ParsedFile[]> =>
      fresh.parseTerraform(
        Object.entries(files).map(([path, text]) => ({ path, abs: `/repo/${path}`, text })),
        env(),
      );
    const ok = await run({ "main.tf": ROLE, "variables.tf": `variable "x" {\n  default = "y"\n}\n` });
    expect(ok.flatMap((f) => f.problems)).toEqual([]);
    expect(bridge.hcl2jsonLoaded()).toBe(false);
    // A block left open at the end is reported without hcl2json (HCL's message, compared below).
    const [unclosed] = await run({ "main.tf": ROLE.replace("}\n", "") });
    expect(unclosed?.problems[0]?.message).toBe("Terraform syntax error: Unclosed configuration block");
    expect(bridge.hcl2jsonLoaded()).toBe(false);
    await run({ "main.tf": ROLE.replace("  assume", '  name = "deploy\n  assume') });
    expect(bridge.hcl2jsonLoaded()).toBe(true);
  });

  it("gives hcl2json's own error for a block left open at the end without loading it", async () => {
    const { hclSyntaxError } = await import("../src/parsers/terraform/hcl2json-fallback/bridge.js");
    const shapes = [
      ROLE.slice(0, -2),
      `${ROLE}resource "a" "b" {\n  inner {\n    x = 1\n`,
      `${ROLE}resource "a" "b" {\n  inner { x = "}" }\n  p = <<EOF\n}\nEOF\n  # }\n`,
      `${ROLE.replace(/\n/g, "\r\n")}resource "a" "b" {\r\n  x = {\r\n    y = 1\r\n  }\r\n`,
      // Not ASCII before the brace on its line: hcl2json is asked (its column counts characters).
      `${ROLE}resource "a" "é" {\n  x = 1\n`,
    ];
    for (const text of shapes) {
      const [own] = await parse({ "main.tf": text });
      const official = await hclSyntaxError("main.tf", text);
      expect(own?.problems).toEqual([official]);
    }
  });

  // Structural errors anywhere in a relevant file, with hcl2json's message and position.
  const broken: [string, string, string, number, number][] = [
    ["unclosed block", ROLE.slice(0, -2), "Unclosed configuration block", 1, 29],
    ["unclosed string", ROLE.replace("  assume", '  name = "deploy\n  assume'), "Invalid multi-line string", 2, 17],
    ["bad attribute syntax", ROLE.replace("  assume", '  name "deploy"\n  assume'), "Invalid block definition", 2, 16],
    ["stray closing brace", `${ROLE}}\n`, "Argument or block definition required", 4, 1],
    [
      "missing separator deep in an expression",
      ROLE.replace("Statement = []", 'Statement = [{ Condition = { StringLike = { "k" = ["a", "b" } } }]'),
      "Missing item separator",
      2,
      97,
    ],
  ];
  for (const [what, text, message, line, column] of broken) {
    it(`reports ${what} as hcl2json does`, async () => {
      const [file] = await parse({ "main.tf": text });
      const problem = file?.problems[0];
      expect(problem?.message).toContain(`Terraform syntax error: ${message}`);
      expect([problem?.loc.line, problem?.loc.column]).toEqual([line, column]);
      expect(file?.policies).toEqual([]);
    });
  }
});

describe("terraform: expressions the TypeScript parser made evaluable", () => {
  const doc = (subs: string): string => `resource "aws_iam_role" "r" {
  assume_role_policy = <<-EOT
    {
      "Statement": [{
        "Effect": "Allow",
        "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": [${subs}]}}
      }]
    }
  EOT
}
`;

  it("renders %{ for } / %{ if } directives over known values inside heredoc JSON, values placed in the template body", async () => {
    const main = `locals {\n  repos = ["app", "api"]\n}\n${doc('%{ for i, r in local.repos }%{ if i > 0 }, %{ endif }"repo:acme/\${r}:*"%{ endfor }')}`;
    const [file] = await parse({ "main.tf": main });
    expect(file?.problems).toEqual([]);
    const values = subCondition(file?.policies[0])?.values.items ?? [];
    expect(values.map(at)).toEqual(["repo:acme/app:* @9:135", "repo:acme/api:* @9:135"]);
  });

  it("makes a document with a directive over an unknown collection unknown instead of invalid JSON", async () => {
    const main = `variable "extra" {}\n${doc('%{ for r in var.extra }"repo:acme/\${r}:*",%{ endfor }"repo:acme/x:*"')}`;
    const [file] = await parse({ "main.tf": main });
    expect(file?.problems).toEqual([]);
    expect(file?.policies).toEqual([]);
  });

  it("evaluates lookup(map, key, default), the default only when the key is certainly absent", async () => {
    const main = `variable "unknown_key" {}
locals {
  subs = { app = "repo:acme/app:ref:refs/heads/main" }
  a    = lookup(local.subs, "app", "repo:*")
  b    = lookup(local.subs, "web", "repo:acme/web:ref:refs/heads/main")
  c    = lookup(local.subs, var.unknown_key, "repo:*")
  d    = lookup({ "\${var.unknown_key}" = "repo:acme/x:ref:refs/heads/main" }, "web", "repo:*")
}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = [local.a, local.b, local.c, local.d] } }
    }]
  })
}
`;
    const values = subCondition(policies(await parse({ "main.tf": main }))[0])?.values.items.map((v) => displayText(v));
    expect(values?.slice(0, 2)).toEqual(["repo:acme/app:ref:refs/heads/main", "repo:acme/web:ref:refs/heads/main"]);
    expect(values?.[2]).toContain("lookup(");
    expect(values?.[3]).toContain("lookup(");
  });

  it("reads an unknown conditional with known branches as both values in a condition's values only", async () => {
    const main = `variable "open" { type = bool }
locals {
  sub = var.open ? "repo:*" : "repo:acme/app:ref:refs/heads/main"
}
resource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = var.open ? "Deny" : "Allow"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = [local.sub, "repo:acme/web:ref:refs/heads/main"] } }
    }]
  })
}
data "aws_iam_policy_document" "d" {
  statement {
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = var.open ? ["repo:acme/*"] : ["repo:acme/app:ref:refs/heads/main"]
    }
  }
}
`;
    const [doc, fromBlock] = policies(await parse({ "main.tf": main }));
    expect(doc?.statements[0]?.effect && displayText(doc.statements[0].effect)).toBe('${var.open ? "Deny" : "Allow"}');
    const values = subCondition(doc)?.values.items ?? [];
    expect(values.map(at)).toEqual([
      "repo:* @9:81",
      "repo:acme/app:ref:refs/heads/main @9:81",
      "repo:acme/web:ref:refs/heads/main @9:92",
    ]);
    expect(values[0]?.origin).toBe("the true branch of `var.open ? … : …` (main.tf:3)");
    expect(values[1]?.origin).toBe("the false branch of `var.open ? … : …` (main.tf:3)");
    const blockValues = subCondition(fromBlock)?.values.items ?? [];
    expect(blockValues.map(at)).toEqual(["repo:acme/* @22:30", "repo:acme/app:ref:refs/heads/main @22:48"]);
    expect(blockValues[0]?.origin).toBe("the true branch of `var.open ? … : …` (main.tf:22)");
  });

  it("evaluates logical operators, quoted index keys and splats", async () => {
    const main = `variable "strict" {\n  default = true\n}\nlocals {\n  subs = { main = "repo:acme/app:ref:refs/heads/main" }\n  envs = [{ sub = "repo:acme/app:environment:prod" }]\n}\nresource "aws_iam_role" "r" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = var.strict && !false ? concat([local.subs["main"]], local.envs[*].sub) : ["*"] } }
    }]
  })
}
`;
    const values = subCondition(policies(await parse({ "main.tf": main }))[0])?.values.items ?? [];
    expect(values.map((v) => displayText(v))).toEqual([
      "repo:acme/app:ref:refs/heads/main",
      "repo:acme/app:environment:prod",
    ]);
  });
});

/** A role whose name is `var.name`, trusting `repo:acme/<name>:*`. */
const ROLE_OF_VARIABLE = `resource "aws_iam_role" "deploy" {
  name = var.name
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" }
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = "repo:acme/\${var.name}:*" } }
    }]
  })
}
`;
const MODULE_TRUST = `data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = var.subjects
    }
  }
}
resource "aws_iam_role" "this" {
  name               = var.name
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;
const MODULE_VARIABLES = `variable "name" {
  type = string
}
variable "subjects" {
  type    = list(string)
  default = ["repo:acme/default:ref:refs/heads/main"]
}
`;

function roleOf(d: PolicyDocument): [string | undefined, string | undefined] {
  return [d.role?.id, d.role?.name && displayText(d.role.name)];
}

describe("terraform: local modules and for_each / count", () => {
  it("reads a local module once per call, its variables bound to the call's arguments", async () => {
    const main = `module "deploy" {
  source   = "./modules/gha-role"
  name     = "deploy"
  subjects = ["repo:*"]
}
module "again" {
  source   = "./modules/gha-role/"
  name     = "again"
  subjects = ["repo:*"]
}
module "defaulted" {
  source = "./modules/gha-role"
  name   = "defaulted"
}
module "registry" {
  source = "terraform-aws-modules/vpc/aws"
}
`;
    const out = await parse({
      "main.tf": main,
      "modules/gha-role/main.tf": MODULE_TRUST,
      "modules/gha-role/variables.tf": MODULE_VARIABLES,
      "modules/gha-role/terraform.tfvars": `subjects = ["*"]\n`,
    });
    const docs = policies(out);
    // Not read on its own: every policy is one of a call.
    expect(docs.map(roleOf)).toEqual([
      ["module.deploy.aws_iam_role.this", "deploy"],
      ["module.again.aws_iam_role.this", "again"],
      ["module.defaulted.aws_iam_role.this", "defaulted"],
    ]);
    const values = docs.map((d) => subCondition(d)?.values.items[0]);
    // Placed where the module uses them; the tfvars of a called module do not apply.
    expect(values.map(at)).toEqual(["repo:* @11:18", "repo:* @11:18", "repo:acme/default:ref:refs/heads/main @11:18"]);
    expect(values.map((v) => v?.origin)).toEqual([
      'module "deploy" argument subjects (main.tf:4)',
      'module "again" argument subjects (main.tf:9)',
      'variable "subjects" default (modules/gha-role/variables.tf:6)',
    ]);
    expect(values[0]?.loc.file).toBe("modules/gha-role/main.tf");
  });

  it("reads a module on its own when no linted file calls it, and passes arguments through nested calls", async () => {
    const alone = policies(
      await parse({ "modules/gha-role/main.tf": MODULE_TRUST, "modules/gha-role/variables.tf": MODULE_VARIABLES }),
    );
    expect(alone.map((d) => d.role?.id)).toEqual(["aws_iam_role.this"]);
    const root = `variable "org" {\n  default = "acme"\n}\nmodule "team" {\n  source = "./team"\n  subs   = ["repo:\${var.org}/*"]\n}\n`;
    const team = `variable "subs" {}\nmodule "role" {\n  source   = "../modules/gha-role"\n  name     = "team"\n  subjects = var.subs\n}\n`;
    const nested = policies(
      await parse({
        "main.tf": root,
        "team/main.tf": team,
        "modules/gha-role/main.tf": MODULE_TRUST,
        "modules/gha-role/variables.tf": MODULE_VARIABLES,
      }),
    );
    expect(nested.map((d) => d.role?.id)).toEqual(["module.team.module.role.aws_iam_role.this"]);
    const [value] = subCondition(nested[0])?.values.items ?? [];
    expect(at(value)).toBe("repo:acme/* @11:18");
    expect(value?.origin).toBe(
      'variable "org" default (main.tf:2), passed as module "team" argument subs (main.tf:6), passed as module "role" argument subjects (team/main.tf:5)',
    );
  });

  it("keeps a policy document passed as a module argument where the caller wrote it", async () => {
    const root = `data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = ["repo:acme/*"]
    }
  }
}
module "role" {
  source = "./role"
  policy = data.aws_iam_policy_document.trust.json
}
`;
    const role = `variable "policy" {}\nresource "aws_iam_role" "this" {\n  assume_role_policy = var.policy\n}\n`;
    const [doc] = policies(await parse({ "main.tf": root, "role/main.tf": role }));
    expect(doc?.role?.id).toBe("module.role.aws_iam_role.this");
    expect(at(subCondition(doc)?.values.items[0])).toBe("repo:acme/* @7:19");
    expect(subCondition(doc)?.values.items[0]?.loc.file).toBe("main.tf");
  });

  it("reads a role once per for_each entry or count index when the collection is known", async () => {
    const main = `resource "aws_iam_role" "c" {
  for_each = { x = "repo:acme/*", y = "repo:acme/app:ref:refs/heads/main" }
  name     = "c-\${each.key}"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = each.value } }
    }]
  })
}
resource "aws_iam_role" "n" {
  count = 2
  name  = "n-\${count.index}"
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = ["repo:acme/a:*", "repo:acme/b:*"][count.index] } }
    }]
  })
}
resource "aws_iam_role" "off" {
  count = 0
  assume_role_policy = jsonencode({ Statement = [{ Effect = "Allow" }] })
}
resource "aws_iam_role" "u" {
  for_each = var.unknown
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = each.value } }
    }]
  })
}
`;
    const docs = policies(await parse({ "main.tf": main }));
    expect(docs.map(roleOf)).toEqual([
      ['aws_iam_role.c["x"]', "c-x"],
      ['aws_iam_role.c["y"]', "c-y"],
      ["aws_iam_role.n[0]", "n-0"],
      ["aws_iam_role.n[1]", "n-1"],
      ["aws_iam_role.u", undefined],
    ]);
    const values = docs.map((d) => subCondition(d)?.values.items[0]);
    expect(values.map((v) => (v ? displayText(v) : undefined))).toEqual([
      "repo:acme/*",
      "repo:acme/app:ref:refs/heads/main",
      "repo:acme/a:*",
      "repo:acme/b:*",
      undefined,
    ]);
    // An unknown collection: one role whose sub values are unknown.
    expect(subCondition(docs[4])?.values.unknown?.expr).toBe("each.value");
    expect(at(values[0])).toBe("repo:acme/* @7:80");
    expect(values[0]?.origin).toBe("for_each key x (main.tf:2)");
    expect(values[1]?.origin).toBe("for_each key y (main.tf:2)");
  });

  it("does not let a policy document see the each of the role that uses it, and expands module calls with for_each", async () => {
    const doc = `data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [each.value]
    }
  }
}
resource "aws_iam_role" "r" {
  for_each           = toset(["repo:*"])
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`;
    const [own] = policies(await parse({ "main.tf": doc }));
    const [ownValue] = subCondition(own)?.values.items ?? [];
    expect(ownValue && displayText(ownValue)).toBe("${each.value}");
    const root = `module "roles" {\n  for_each = { app = "repo:acme/app:*" }\n  source   = "./modules/gha-role"\n  name     = each.key\n  subjects = [each.value]\n}\n`;
    const docs = policies(
      await parse({
        "main.tf": root,
        "modules/gha-role/main.tf": MODULE_TRUST,
        "modules/gha-role/variables.tf": MODULE_VARIABLES,
      }),
    );
    expect(docs.map(roleOf)).toEqual([['module.roles["app"].aws_iam_role.this', "app"]]);
    const [value] = subCondition(docs[0])?.values.items ?? [];
    expect(value?.origin).toBe('for_each key app (main.tf:2), passed as module "roles" argument subjects (main.tf:5)');
  });
});

describe("terraform: module directories evaluated group by group", () => {
  const call = (label: string, source: string, name: string, subjects: string): string =>
    `module "${label}" {\n  source   = ${source}\n  name     = "${name}"\n  subjects = ["${subjects}"]\n}\n`;
  const problemLines = (out: ParsedFile[]): string[] =>
    out.flatMap((f) => f.problems.map((p) => `${p.loc.file}:${p.loc.line}:${p.loc.column} ${p.message}`));

  it("gives every instance of a module shared by two roots its own arguments, whatever is evaluated in between", async () => {
    const out = await parse({
      "a/main.tf":
        call("one", '"../modules/gha-role"', "a-one", "repo:acme/a:*") +
        call("two", '"../modules/gha-role"', "a-two", "repo:acme/a2:*"),
      // Another group, evaluated between nothing and everything: a role of its own and a variable with a syntax error it reads.
      "c/main.tf": ROLE_OF_VARIABLE,
      "c/variables.tf": `variable "name" {\n  default = "c" +\n}\n`,
      "b/main.tf": call("three", '"../modules/gha-role"', "b-three", "repo:acme/b:*"),
      "modules/gha-role/main.tf": MODULE_TRUST,
      "modules/gha-role/variables.tf": MODULE_VARIABLES,
      "z/main.tf": ROLE_OF_VARIABLE,
      "z/variables.tf": `variable "name" {\n  default = "z"\n}\n`,
    });
    // Results in the order of the files, each instance with the values of its call, the module never read on its own.
    expect(out.map((f) => f.file)).toEqual([
      "a/main.tf",
      "c/main.tf",
      "c/variables.tf",
      "b/main.tf",
      "modules/gha-role/main.tf",
      "modules/gha-role/variables.tf",
      "z/main.tf",
      "z/variables.tf",
    ]);
    const docs = policies(out);
    expect(docs.map(roleOf)).toEqual([
      ["aws_iam_role.deploy", "${var.name}"],
      ["module.one.aws_iam_role.this", "a-one"],
      ["module.two.aws_iam_role.this", "a-two"],
      ["module.three.aws_iam_role.this", "b-three"],
      ["aws_iam_role.deploy", "z"],
    ]);
    expect(docs.map((d) => displayText(subCondition(d)?.values.items[0] as StrValue))).toEqual([
      "repo:acme/${var.name}:*",
      "repo:acme/a:*",
      "repo:acme/a2:*",
      "repo:acme/b:*",
      "repo:acme/z:*",
    ]);
    // The syntax error that made its group start again is reported once, in its file.
    expect(problemLines(out)).toEqual(["c/variables.tf:2:18 Terraform syntax error: Invalid expression"]);
  });

  it("reads a module through a call its text does not show (a source written as an expression) as through any call", async () => {
    const out = await parse({
      // A provider makes the root a directory that matters on its own; the call's source is no plain string.
      "main.tf": `${PROVIDER}${call("deploy", '"${"./role"}"', "deploy", "repo:acme/app:*")}`,
      "role/main.tf": MODULE_TRUST,
      "role/variables.tf": MODULE_VARIABLES,
    });
    const docs = policies(out);
    expect(docs.map(roleOf)).toEqual([["module.deploy.aws_iam_role.this", "deploy"]]);
    expect(displayText(subCondition(docs[0])?.values.items[0] as StrValue)).toBe("repo:acme/app:*");
    expect(out.flatMap((f) => f.providers).map((p) => p.id)).toEqual(["aws_iam_openid_connect_provider.github"]);
  });
});

describe("terraform: findings in template files, and from several instances of one module", () => {
  it("reports a template's literal at its place in the template, the calls as related locations, once per place", async () => {
    const cwd = fixtureDir("_projects", "tf-trust-policy-template");
    const report = await run({ cwd });
    const messages = report.results.flatMap((r) => r.messages.map((m) => ({ ...m, file: relative(cwd, r.filePath) })));
    const ownerWide = messages.filter((m) => m.messageId === "ownerWide");
    // Two module instances give `repo:acme/*:ref:refs/heads/main` at one place: one finding, the call named once.
    expect(ownerWide).toHaveLength(1);
    expect(ownerWide[0]).toMatchObject({
      file: "modules/github-role/templates/trust-policy.json.tftpl",
      line: 20,
      column: 13,
      related: [
        {
          message: "rendered by templatefile() here",
          file: join(cwd, "modules/github-role/main.tf"),
          line: 18,
          column: 24,
        },
      ],
    });
    expect(ownerWide[0]?.explanation).toMatch(
      /^`repo:acme\/\*:ref:refs\/heads\/main` \(value from module "deploy_role" argument github_org \(main\.tf:10\)\) .*\(Reported once for 2 evaluations of this code, e\.g\. module instances\.\)$/,
    );
    // A data "template_file": each finding on its own line of the template, naming the `rendered` reference.
    const legacy = messages.filter((m) => m.file === "legacy-trust.json.tpl");
    expect(legacy.map((m) => `${m.ruleId} ${m.line}:${m.column}`)).toEqual([
      "audience-drift 8:7",
      "broad-sub-wildcard 10:54",
    ]);
    for (const m of legacy)
      expect(m.related).toEqual([
        {
          message: "rendered by data.template_file.legacy_trust, used here",
          file: join(cwd, "main.tf"),
          line: 45,
          column: 24,
          endLine: 45,
          endColumn: 64,
        },
      ]);
    // Nothing is reported on the calls themselves.
    expect(messages.filter((m) => m.file.endsWith(".tf"))).toEqual([]);
  });

  it("reads a file that templatefile() renders as a template, not as a policy of its own (trust.json with placeholders)", async () => {
    const cwd = mkdtempSync(join(tmpdir(), "oidclint-tf-json-template-"));
    try {
      mkdirSync(join(cwd, "trust"));
      writeFileSync(
        join(cwd, "trust", "ci.json"),
        `{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Principal": { "Federated": "\${PROVIDER_ARN}" },
      "Action": "sts:AssumeRoleWithWebIdentity",
      "Condition": {
        "StringEquals": {
          "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
%{ if ENVIRONMENT != "" ~}
          "token.actions.githubusercontent.com:sub": "repo:\${OWNER}/\${REPO}:environment:\${ENVIRONMENT}"
%{ else ~}
          "token.actions.githubusercontent.com:sub": "repo:\${OWNER}/\${REPO}:ref:refs/heads/main"
%{ endif ~}
        }
      }
    }
  ]
}
`,
      );
      const role = (name: string, repo: string, environment: string): string => `resource "aws_iam_role" "${name}" {
  name = "${name}"
  assume_role_policy = templatefile("\${path.module}/trust/ci.json", {
    PROVIDER_ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"
    OWNER        = "acme"
    REPO         = "${repo}"
    ENVIRONMENT  = "${environment}"
  })
}
`;
      writeFileSync(join(cwd, "main.tf"), role("ci", "web", "production") + role("other", "*", ""));
      const report = await run({ cwd });
      // Read as JSON, the template is invalid (a parse-error) and `\${PROVIDER_ARN}` a principal; neither is reported.
      expect(findingLines(report, cwd, { withFile: true })).toEqual([
        "trust/ci.json:14:54 error invalid-sub-pattern/literalWildcard",
      ]);
    } finally {
      rmSync(cwd, { recursive: true, force: true });
    }
  });

  it("reports a template's findings only when the Terraform that renders it is linted", async () => {
    const cwd = fixtureDir("_projects", "tf-trust-policy-template");
    const report = await run({ cwd, paths: ["modules/github-role/templates/trust-policy.json.tftpl"] });
    expect(report.results.flatMap((r) => r.messages)).toEqual([]);
  });
});

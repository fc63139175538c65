import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import { displayText } from "../src/model/value.js";
import { parseTerraform } from "../src/parsers/terraform/index.js";
import { regexEngineLoaded } from "../src/parsers/terraform/regex.js";

// Its own file: the regular expression engine is loaded once per process, and these tests need a process
// in which nothing has loaded it yet.

/** A module with `before` and a role trusting GitHub for the `sub` expression `sub` (HCL). */
function roleModule(before: string, sub: string): string {
  return `${before}
resource "aws_iam_role" "t" {
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Principal = { Federated = "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com" }
      Action    = "sts:AssumeRoleWithWebIdentity"
      Condition = { StringLike = { "token.actions.githubusercontent.com:sub" = ${sub} } }
    }]
  })
}
`;
}

/** The `sub` values of every condition of the policies parsed from `main.tf` (and the files `readFile` gives). */
async function subValues(main: string, readFile: (path: string) => string | undefined = () => undefined) {
  const out = await parseTerraform([{ path: "main.tf", abs: "/repo/main.tf", text: main }], {
    root: "/repo",
    settings: defaultSettings(),
    readFile,
  });
  expect(out.flatMap((f) => f.problems)).toEqual([]);
  return out
    .flatMap((f) => f.policies)
    .flatMap((d) => d.statements)
    .flatMap((s) => s.conditions)
    .flatMap((c) => c.values.items.map((v) => displayText(v)));
}

describe("terraform: the regular expression engine is loaded before evaluation that needs it", () => {
  // First: the engine is not loaded yet in this process.
  it("reads a module whose patterns are all simple (`:+`) without loading the engine", async () => {
    const main = roleModule(
      'variable "subjects" {\n  default = ["acme/app", "acme/api:environment:prod"]\n}',
      '[for s in var.subjects : "repo:${s}${length(regexall(":+", s)) > 0 ? "" : ":*"}"]',
    );
    expect(await subValues(main)).toEqual(["repo:acme/app:*", "repo:acme/api:environment:prod"]);
    expect(regexEngineLoaded()).toBe(false);
  });

  it("evaluates again, with the engine, when only a template file calls a regular-expression function", async () => {
    const main = `resource "aws_iam_role" "t" {
  assume_role_policy = templatefile("trust.json.tpl", { org = "ACME-corp" })
}
`;
    const tpl = `{"Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com"},
  "Action": "sts:AssumeRoleWithWebIdentity",
  "Condition": {"StringLike": {"token.actions.githubusercontent.com:sub": "repo:\${lower(replace(org, "/-corp$/", ""))}/*"}}}]}
`;
    expect(await subValues(main, (p) => (p === "trust.json.tpl" ? tpl : undefined))).toEqual(["repo:acme/*"]);
    expect(regexEngineLoaded()).toBe(true);
  });

  it("reads a module that names regex() itself (the engine loaded when its regular expression is met)", async () => {
    const main = roleModule(
      'locals {\n  repo = regex("^repo:([^/]+)/", "repo:acme/app:ref:refs/heads/main")[0]\n}',
      '"repo:${local.repo}/*"',
    );
    expect(await subValues(main)).toEqual(["repo:acme/*"]);
  });
});

/**
 * A variable's `optional()` attribute defaults, filled in as Terraform does (`withTypeDefaults` in
 * src/parsers/terraform/evaluate.ts): in every module instance, through lists of objects, with the origin and
 * the place of the default. What the type says is read once per type; the values are filled per instance.
 */
import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import type { ParsedFile } from "../src/model/project.js";
import { knownText } from "../src/model/value.js";
import { parseTerraform } from "../src/parsers/terraform/index.js";

async function parse(files: Record<string, string>): Promise<ParsedFile[]> {
  return parseTerraform(
    Object.entries(files).map(([path, text]) => ({ path, abs: `/repo/${path}`, text })),
    { root: "/repo", settings: defaultSettings(), readFile: () => undefined },
  );
}

/** Each role's id and name, then its condition values as `text line:column origin`. */
function conditionValues(out: ParsedFile[]): string[] {
  return out.flatMap((f) =>
    f.policies.flatMap((d) => [
      `${d.role?.id ?? "?"} ${d.role?.name ? (knownText(d.role.name) ?? "?") : "-"}`,
      ...d.statements.flatMap((s) =>
        s.conditions.flatMap((c) =>
          c.values.items.map(
            (v) => `  ${knownText(v) ?? "?"} ${String(v.loc.line)}:${String(v.loc.column)} ${v.origin ?? "-"}`,
          ),
        ),
      ),
    ]),
  );
}

const MODULE = `variable "cfg" {
  type = object({
    name = string
    path = optional(string)
    sub  = optional(string, "repo:o/r:ref:refs/heads/main")
    subs = optional(list(object({ repo = string, ref = optional(string, "refs/heads/main") })), [])
  })
}
resource "aws_iam_role" "r" {
  name = var.cfg.name
  path = var.cfg.path
  assume_role_policy = jsonencode({
    Statement = [{
      Effect    = "Allow"
      Action    = "sts:AssumeRoleWithWebIdentity"
      Principal = { Federated = "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" }
      Condition = {
        StringLike = {
          "token.actions.githubusercontent.com:sub" = concat([var.cfg.sub], [for s in var.cfg.subs : "repo:\${s.repo}:ref:\${s.ref}"])
        }
      }
    }]
  })
}
`;

describe("terraform: optional() attribute defaults of a variable's type", () => {
  it("fills them in each module instance, through a list of objects, placed on the use", async () => {
    const out = await parse({
      "main.tf": `module "a" {
  source = "./m"
  cfg    = { name = "a", subs = [{ repo = "o/a" }, { repo = "o/c", ref = "refs/tags/v1" }] }
}
module "b" {
  source = "./m"
  cfg    = { name = "b", path = "/ci/", sub = "repo:o/b:*", subs = [] }
}
module "c" {
  source = "./m"
  cfg    = { name = "c", subs = [{ repo = "o/d" }] }
}
`,
      "m/main.tf": MODULE,
    });
    expect(conditionValues(out)).toEqual([
      "module.a.aws_iam_role.r a",
      '  repo:o/r:ref:refs/heads/main 19:63 optional() default in variable "cfg" type (m/main.tf:5)',
      '  repo:o/a:ref:refs/heads/main 19:102 module "a" argument cfg (main.tf:3); optional() default in variable "cfg" type (m/main.tf:6)',
      '  repo:o/c:ref:refs/tags/v1 19:102 module "a" argument cfg (main.tf:3)',
      "module.b.aws_iam_role.r b",
      '  repo:o/b:* 19:63 module "b" argument cfg (main.tf:7)',
      "module.c.aws_iam_role.r c",
      '  repo:o/r:ref:refs/heads/main 19:63 optional() default in variable "cfg" type (m/main.tf:5)',
      '  repo:o/d:ref:refs/heads/main 19:102 module "c" argument cfg (main.tf:11); optional() default in variable "cfg" type (m/main.tf:6)',
    ]);
    // An attribute declared optional() without a default is null: the role gets no path from it (`/ci/` where given).
    const paths = out.flatMap((f) => f.policies.map((d) => (d.role?.path ? knownText(d.role.path) : undefined)));
    expect(paths).toEqual(["null", "/ci/", "null"]);
  });

  it("leaves a value the type gives nothing alone (no optional() attribute left out)", async () => {
    const out = await parse({
      "main.tf": `module "a" {
  source = "./m"
  cfg    = { name = "a", path = "/", sub = "repo:o/a:*", subs = [{ repo = "o/e", ref = "refs/heads/x" }] }
}
`,
      "m/main.tf": MODULE,
    });
    expect(conditionValues(out)).toEqual([
      "module.a.aws_iam_role.r a",
      '  repo:o/a:* 19:63 module "a" argument cfg (main.tf:3)',
      '  repo:o/e:ref:refs/heads/x 19:102 module "a" argument cfg (main.tf:3)',
    ]);
  });
});

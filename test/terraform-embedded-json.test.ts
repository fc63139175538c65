/**
 * JSON read from Terraform text (`parseEmbeddedJson`, src/parsers/terraform/embedded-json.ts): every value is
 * located in the text it was read from; a string's node and its value are both placed from the opening quote.
 */
import { describe, expect, it } from "vitest";
import { LineIndex } from "../src/model/location.js";
import { parseEmbeddedJson, textAt } from "../src/parsers/terraform/embedded-json.js";
import type { TreeNode } from "../src/parsers/tree.js";
import { displayText, type StrValue } from "../src/model/value.js";

/** A value's text, place, origin and source (its kind, name and place), as the tests below compare them. */
function valueWithPlaces(v: StrValue): unknown[] {
  const at = (loc: { file: string; line: number; column: number }): string =>
    `${loc.file}:${String(loc.line)}:${String(loc.column)}`;
  return [displayText(v), at(v.loc), v.origin, v.source && `${v.source.kind} ${v.source.name} ${at(v.source.loc)}`];
}

function located(n: TreeNode): unknown {
  const at = `${String(n.loc.line)}:${String(n.loc.column)}-${String(n.loc.endLine)}:${String(n.loc.endColumn)}`;
  switch (n.kind) {
    case "string":
      return [
        displayText(n.value),
        at,
        `${String(n.value.loc.line)}:${String(n.value.loc.column)}-${String(n.value.loc.endLine)}:${String(n.value.loc.endColumn)}`,
      ];
    case "object":
      return [at, ...n.entries.map((e) => [e.key.value, located(e.value)])];
    case "array":
      return [at, ...n.items.map(located)];
    default:
      return [String(n.kind === "scalar" ? n.value : n.kind), at];
  }
}

describe("terraform: JSON read from text", () => {
  it("places strings from their opening quote, the node as its value", () => {
    const text = `{\n  "Statement": [ { "Effect": "Allow", "Sid": "a\\"b" }, 12 ]\n}`;
    const index = new LineIndex("p.json", text);
    const json = parseEmbeddedJson([textAt(text, 0, (s, e) => index.span(s, e))]);
    if ("error" in json) throw new Error(json.error);
    expect(located(json.tree)).toEqual([
      "1:1-1:2",
      [
        "Statement",
        [
          "2:16-2:17",
          ["2:18-2:19", ["Effect", ["Allow", "2:30-2:37", "2:30-2:37"]], ["Sid", ['a"b', "2:46-2:52", "2:46-2:52"]]],
          ["12", "2:56-2:58"],
        ],
      ],
    ]);
  });
});

describe("terraform: JSON text defined in a variable and passed to a module", () => {
  it("gives each JSON string the origin and source of the text it was read from, through the argument", async () => {
    const { parseTerraform } = await import("../src/parsers/terraform/index.js");
    const { defaultSettings } = await import("../src/config/settings.js");
    const files = {
      "main.tf": `variable "trust" {
  default = <<EOF
{ "Statement": [{ "Effect": "Allow", "Principal": { "Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" },
  "Condition": { "StringLike": { "token.actions.githubusercontent.com:sub": "repo:o/r:*" } } }] }
EOF
}
module "role" {
  source = "./m"
  trust  = var.trust
}
`,
      "m/main.tf": `variable "trust" {}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = var.trust
}
`,
    };
    const out = await parseTerraform(
      Object.entries(files).map(([path, text]) => ({ path, abs: `/repo/${path}`, text })),
      { root: "/repo", settings: defaultSettings(), readFile: () => undefined },
    );
    const values = out.flatMap((f) =>
      f.policies.flatMap((d) => d.statements.flatMap((s) => s.conditions.flatMap((c) => c.values.items))),
    );
    expect(values.map(valueWithPlaces)).toEqual([
      [
        "repo:o/r:*",
        "m/main.tf:4:24",
        'variable "trust" default (main.tf:4), passed as module "role" argument trust (main.tf:9)',
        "variable default trust main.tf:4:77",
      ],
    ]);
  });
});

describe("terraform: JSON text of a local copied through another local", () => {
  it("reads each JSON value at the use, with the origin of its own text and of the value interpolated into it", async () => {
    const { parseTerraform } = await import("../src/parsers/terraform/index.js");
    const { defaultSettings } = await import("../src/config/settings.js");
    const files = {
      "main.tf": `module "role" {
  source = "./m"
  org    = "acme"
}
`,
      "m/main.tf": `variable "org" {}
locals {
  doc   = <<EOF
{ "Statement": [{ "Effect": "Allow", "Principal": { "Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" },
  "Condition": { "StringLike": { "token.actions.githubusercontent.com:sub": "repo:\${var.org}/app:*" } } }] }
EOF
  again = local.doc
}
resource "aws_iam_role" "r" {
  name               = "r"
  assume_role_policy = local.again
}
`,
    };
    const out = await parseTerraform(
      Object.entries(files).map(([path, text]) => ({ path, abs: `/repo/${path}`, text })),
      { root: "/repo", settings: defaultSettings(), readFile: () => undefined },
    );
    const statements = out.flatMap((f) => f.policies.flatMap((d) => d.statements));
    const values = [
      ...statements.flatMap((s) => s.principals.flatMap((p) => p.values.items)),
      ...statements.flatMap((s) => s.conditions.flatMap((c) => c.values.items)),
    ];
    expect(values.map(valueWithPlaces)).toEqual([
      [
        "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com",
        "m/main.tf:11:24",
        'local "doc" (m/main.tf:4)',
        "local doc m/main.tf:4:66",
      ],
      [
        "repo:acme/app:*",
        "m/main.tf:11:24",
        'module "role" argument org (main.tf:3); local "doc" (m/main.tf:5)',
        undefined,
      ],
    ]);
  });
});

describe("terraform: heredoc JSON of one text part", () => {
  it("places its values in the heredoc, and on the use (with the local's lines) when it comes through a local", async () => {
    const { parseTerraform } = await import("../src/parsers/terraform/index.js");
    const { defaultSettings } = await import("../src/config/settings.js");
    const json = (repo: string): string => `{ "Statement": [{ "Effect": "Allow",
  "Principal": { "Federated": "arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com" },
  "Condition": { "StringLike": { "token.actions.githubusercontent.com:sub": "repo:o/${repo}:*" } } }] }`;
    const text = `locals {
  trust = <<EOF
${json("r")}
EOF
}
resource "aws_iam_role" "direct" {
  name               = "direct"
  assume_role_policy = <<EOF
${json("d")}
EOF
}
resource "aws_iam_role" "via_local" {
  name               = "via-local"
  assume_role_policy = local.trust
}
`;
    const out = await parseTerraform([{ path: "main.tf", abs: "/repo/main.tf", text }], {
      root: "/repo",
      settings: defaultSettings(),
      readFile: () => undefined,
    });
    const values = out.flatMap((f) =>
      f.policies.flatMap((d) =>
        d.statements.flatMap((s) => [
          ...s.principals.flatMap((p) => p.values.items.map((v) => ({ role: d.role?.id, v }))),
          ...s.conditions.flatMap((c) => c.values.items.map((v) => ({ role: d.role?.id, v }))),
        ]),
      ),
    );
    expect(
      values.map(({ role, v }) =>
        [
          role,
          displayText(v),
          `${String(v.loc.line)}:${String(v.loc.column)}`,
          v.origin ?? "-",
          v.source ? `${v.source.kind} ${String(v.source.loc.line)}:${String(v.source.loc.column)}` : "-",
        ].join(" "),
      ),
    ).toEqual([
      "aws_iam_role.direct arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com 12:31 - -",
      "aws_iam_role.direct repo:o/d:* 13:77 - -",
      'aws_iam_role.via_local arn:aws:iam::111122223333:oidc-provider/token.actions.githubusercontent.com 18:24 local "trust" (main.tf:4) local 4:31',
      'aws_iam_role.via_local repo:o/r:* 18:24 local "trust" (main.tf:5) local 5:77',
    ]);
  });
});

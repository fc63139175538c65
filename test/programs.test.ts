/**
 * Infrastructure programs (CDK, Pulumi, CDKTF in TypeScript/JavaScript/Python): what the fixtures cannot
 * show on one file — suppression comments in `//` and `#`, the source preferred over its cdk.out, the
 * pre-check, and hostile programs that must cost a bounded time.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findingLines, run } from "./helpers.js";

const tmp = mkdtempSync(join(tmpdir(), "oidclint-programs-"));
afterAll(() => {
  rmSync(tmp, { recursive: true, force: true });
});

let n = 0;
function project(files: Record<string, string>): string {
  const dir = join(tmp, `p${n++}`);
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const TS_ROLE = (sub: string, before = ""): string => `import * as cdk from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";

export class S extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    const url = "// not a comment: oidclint-disable-next-line broad-sub-wildcard";
    new iam.Role(this, "R", {
      assumedBy: new iam.WebIdentityPrincipal("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
${before}        StringLike: { "token.actions.githubusercontent.com:sub": "${sub}" },
      }),
    });
  }
}
`;

describe("programs", () => {
  it("reports a value where the program writes it, and honours // suppressions (not inside strings)", async () => {
    const dir = project({
      "lib/a.ts": TS_ROLE("repo:acme/*"),
      "lib/b.ts": TS_ROLE(
        "repo:acme/*",
        "        // oidclint-disable-next-line broad-sub-wildcard -- org-wide reader\n",
      ),
    });
    const report = await run({ cwd: dir, rules: { "broad-sub-wildcard": "warn" } });
    expect(findingLines(report, dir, { withFile: true, ruleId: "broad-sub-wildcard" })).toEqual([
      "lib/a.ts:11:66 warn broad-sub-wildcard/ownerWide",
    ]);
  });

  it("honours # suppressions in Python, not inside strings", async () => {
    const py = (comment: string): string => `import json
import pulumi_aws as aws

note = "# oidclint-disable-next-line missing-sub-condition"
aws.iam.Role("ci", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
${comment}    "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity"}],
}))
`;
    const dir = project({
      "a.py": py(""),
      "b.py": py("    # oidclint-disable-next-line missing-sub-condition -- break-glass role\n"),
    });
    const report = await run({ cwd: dir });
    expect(findingLines(report, dir, { withFile: true, ruleId: "missing-sub-condition" })).toEqual([
      "a.py:7:19 error missing-sub-condition/missing",
    ]);
  });

  it("reports a CDK app's problem once, in its source, not again in its cdk.out", async () => {
    const template = JSON.stringify({
      Resources: {
        R: {
          Type: "AWS::IAM::Role",
          Properties: {
            AssumeRolePolicyDocument: {
              Version: "2012-10-17",
              Statement: [
                {
                  Effect: "Allow",
                  Principal: {
                    Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
                  },
                  Action: "sts:AssumeRoleWithWebIdentity",
                  Condition: {
                    StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
                    StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" },
                  },
                },
              ],
            },
          },
        },
      },
    });
    const dir = project({
      "app/lib/a.ts": TS_ROLE("repo:acme/*"),
      "app/cdk.out/S.template.json": template,
      "other/cdk.out/T.template.json": template,
    });
    const report = await run({ cwd: dir, rules: { "broad-sub-wildcard": "warn" } });
    // The app's own cdk.out gives way to its source; another app's cdk.out (no source here) is still read.
    expect(
      findingLines(report, dir, { withFile: true, ruleId: "broad-sub-wildcard" }).map((l) => l.split(":")[0]),
    ).toEqual(["app/lib/a.ts", "other/cdk.out/T.template.json"]);
  });

  it("parses only files that pass the pre-check; tests and snapshots are not programs", async () => {
    const dir = project({
      "src/util.ts": 'export const repo = "repo:acme/*";\n',
      "lib/a.ts": TS_ROLE("repo:acme/app:ref:refs/heads/main"),
      "test/a.test.ts": TS_ROLE("repo:*"),
      "lib/a.spec.ts": TS_ROLE("repo:*"),
      "tests/test_stack.py": "from aws_cdk import aws_iam as iam\n",
      // What `cdk init` renders and projen's project file: placeholders and dependency names, not infrastructure.
      "init-templates/app/typescript/lib/%name%-stack.template.ts": TS_ROLE("repo:*").replace(
        "class S",
        "class %name.PascalCased%",
      ),
      "init-templates/app/python/%name.PythonModule%/stack.py":
        "from aws_cdk import aws_iam as iam\nclass %name.PascalCased%:\n",
      "init-templates/app/python/app.template.py": "import aws_cdk as cdk\n%name.PythonModule%()\n",
      "src/integ.default.ts": TS_ROLE("repo:*"),
      ".projenrc.ts": 'import { awscdk } from "projen";\nnew awscdk.AwsCdkTypeScriptApp({ deps: ["aws-cdk-lib"] });\n',
    });
    const report = await run({ cwd: dir });
    expect(report.results.map((r) => r.filePath.slice(dir.length + 1))).toEqual(["lib/a.ts"]);
    expect(report.errorCount + report.warningCount).toBe(0);
  });

  it("keeps unknowns unknown: environment, context and parameters nobody passes", async () => {
    const dir = project({
      "lib/a.ts": TS_ROLE("repo:${process.env.ORG}/app:ref:refs/heads/${this.node.tryGetContext('branch')}")
        .replace(/"repo:\$\{/, "`repo:${")
        .replace(/\}"( \},\n      \}\),)/, "}`$1"),
    });
    const report = await run({ cwd: dir });
    expect(findingLines(report, dir, { withFile: true })).toEqual([]);
  });

  it("says where a construct's default comes from: GithubActionsRole without `filter` trusts `…:*`", async () => {
    const dir = project({
      "lib/ci.ts": `import { GithubActionsIdentityProvider, GithubActionsRole } from "aws-cdk-github-oidc";
import * as cdk from "aws-cdk-lib";

export class Ci extends cdk.Stack {
  constructor(scope: cdk.App, id: string) {
    super(scope, id);
    const provider = new GithubActionsIdentityProvider(this, "Provider");
    new GithubActionsRole(this, "Ci", { provider, owner: "globex", repo: "billing" });
  }
}
`,
    });
    const report = await run({ cwd: dir });
    const messages = report.results.flatMap((r) => r.messages);
    expect(messages.map((m) => `${m.line}:${m.column} ${m.ruleId}/${m.messageId}: ${m.message}`)).toEqual([
      "8:39 broad-sub-wildcard/anyContext: `repo:globex/billing:*` matches every branch, tag, environment and pull request of `globex/billing`",
    ]);
    expect(messages[0]?.explanation).toContain(
      "`repo:globex/billing:*` (value from GithubActionsRole's default `filter` (none given)) under `StringLike`",
    );
  });

  it("names the constant read where a value is reported, not a constant it interpolates", async () => {
    const dir = project({
      "lib/ci.ts": `import * as cdk from "aws-cdk-lib";
import * as iam from "aws-cdk-lib/aws-iam";

export interface CiProps extends cdk.StackProps {
  subjects: string[];
}

export class Ci extends cdk.Stack {
  constructor(scope: cdk.App, id: string, props: CiProps) {
    super(scope, id, props);
    new iam.Role(this, "Ci", {
      assumedBy: new iam.WebIdentityPrincipal("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", {
        StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
        StringLike: { "token.actions.githubusercontent.com:sub": props.subjects },
      }),
    });
  }
}
`,
      "bin/app.ts": `import * as cdk from "aws-cdk-lib";
import { Ci } from "../lib/ci";

const ORG = "globex";
const SUBJECTS = [\`repo:\${ORG}/billing:*\`];

new Ci(new cdk.App(), "Ci", { subjects: SUBJECTS });
`,
    });
    const report = await run({ cwd: dir, rules: { "broad-sub-wildcard": "warn" } });
    expect(findingLines(report, dir, { withFile: true })).toEqual([
      "bin/app.ts:7:41 warn broad-sub-wildcard/anyContext",
    ]);
    const messages = report.results.flatMap((r) => r.messages);
    expect(messages[0]?.explanation).toContain("`repo:globex/billing:*` (value from `SUBJECTS` (bin/app.ts:5))");
  });

  it("bounds hostile programs: deep nesting, runaway recursion, huge loops", async () => {
    const deep = `import * as iam from "aws-cdk-lib/aws-iam";\nconst x = ${"(".repeat(50_000)}1${")".repeat(50_000)};\n`;
    const recursion = `import * as iam from "aws-cdk-lib/aws-iam";
function f(n: number): string { return f(n) + f(n); }
const items = [${Array.from({ length: 3000 }, (_, i) => `"r${i}"`).join(",")}];
for (const a of items) for (const b of items) f(1);
${Array.from({ length: 24 }, (_, i) => `function g${i}(): string { return g${i + 1}() + g${i + 1}(); }`).join("\n")}
function g24(): string { return "a"; }
g0();
new iam.Role(this, "R", { assumedBy: new iam.WebIdentityPrincipal("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com", { StringLike: { "token.actions.githubusercontent.com:sub": f(1) } }) });
`;
    const dir = project({ "lib/deep.ts": deep, "lib/loop.ts": recursion });
    const started = Date.now();
    const report = await run({ cwd: dir });
    expect(Date.now() - started).toBeLessThan(20_000);
    const lines = findingLines(report, dir, { withFile: true });
    expect(lines.some((l) => l.startsWith("lib/deep.ts:2:") && l.includes("parse-error"))).toBe(true);
    // The budget runs out in the nested loop: the finding that says so is placed there.
    const budget = findingLines(report, dir, { withFile: true, ruleId: "parse-error", full: true }).filter((l) =>
      l.includes("evaluation budget"),
    );
    expect(budget).toEqual([
      "lib/loop.ts:28:33-28:38 error parse-error/unparsable: the programs exceed oidclint's evaluation budget here; values past it are unknown",
    ]);
    // The role whose sub could not be evaluated is not reported as broad or missing.
    expect(
      lines.filter((l) => l.startsWith("lib/loop.ts") && !l.includes("parse-error") && !l.includes("audience-drift")),
    ).toEqual([]);
  });

  it("does not spend the budget on a recursive walk over unknown data; the role after it is still read", async () => {
    // A hashing helper that recurses into arrays and objects of a value it cannot know: evaluated level by
    // level it would branch three ways at each of its 24 levels.
    const walk = `import * as cdk from "aws-cdk-lib";
export function hashAny(value: unknown): string {
  const parts: string[] = [];
  visit(value);
  return parts.join("");
  function visit(x: unknown): void {
    if (typeof x === "string") { parts.push(x); return; }
    if (Array.isArray(x)) { for (const e of x) { visit(e); parts.push(","); } return; }
    if (x && typeof x === "object") { for (const k of Object.keys(x).sort()) { parts.push(k); visit((x as any)[k]); } return; }
    parts.push(String(x));
  }
}
`;
    const dir = project({ "lib/hash.ts": walk, "lib/z.ts": TS_ROLE("repo:acme/*") });
    const report = await run({ cwd: dir });
    expect(findingLines(report, dir, { withFile: true })).toEqual(["lib/z.ts:11:66 warn broad-sub-wildcard/ownerWide"]);
  });
});

describe("programs: each language", () => {
  const SUB_ONLY = (sub: string): string =>
    `{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"}, "Action": "sts:AssumeRoleWithWebIdentity", "Condition": {"StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"}, "StringLike": {"token.actions.githubusercontent.com:sub": "${sub}"}}}]}`;

  it("honours suppressions in JavaScript block comments and Pulumi YAML # comments", async () => {
    const js = (before: string): string => `const aws = require("@pulumi/aws");
new aws.iam.Role("ci", {
${before}  assumeRolePolicy: JSON.stringify(${SUB_ONLY("repo:acme/*")}),
});
`;
    const yaml = (before: string): string => `name: ci
runtime: yaml
resources:
  ci:
    type: aws:iam:Role
    properties:
${before}      assumeRolePolicy: '${SUB_ONLY("repo:acme/*")}'
`;
    const dir = project({
      "js/a/index.js": js(""),
      "js/b/index.js": js("  /* oidclint-disable-next-line broad-sub-wildcard -- every repository of acme */\n"),
      "yaml/a/Pulumi.yaml": yaml(""),
      "yaml/b/Pulumi.yaml": yaml("      # oidclint-disable-next-line broad-sub-wildcard -- every repository of acme\n"),
    });
    const report = await run({ cwd: dir, rules: { "broad-sub-wildcard": "warn" } });
    expect(
      findingLines(report, dir, { withFile: true, ruleId: "broad-sub-wildcard" }).map((l) => l.split(":")[0]),
    ).toEqual(["js/a/index.js", "yaml/a/Pulumi.yaml"]);
  });

  it("keeps Python's and Pulumi YAML's unknowns unknown: os.environ, Pulumi config, CDK context", async () => {
    const dir = project({
      "pulumi/__main__.py": `import json
import os

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
org = config.require("githubOrg")
branch = os.environ["DEPLOY_BRANCH"]

aws.iam.Role("ci", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Federated": "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"},
        "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {
            "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
            "StringLike": {"token.actions.githubusercontent.com:sub": f"repo:{org}/app:ref:refs/heads/{branch}"},
        },
    }],
}))
`,
      "cdk/stack.py": `from aws_cdk import Stack
from aws_cdk import aws_iam as iam


class S(Stack):
    def __init__(self, scope, construct_id):
        super().__init__(scope, construct_id)
        owner = self.node.try_get_context("owner")
        iam.Role(
            self,
            "R",
            assumed_by=iam.WebIdentityPrincipal(
                "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com",
                {
                    "StringEquals": {"token.actions.githubusercontent.com:aud": "sts.amazonaws.com"},
                    "StringLike": {"token.actions.githubusercontent.com:sub": f"repo:{owner}/site:ref:refs/heads/main"},
                },
            ),
        )
`,
      "yaml/Pulumi.yaml": `name: ci
runtime: yaml
config:
  branch:
    type: string
resources:
  ci:
    type: aws:iam:Role
    properties:
      assumeRolePolicy:
        fn::toJSON:
          Version: "2012-10-17"
          Statement:
            - Effect: Allow
              Principal:
                Federated: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
              Action: sts:AssumeRoleWithWebIdentity
              Condition:
                StringEquals:
                  token.actions.githubusercontent.com:aud: sts.amazonaws.com
                  token.actions.githubusercontent.com:sub: repo:acme/app:ref:refs/heads/\${branch}
`,
    });
    const report = await run({ cwd: dir });
    expect(report.results.map((r) => r.filePath.slice(dir.length + 1)).sort()).toEqual([
      "cdk/stack.py",
      "pulumi/__main__.py",
      "yaml/Pulumi.yaml",
    ]);
    expect(findingLines(report, dir, { withFile: true })).toEqual([]);
  });

  it("runs SST's sst.config.ts: Pulumi's aws as a global, the run() hook handed to $config", async () => {
    const dir = project({
      "sst.config.ts": `/// <reference path="./.sst/platform/config.d.ts" />
export default $config({
  app(input) {
    return { name: "shop", home: "aws" };
  },
  async run() {
    const github = new aws.iam.OpenIdConnectProvider("Github", {
      url: "https://token.actions.githubusercontent.com",
      clientIdLists: ["sts.amazonaws.com"],
    });
    new aws.iam.Role("Deploy", {
      name: \`shop-\${$app.stage}-deploy\`,
      assumeRolePolicy: {
        Version: "2012-10-17",
        Statement: [{
          Effect: "Allow",
          Principal: { Federated: github.arn },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: {
            StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
            StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" },
          },
        }],
      },
    });
  },
});
`,
    });
    const report = await run({ cwd: dir, rules: { "broad-sub-wildcard": "warn" } });
    expect(findingLines(report, dir, { withFile: true })).toEqual([
      "sst.config.ts:21:70 warn broad-sub-wildcard/ownerWide",
    ]);
  });
});

describe("programs: SST modules", () => {
  it("reads a module of an SST app by its platform reference and SST's helpers, not only sst.config.ts", async () => {
    const dir = project({
      "infra/ci-role.ts": `/// <reference path="../.sst/platform/config.d.ts" />
const SHOP_REPO = "acme/shop";

export function ciRole(providerArn: string) {
  return new aws.iam.Role("ShopCi", {
    assumeRolePolicy: $jsonStringify({
      Version: "2012-10-17",
      Statement: [{
        Effect: "Allow",
        Principal: { Federated: providerArn },
        Action: "sts:AssumeRoleWithWebIdentity",
        Condition: {
          StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
          StringLike: { "token.actions.githubusercontent.com:sub": [\`repo:\${SHOP_REPO}:*\`] },
        },
      }],
    }),
  });
}
`,
      // Not SST: a global \`aws\` of some other kind is unknown, so nothing is claimed.
      "tools/other.ts": `declare const aws: any;
export const r = new aws.iam.Role("X", {
  assumeRolePolicy: JSON.stringify({
    Statement: [{
      Effect: "Allow",
      Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
      Action: "sts:AssumeRoleWithWebIdentity",
      Condition: { StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/*" } },
    }],
  }),
});
`,
    });
    const report = await run({ cwd: dir, rules: { "broad-sub-wildcard": "warn" } });
    expect(findingLines(report, dir, { withFile: true })).toEqual([
      "infra/ci-role.ts:14:69 warn broad-sub-wildcard/anyContext",
    ]);
  });
});

describe("programs: the README demo", () => {
  it("reads the demo's CDK app from source: props from bin/app.ts, the construct's subject", async () => {
    const cwd = join(import.meta.dirname, "..", "fixtures", "demo");
    const report = await run({ cwd, paths: ["cdk"] });
    expect(findingLines(report, cwd, { withFile: true, full: true })).toEqual([
      "cdk/lib/ci-stack.ts:21:15-21:33 warn broad-sub-wildcard/ownerWide: `repo:acme/*:environment:prod` matches more than one repository of `acme`",
      "cdk/lib/ci-stack.ts:30:9-30:93 error missing-sub-condition/missing: No `sub` condition: any repository on GitHub can assume this role",
    ]);
  });
});

/**
 * `--context`: only the context files that can matter to the reported ones are parsed (src/engine/context.ts),
 * and the findings are those of a run over the whole repository. The oracle: for every input file of every
 * multi-file fixture, linting that file alone with `--context .` gives exactly the findings a lint of the
 * whole directory gives on that file.
 */
import { mkdtempSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { resolveConfig } from "../src/config/load.js";
import { loadProject } from "../src/engine/load-project.js";
import { lint } from "../src/engine/lint.js";
import { isInputPath } from "../src/parsers/formats.js";
import type { LintMessage, LintReport } from "../src/engine/result.js";
import { rules } from "../rules/index.js";
import { deployWorkflow, FIXTURES, findingLines, tfTrust } from "./helpers.js";

/** Every rule on (those off by default at warn), so that every cross-file rule is compared. */
const ALL_ON = Object.fromEntries(rules.map((r) => [r.meta.id, r.meta.severity === "off" ? "warn" : r.meta.severity]));

async function report(cwd: string, paths: string[], contextPaths?: string[]): Promise<LintReport> {
  const config = await resolveConfig({ cwd, rules, ruleOverrides: ALL_ON, env: {} });
  return lint({ cwd, config, paths, ...(contextPaths ? { contextPaths } : {}) });
}

async function findings(cwd: string, paths: string[], contextPaths?: string[]): Promise<string[]> {
  return findingLines(await report(cwd, paths, contextPaths), cwd, { withFile: true, full: true });
}

function filesUnder(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) return name === "node_modules" ? [] : filesUnder(p, base);
    return [relative(base, p).split("\\").join("/")];
  });
}

/** The multi-file cases: `fixtures/<rule>/{valid,invalid}/<case>/` and `fixtures/_projects/<scenario>/`. */
function multiFileCases(): string[] {
  const out: string[] = [];
  for (const rule of readdirSync(FIXTURES)) {
    if (rule.startsWith("_") && rule !== "_projects") continue;
    const kinds = rule === "_projects" ? [""] : ["valid", "invalid"];
    for (const kind of kinds) {
      const dir = join(FIXTURES, rule, kind);
      let names: string[];
      try {
        names = readdirSync(dir);
      } catch {
        continue;
      }
      for (const name of names) {
        const c = join(dir, name);
        if (statSync(c).isDirectory() && filesUnder(c).filter(isInputPath).length > 1) out.push(c);
      }
    }
  }
  return out;
}

describe("--context reads only what can matter, with the findings of the whole repository", () => {
  const cases = multiFileCases();
  it("has multi-file fixtures to compare", () => {
    expect(cases.length).toBeGreaterThan(30);
  });
  for (const c of cases) {
    it(
      relative(FIXTURES, c),
      async () => {
        const all = await report(c, ["."]);
        // The files the whole run checked (discovery leaves some out: CDK assets, ignored paths). A Terraform
        // template file is no input: its findings come through the Terraform that renders it.
        const checked = all.results.map((r) => relative(c, r.filePath).split("\\").join("/"));
        for (const file of filesUnder(c).filter((f) => checked.includes(f) && isInputPath(f))) {
          const alone = await findings(c, [file], ["."]);
          // The file's findings, and those in the template files it renders (they name it as related location).
          const through = (m: LintMessage): boolean =>
            m.related?.some((r) => r.file === join(c, file) && /^(rendered|read) by /.test(r.message)) === true;
          const expected = findingLines(
            {
              ...all,
              results: all.results.map((r) => ({
                ...r,
                messages: r.messages.filter((m) => relative(c, r.filePath) === file || through(m)),
              })),
            },
            c,
            { withFile: true, full: true },
          );
          expect(alone, `${file} staged, --context .`).toEqual(expected);
        }
      },
      60_000,
    );
  }
});

describe("--context on a repository with many roles", () => {
  const repo = mkdtempSync(join(tmpdir(), "oidclint-context-"));
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(repo, rel)), { recursive: true });
    writeFileSync(join(repo, rel), text);
  };
  const trust = (sub: string): string => tfTrust(sub);
  const workflow = (role: string): string => deployWorkflow(role);
  write(".oidclintrc.json", JSON.stringify({ repository: "acme/app" }));
  // The role the staged workflow assumes only admits the release branch: trust-mismatch on the workflow.
  write(
    "infra/deploy/main.tf",
    `resource "aws_iam_role" "deploy" {\n  name = local.name\n  assume_role_policy = ${trust("repo:acme/app:ref:refs/heads/release")}\n}\n`,
  );
  write("infra/deploy/locals.tf", `locals {\n  name = "app-deploy"\n}\n`);
  // Forty other roles, with literal names the workflow does not name, and their workflows.
  for (let i = 0; i < 40; i++) {
    write(
      `infra/svc-${i}/main.tf`,
      `resource "aws_iam_role" "svc" {\n  name = "svc-${i}-deploy"\n  assume_role_policy = ${trust("repo:acme/*")}\n}\n`,
    );
    write(`.github/workflows/svc-${i}.yml`, workflow(`svc-${i}-deploy`));
  }
  // A trust policy staged on its own: the workflow assuming it (unstaged) is read, the others are not.
  write(
    "iam/app-ci.json",
    JSON.stringify({
      Role: {
        RoleName: "app-ci",
        Arn: "arn:aws:iam::123456789012:role/app-ci",
        AssumeRolePolicyDocument: {
          Version: "2012-10-17",
          Statement: [
            {
              Effect: "Allow",
              Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
              Action: "sts:AssumeRoleWithWebIdentity",
              Condition: { StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" } },
            },
          ],
        },
      },
    }),
  );
  write(".github/workflows/ci.yml", workflow("app-ci"));
  write(".github/workflows/deploy.yml", workflow("app-deploy"));

  it("a staged workflow: the role it assumes (its name from a local in another file of the module) and nothing else", async () => {
    const loaded = await loadProject({ cwd: repo, paths: [".github/workflows/deploy.yml"], contextPaths: ["."] });
    expect(loaded.project.files.map((f) => f.file).sort()).toEqual([
      ".github/workflows/deploy.yml",
      "infra/deploy/locals.tf",
      "infra/deploy/main.tf",
    ]);
    const alone = await findings(repo, [".github/workflows/deploy.yml"], ["."]);
    expect(alone.some((l) => /^\.github\/workflows\/deploy\.yml:\d+:\d+-\S+ error trust-mismatch\//.test(l))).toBe(
      true,
    );
    const whole = await findings(repo, ["."]);
    expect(alone).toEqual(whole.filter((l) => l.startsWith(".github/workflows/deploy.yml:")));
  });

  it("a staged trust policy: the workflows that may assume it, not the others", async () => {
    const loaded = await loadProject({ cwd: repo, paths: ["iam/app-ci.json"], contextPaths: ["."] });
    expect(loaded.project.files.map((f) => f.file).sort()).toEqual([".github/workflows/ci.yml", "iam/app-ci.json"]);
    const alone = await findings(repo, ["iam/app-ci.json"], ["."]);
    expect(alone.some((l) => l.includes("missing-sub-condition"))).toBe(true);
    const whole = await findings(repo, ["."]);
    expect(alone).toEqual(whole.filter((l) => l.startsWith("iam/app-ci.json:")));
  });
});

/**
 * The choice keeps every file whose text may define a role the staged workflow assumes, or a provider, whatever
 * its path or format: a role is found by its name anywhere in a file's text (or kept when its name is computed),
 * never by where the file is. Each role here sits where a path-based guess would not look; each staged workflow
 * has a finding that only the role gives, so leaving the file out would change the output.
 */
describe("--context finds roles and providers in files it could not guess from their paths", () => {
  const repo = mkdtempSync(join(tmpdir(), "oidclint-context-odd-"));
  afterAll(() => {
    rmSync(repo, { recursive: true, force: true });
  });
  const write = (rel: string, text: string): void => {
    mkdirSync(dirname(join(repo, rel)), { recursive: true });
    writeFileSync(join(repo, rel), text);
  };
  const releaseOnly = "repo:acme/app:ref:refs/heads/release";
  const statement = {
    Effect: "Allow",
    Principal: { Federated: "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com" },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: {
      StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
      StringLike: { "token.actions.githubusercontent.com:sub": releaseOnly },
    },
  };
  write(".oidclintrc.json", JSON.stringify({ repository: "acme/app" }));
  // A CloudFormation template among Kubernetes manifests.
  write(
    "k8s/chart-values.yaml",
    `AWSTemplateFormatVersion: "2010-09-09"
Resources:
  DeployRole:
    Type: AWS::IAM::Role
    Properties:
      RoleName: odd-a
      AssumeRolePolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Principal:
              Federated: arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringEquals:
                token.actions.githubusercontent.com:aud: sts.amazonaws.com
              StringLike:
                token.actions.githubusercontent.com:sub: ${releaseOnly}
`,
  );
  write("k8s/deployment.yaml", "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: odd-web\n");
  // `aws iam get-role` output kept as documentation; the workflow names the role with its path.
  write(
    "docs/examples/get-role.json",
    JSON.stringify({
      Role: {
        Path: "/team/",
        RoleName: "odd-b",
        Arn: "arn:aws:iam::123456789012:role/team/odd-b",
        AssumeRolePolicyDocument: { Version: "2012-10-17", Statement: [statement] },
      },
    }),
  );
  // A Terraform role whose name is computed from a variable declared in another file: the name is in no text.
  write(
    "bootstrap/main.tf",
    `resource "aws_iam_role" "ci" {\n  name = "\${var.prefix}-deploy"\n  assume_role_policy = ${tfTrust(releaseOnly)}\n}\n`,
  );
  write("bootstrap/variables.tf", `variable "prefix" {\n  default = "odd-c"\n}\n`);
  // A role named by prefix only.
  write(
    "ops/iam/role.tf",
    `resource "aws_iam_role" "ci" {\n  name_prefix = "odd-d-"\n  assume_role_policy = ${tfTrust(releaseOnly)}\n}\n`,
  );
  // The provider, in a stack of its own, away from every role.
  write(
    "platform/identity.json",
    JSON.stringify({
      AWSTemplateFormatVersion: "2010-09-09",
      Resources: {
        GitHub: {
          Type: "AWS::IAM::OIDCProvider",
          Properties: { Url: "https://token.actions.githubusercontent.com", ClientIdList: ["sigstore"] },
        },
      },
    }),
  );
  write(".github/workflows/a.yml", deployWorkflow("odd-a"));
  write(".github/workflows/b.yml", deployWorkflow("team/odd-b"));
  write(".github/workflows/c.yml", deployWorkflow("odd-c-deploy"));
  write(".github/workflows/d.yml", deployWorkflow("odd-d-20240101120000000000000001"));

  const staged = async (file: string): Promise<string[]> => {
    const loaded = await loadProject({ cwd: repo, paths: [file], contextPaths: ["."] });
    return loaded.project.files.map((f) => f.file).sort();
  };

  it("keeps the file that defines the assumed role, wherever it is, and the findings it gives", async () => {
    const whole = await findings(repo, ["."]);
    // A role whose name is computed or only a prefix may be any role (with its module directory), and a
    // provider file may matter to every workflow: kept for each. The Kubernetes manifest never is.
    const always = ["bootstrap/main.tf", "bootstrap/variables.tf", "ops/iam/role.tf", "platform/identity.json"];
    const cases: [string, string[]][] = [
      [".github/workflows/a.yml", ["k8s/chart-values.yaml"]],
      [".github/workflows/b.yml", ["docs/examples/get-role.json"]],
      [".github/workflows/c.yml", []],
      [".github/workflows/d.yml", []],
    ];
    for (const [workflow, roleFiles] of cases) {
      expect(await staged(workflow), workflow).toEqual([workflow, ...roleFiles, ...always].sort());
      const alone = await findings(repo, [workflow], ["."]);
      expect(
        alone.some((l) => / error trust-mismatch\//.test(l)),
        workflow,
      ).toBe(true);
      expect(alone, workflow).toEqual(whole.filter((l) => l.startsWith(`${workflow}:`)));
    }
  });

  it("a staged provider: every policy, wherever it is", async () => {
    const files = await staged("platform/identity.json");
    expect(files).toEqual(
      expect.arrayContaining(["k8s/chart-values.yaml", "docs/examples/get-role.json", "bootstrap/main.tf"]),
    );
    const alone = await findings(repo, ["platform/identity.json"], ["."]);
    expect(alone.some((l) => l.includes("audience-drift"))).toBe(true);
    const whole = await findings(repo, ["."]);
    expect(alone).toEqual(whole.filter((l) => l.startsWith("platform/identity.json:")));
  });
});

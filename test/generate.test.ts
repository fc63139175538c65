import { captureIO as io } from "./helpers.js";
/**
 * `oidclint generate`: the policy generated from `fixtures/_generate/repo` in each output language lints
 * clean (and is read back as one trust policy with the predicted values), `check` accepts every predicted
 * claim and refuses a sibling branch, another repository and another owner.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { loadProject } from "../src/engine/load-project.js";
import { knownText } from "../src/model/value.js";
import { FIXTURES, run } from "./helpers.js";

const REPO = join(FIXTURES, "_generate", "repo");
const scratch = mkdtempSync(join(tmpdir(), "oidclint-generate-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function generate(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const cli = io(REPO);
  const code = await main(["generate", ...args], cli);
  return { code, out: cli.out, err: cli.err };
}

const PREDICTED = [
  "repo:acme/app:environment:production",
  "repo:acme/app:ref:refs/heads/main",
  "repo:acme/app:ref:refs/heads/release/*",
  "repo:acme/app:ref:refs/tags/v*",
];

/** Claims the jobs assuming `deploy` receive, one per trigger situation. */
const ACCEPTED = [
  "repo:acme/app:environment:production",
  "repo:acme/app:ref:refs/heads/main",
  "repo:acme/app:ref:refs/heads/release/2.0",
  "repo:acme/app:ref:refs/tags/v1.4.0",
];
const REFUSED = {
  "a sibling branch": "repo:acme/app:ref:refs/heads/dev",
  "a pull request": "repo:acme/app:pull_request",
  "another environment": "repo:acme/app:environment:staging",
  "another repository": "repo:acme/other:ref:refs/heads/main",
  "another owner": "repo:evil/app:ref:refs/heads/main",
};

const OUTPUTS: { name: string; args: string[]; file: string }[] = [
  { name: "json", args: ["--format", "json"], file: "trust.json" },
  { name: "terraform (aws_iam_policy_document)", args: ["--format", "terraform"], file: "main.tf" },
  {
    name: "terraform (jsonencode)",
    args: ["--format", "terraform", "--terraform-style", "jsonencode"],
    file: "main.tf",
  },
  { name: "cloudformation", args: ["--format", "cloudformation"], file: "template.yaml" },
  { name: "cdk", args: ["--format", "cdk"], file: "lib/stack.ts" },
];

describe("generate --role deploy", () => {
  it("names what it leaves out and the widening IAM's `*` brings", async () => {
    const { code, err } = await generate(["--role", "deploy"]);
    expect(code).toBe(0);
    expect(err.split("\n").filter((l) => l !== "")).toEqual([
      "oidclint generate: .github/workflows/manual.yml › deploy (workflow_dispatch): workflow_dispatch runs from any branch: give the job an `environment` or a `branches`/`tags` filter; left out",
      "oidclint generate: the filter `v*` stops at `/` in GitHub, IAM's `*` does not: the policy also accepts names below it (`vx/y`)",
    ]);
  });

  for (const o of OUTPUTS) {
    describe(o.name, () => {
      const dir = join(scratch, o.name.replace(/\W+/g, "-"));
      const file = join(dir, o.file);
      it("lints clean and is read back as one trust policy with the predicted values", async () => {
        const { code, out } = await generate(["--role", "deploy", ...o.args]);
        expect(code).toBe(0);
        mkdirSync(join(file, ".."), { recursive: true });
        writeFileSync(file, out);
        // CDK source is read in a project that depends on aws-cdk-lib.
        if (o.name === "cdk")
          writeFileSync(join(dir, "package.json"), '{ "dependencies": { "aws-cdk-lib": "^2.150.0" } }\n');
        const report = await run({ cwd: dir });
        expect(report.results.flatMap((r) => r.messages.map((m) => `${m.ruleId}: ${m.message}`))).toEqual([]);
        const { project } = await loadProject({ cwd: dir, env: {} });
        const trust = project.policies.filter((p) => p.kind !== "permissions");
        expect(trust).toHaveLength(1);
        const conditions = trust[0]?.statements.flatMap((s) => s.conditions) ?? [];
        const sub = conditions.find((c) => knownText(c.key)?.endsWith(":sub"));
        expect(sub?.operator.value).toBe("StringLike");
        expect(sub?.values.items.map(knownText)).toEqual(PREDICTED);
        const aud = conditions.find((c) => knownText(c.key)?.endsWith(":aud"));
        expect([aud?.operator.value, ...(aud?.values.items.map(knownText) ?? [])]).toEqual([
          "StringEquals",
          "sts.amazonaws.com",
        ]);
      });

      it.runIf(o.name !== "cdk")("check accepts every predicted claim and refuses the others", async () => {
        const check = async (sub: string): Promise<number> =>
          main(["check", "--policy", file, "--sub", sub, "--aud", "sts.amazonaws.com", "--no-color"], io(dir));
        for (const sub of ACCEPTED) expect(await check(sub), sub).toBe(0);
        for (const [what, sub] of Object.entries(REFUSED)) expect(await check(sub), what).toBe(1);
      });
    });
  }
});

describe("generate for other roles and inputs", () => {
  it("another role gets only its own job's claims (its pull requests included)", async () => {
    const { code, out } = await generate(["--role", "arn:aws:iam::123456789012:role/readonly"]);
    expect(code).toBe(0);
    const doc = JSON.parse(out) as { Statement: { Condition: { StringLike: Record<string, string[]> } }[] };
    expect(doc.Statement[0]?.Condition.StringLike["token.actions.githubusercontent.com:sub"]).toEqual([
      "repo:acme/app:pull_request",
      "repo:acme/app:ref:refs/heads/main",
      "repo:acme/app:ref:refs/heads/release/*",
      "repo:acme/app:ref:refs/tags/v*",
    ]);
  });

  it("exact claims only: StringEquals on sub", async () => {
    const dir = join(scratch, "exact");
    mkdirSync(join(dir, ".github", "workflows"), { recursive: true });
    writeFileSync(join(dir, ".oidclintrc.json"), '{ "repository": "acme/site" }\n');
    writeFileSync(
      join(dir, ".github", "workflows", "pages.yml"),
      "on:\n  push:\n    branches: [main]\njobs:\n  publish:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n      - uses: aws-actions/configure-aws-credentials@v4\n        with:\n          role-to-assume: arn:aws:iam::210987654321:role/site\n          aws-region: us-east-1\n          audience: sts.amazonaws.com\n",
    );
    const cli = io(dir);
    expect(await main(["generate", "--role", "site"], cli)).toBe(0);
    const doc = JSON.parse(cli.out) as {
      Statement: { Principal: { Federated: string }; Condition: Record<string, Record<string, string>> }[];
    };
    expect(doc.Statement[0]?.Principal.Federated).toBe(
      "arn:aws:iam::210987654321:oidc-provider/token.actions.githubusercontent.com",
    );
    expect(doc.Statement[0]?.Condition).toEqual({
      StringEquals: {
        "token.actions.githubusercontent.com:aud": "sts.amazonaws.com",
        "token.actions.githubusercontent.com:sub": "repo:acme/site:ref:refs/heads/main",
      },
    });
  });

  it("writes no policy when nothing can be predicted, and says why", async () => {
    const { code, out, err } = await generate(["--role", "nobody"]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toBe("oidclint generate: no job assumes nobody through OIDC in the files read\n");
  });

  it("rejects a missing --role and an unknown format", async () => {
    expect((await generate([])).code).toBe(2);
    const bad = await generate(["--role", "deploy", "--format", "pulumi"]);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('unknown format "pulumi" (expected json, terraform, cloudformation, cdk)');
  });
});

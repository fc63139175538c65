/**
 * `oidclint generate`: for each fixture repository (plain jobs, reusable workflows, immutable subjects, a
 * customised sub template) and each output language, the generated policy is written next to the
 * workflows in a copy of the repository and
 * - lints clean (the only finding allowed is the one the case names: a job generate said it left out),
 * - is read back as one trust policy with exactly the predicted conditions,
 * - is accepted by the claim analysis `trust-mismatch` uses for every job situation generate predicted,
 * - and `check` accepts every predicted token and refuses a sibling branch, another repository and another
 *   owner (and whatever else the case names).
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { main } from "../src/cli.js";
import { findRefusedClaim } from "../src/analysis/iam-evaluation.js";
import { predictTrust } from "../src/commands/generate.js";
import { loadProject } from "../src/engine/load-project.js";
import { knownText } from "../src/model/value.js";
import { captureIO as io, FIXTURES, run } from "./helpers.js";

const GENERATE = join(FIXTURES, "_generate");
const REPO = join(GENERATE, "repo");
const scratch = mkdtempSync(join(tmpdir(), "oidclint-generate-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

async function generate(args: string[], cwd = REPO): Promise<{ code: number; out: string; err: string }> {
  const cli = io(cwd);
  const code = await main(["generate", ...args], cli);
  return { code, out: cli.out, err: cli.err };
}

const ISSUER = "token.actions.githubusercontent.com";
const AUD = `${ISSUER}:aud`;
const SUB = `${ISSUER}:sub`;
const JWR = `${ISSUER}:job_workflow_ref`;

/** Claims of a token: `sub`, and `job_workflow_ref` where the case is about one. */
interface Token {
  sub: string;
  job_workflow_ref?: string;
}

interface Case {
  fixture: string;
  role: string;
  arn: string;
  /** stderr, line by line. */
  notes: string[];
  /** The policy's statements as read back, each as its conditions: `operator key` → values. */
  statements: Record<string, string[]>[];
  /** How many job situations the policy is meant to accept. */
  situations: number;
  accepted: Token[];
  refused: Record<string, Token>;
  /** Findings a lint of the repository with the policy shows (`rule line:col message`), none by default. */
  findings?: string[];
}

const CASES: Case[] = [
  {
    fixture: "repo",
    role: "deploy",
    arn: "arn:aws:iam::123456789012:role/deploy",
    notes: [
      "oidclint generate: .github/workflows/manual.yml › deploy (workflow_dispatch): workflow_dispatch runs from any branch: give the job an `environment` or a `branches`/`tags` filter; left out",
      "oidclint generate: the filter `v*` stops at `/` in GitHub, IAM's `*` does not: the policy also accepts names below it (`vx/y`)",
    ],
    statements: [
      {
        [`StringEquals ${AUD}`]: ["sts.amazonaws.com"],
        [`StringLike ${SUB}`]: [
          "repo:acme/app:environment:production",
          "repo:acme/app:ref:refs/heads/main",
          "repo:acme/app:ref:refs/heads/release/*",
          "repo:acme/app:ref:refs/tags/v*",
        ],
      },
    ],
    situations: 3,
    accepted: [
      { sub: "repo:acme/app:environment:production" },
      { sub: "repo:acme/app:ref:refs/heads/main" },
      { sub: "repo:acme/app:ref:refs/heads/release/2.0" },
      { sub: "repo:acme/app:ref:refs/tags/v1.4.0" },
    ],
    refused: {
      "a sibling branch": { sub: "repo:acme/app:ref:refs/heads/dev" },
      "a pull request": { sub: "repo:acme/app:pull_request" },
      "another environment": { sub: "repo:acme/app:environment:staging" },
      "another repository": { sub: "repo:acme/other:ref:refs/heads/main" },
      "another owner": { sub: "repo:evil/app:ref:refs/heads/main" },
    },
    // The manual run generate left out is the one job the policy refuses.
    findings: [
      "trust-mismatch .github/workflows/manual.yml:15:27 Manual runs of job `deploy` from a branch other than `main` are refused",
    ],
  },
  {
    fixture: "reusable",
    role: "shop-deploy",
    arn: "arn:aws:iam::210987654321:role/shop-deploy",
    notes: [
      "oidclint generate: .github/workflows/manual.yml › deploy → .github/workflows/deploy.yml › deploy (workflow_dispatch): the environment `${{ inputs.target }}` is not known statically; left out",
      "oidclint generate: .github/workflows/rollback.yml › rollback (workflow_call): no workflow of the files read calls it (a caller in another repository decides the claims); left out",
      "oidclint generate: .github/workflows/release.yml › cdn: passes the role to `acme/platform-workflows/.github/workflows/invalidate-cdn.yml@v3`, a reusable workflow of another repository oidclint cannot read (its jobs' `environment` decides the sub); left out",
      "oidclint generate: the filter `v*` stops at `/` in GitHub, IAM's `*` does not: the policy also accepts names below it (`vx/y`)",
    ],
    // One statement per pairing: production only from release tags, staging only from main.
    statements: [
      {
        [`StringEquals ${AUD}`]: ["sts.amazonaws.com"],
        [`StringEquals ${SUB}`]: ["repo:acme/shop:environment:production"],
        [`StringLike ${JWR}`]: ["acme/shop/.github/workflows/deploy.yml@refs/tags/v*"],
      },
      {
        [`StringEquals ${AUD}`]: ["sts.amazonaws.com"],
        [`StringEquals ${SUB}`]: ["repo:acme/shop:environment:staging"],
        [`StringEquals ${JWR}`]: ["acme/shop/.github/workflows/deploy.yml@refs/heads/main"],
      },
    ],
    situations: 2,
    accepted: [
      {
        sub: "repo:acme/shop:environment:staging",
        job_workflow_ref: "acme/shop/.github/workflows/deploy.yml@refs/heads/main",
      },
      {
        sub: "repo:acme/shop:environment:production",
        job_workflow_ref: "acme/shop/.github/workflows/deploy.yml@refs/tags/v2.1.0",
      },
    ],
    refused: {
      "staging from a release tag (a pairing no job makes)": {
        sub: "repo:acme/shop:environment:staging",
        job_workflow_ref: "acme/shop/.github/workflows/deploy.yml@refs/tags/v2.1.0",
      },
      "a sibling branch (same environment)": {
        sub: "repo:acme/shop:environment:staging",
        job_workflow_ref: "acme/shop/.github/workflows/deploy.yml@refs/heads/dev",
      },
      "another workflow of the repository": {
        sub: "repo:acme/shop:environment:staging",
        job_workflow_ref: "acme/shop/.github/workflows/ci.yml@refs/heads/main",
      },
      "a job without the environment": {
        sub: "repo:acme/shop:ref:refs/heads/main",
        job_workflow_ref: "acme/shop/.github/workflows/deploy.yml@refs/heads/main",
      },
      "another repository": {
        sub: "repo:acme/web:environment:staging",
        job_workflow_ref: "acme/web/.github/workflows/deploy.yml@refs/heads/main",
      },
      "another owner": {
        sub: "repo:evil/shop:environment:staging",
        job_workflow_ref: "evil/shop/.github/workflows/deploy.yml@refs/heads/main",
      },
    },
  },
  {
    fixture: "reusable-dispatch",
    role: "handbook-docs",
    arn: "arn:aws:iam::420042004200:role/handbook-docs",
    notes: [
      "oidclint generate: .github/workflows/rebuild.yml › rebuild → .github/workflows/publish-docs.yml › publish on `workflow_dispatch` (runs from any branch, environment `docs`): the ref the workflow runs at cannot be predicted; `job_workflow_ref` pins `acme/handbook/.github/workflows/publish-docs.yml@*` at any ref",
    ],
    statements: [
      {
        [`StringEquals ${AUD}`]: ["sts.amazonaws.com"],
        [`StringEquals ${SUB}`]: ["repo:acme/handbook:environment:docs"],
        [`StringLike ${JWR}`]: ["acme/handbook/.github/workflows/publish-docs.yml@*"],
      },
    ],
    situations: 2,
    accepted: [
      {
        sub: "repo:acme/handbook:environment:docs",
        job_workflow_ref: "acme/handbook/.github/workflows/publish-docs.yml@refs/heads/main",
      },
      {
        sub: "repo:acme/handbook:environment:docs",
        job_workflow_ref: "acme/handbook/.github/workflows/publish-docs.yml@refs/heads/fix/typo",
      },
    ],
    refused: {
      "another workflow with the same environment": {
        sub: "repo:acme/handbook:environment:docs",
        job_workflow_ref: "acme/handbook/.github/workflows/docs.yml@refs/heads/main",
      },
      "a sibling branch without the environment": {
        sub: "repo:acme/handbook:ref:refs/heads/dev",
        job_workflow_ref: "acme/handbook/.github/workflows/publish-docs.yml@refs/heads/dev",
      },
      "another repository": {
        sub: "repo:acme/wiki:environment:docs",
        job_workflow_ref: "acme/wiki/.github/workflows/publish-docs.yml@refs/heads/main",
      },
      "another owner": {
        sub: "repo:evil/handbook:environment:docs",
        job_workflow_ref: "evil/handbook/.github/workflows/publish-docs.yml@refs/heads/main",
      },
    },
  },
  {
    fixture: "immutable",
    role: "billing-migrate",
    arn: "arn:aws:iam::555666777888:role/billing-migrate",
    notes: [],
    statements: [
      {
        [`StringEquals ${AUD}`]: ["sts.amazonaws.com"],
        [`StringEquals ${SUB}`]: [
          "repo:acme@4471023/billing-api@918273645:environment:production",
          "repo:acme@4471023/billing-api@918273645:ref:refs/heads/main",
        ],
      },
    ],
    situations: 2,
    accepted: [
      { sub: "repo:acme@4471023/billing-api@918273645:ref:refs/heads/main" },
      { sub: "repo:acme@4471023/billing-api@918273645:environment:production" },
    ],
    refused: {
      "a sibling branch": { sub: "repo:acme@4471023/billing-api@918273645:ref:refs/heads/dev" },
      "the name-only form": { sub: "repo:acme/billing-api:ref:refs/heads/main" },
      "another repository": { sub: "repo:acme@4471023/billing-web@918273646:ref:refs/heads/main" },
      "another owner": { sub: "repo:evil@5550001/billing-api@918273645:ref:refs/heads/main" },
      "a new owner of the same name": { sub: "repo:acme@9990001/billing-api@918273645:ref:refs/heads/main" },
    },
  },
  {
    fixture: "custom-sub",
    role: "network-terraform",
    arn: "arn:aws:iam::300400500600:role/network-terraform",
    notes: [
      "oidclint generate: .github/workflows/plan.yml › plan → .github/workflows/terraform.yml › run (pull_request): the environment `${{ github.base_ref == 'main' && 'network-plan' || 'sandbox' }}` is not known statically; left out",
    ],
    statements: [
      {
        [`StringEquals ${AUD}`]: ["sts.amazonaws.com"],
        [`StringEquals ${SUB}`]: [
          "repo:acme/network:environment:network-prod:job_workflow_ref:acme/network/.github/workflows/terraform.yml@refs/heads/main",
        ],
      },
    ],
    situations: 1,
    accepted: [
      {
        sub: "repo:acme/network:environment:network-prod:job_workflow_ref:acme/network/.github/workflows/terraform.yml@refs/heads/main",
      },
    ],
    refused: {
      "a sibling branch": {
        sub: "repo:acme/network:environment:network-prod:job_workflow_ref:acme/network/.github/workflows/terraform.yml@refs/heads/dev",
      },
      "another workflow": {
        sub: "repo:acme/network:environment:network-prod:job_workflow_ref:acme/network/.github/workflows/plan.yml@refs/heads/main",
      },
      "the default template": { sub: "repo:acme/network:environment:network-prod" },
      "another repository": {
        sub: "repo:acme/dns:environment:network-prod:job_workflow_ref:acme/dns/.github/workflows/terraform.yml@refs/heads/main",
      },
      "another owner": {
        sub: "repo:evil/network:environment:network-prod:job_workflow_ref:evil/network/.github/workflows/terraform.yml@refs/heads/main",
      },
    },
  },
];

const OUTPUTS: { name: string; args: string[]; file: string }[] = [
  { name: "json", args: ["--format", "json"], file: "trust.json" },
  { name: "terraform (aws_iam_policy_document)", args: ["--format", "terraform"], file: "infra/main.tf" },
  {
    name: "terraform (jsonencode)",
    args: ["--format", "terraform", "--terraform-style", "jsonencode"],
    file: "infra/main.tf",
  },
  { name: "cloudformation", args: ["--format", "cloudformation"], file: "template.yaml" },
  { name: "cdk", args: ["--format", "cdk"], file: "lib/stack.ts" },
];

/** An unsigned token (`check` decodes, never verifies). */
function jwt(claims: Token & { aud: string }): string {
  const part = (o: object): string => Buffer.from(JSON.stringify(o)).toString("base64url");
  return `${part({ alg: "none", typ: "JWT" })}.${part({ iss: `https://${ISSUER}`, ...claims })}.sig`;
}

for (const c of CASES) {
  const fixture = join(GENERATE, c.fixture);
  describe(`generate --role ${c.role} (fixtures/_generate/${c.fixture})`, () => {
    it("names what it leaves out, and nothing else", async () => {
      const { code, err } = await generate(["--role", c.role], fixture);
      expect(code).toBe(0);
      expect(err.split("\n").filter((l) => l !== "")).toEqual(c.notes);
    });

    for (const o of OUTPUTS) {
      describe(o.name, () => {
        const dir = join(scratch, `${c.fixture}-${o.name.replace(/\W+/g, "-")}`);
        const file = join(dir, o.file);
        const written = async (): Promise<void> => {
          const { code, out } = await generate(["--role", c.role, ...o.args], fixture);
          expect(code).toBe(0);
          cpSync(fixture, dir, { recursive: true });
          mkdirSync(join(file, ".."), { recursive: true });
          writeFileSync(file, out);
          // A bare policy document names no role: the config maps the ARN to it, as a user would.
          const config = JSON.parse(readFileSync(join(fixture, ".oidclintrc.json"), "utf8")) as object;
          writeFileSync(join(dir, ".oidclintrc.json"), JSON.stringify({ ...config, roles: { [c.arn]: o.file } }));
          // CDK source is read in a project that depends on aws-cdk-lib.
          if (o.name === "cdk")
            writeFileSync(join(dir, "package.json"), '{ "dependencies": { "aws-cdk-lib": "^2.150.0" } }\n');
        };

        beforeAll(written);

        it("lints clean next to the workflows and is read back with exactly the predicted conditions", async () => {
          const report = await run({ cwd: dir });
          const findings = report.results.flatMap((r) =>
            r.messages.map((m) => `${m.ruleId} ${relative(dir, r.filePath)}:${m.line}:${m.column} ${m.message}`),
          );
          expect(findings).toEqual(c.findings ?? []);
          const { project } = await loadProject({ cwd: dir, env: {} });
          const trust = project.policies.filter((p) => p.kind !== "permissions");
          expect(trust).toHaveLength(1);
          const statements = (trust[0]?.statements ?? []).map((s) =>
            Object.fromEntries(
              s.conditions.map((k) => [`${k.operator.value} ${knownText(k.key) ?? ""}`, k.values.items.map(knownText)]),
            ),
          );
          expect(statements).toEqual(c.statements);
        });

        it("the claim analysis accepts every predicted job situation", async () => {
          const loaded = await loadProject({ cwd: dir, env: {} });
          const docs = loaded.project.policies.filter((p) => p.kind !== "permissions");
          const { accepted } = predictTrust(loaded, c.role);
          expect(accepted).toHaveLength(c.situations);
          for (const { where, situation: s } of accepted)
            expect(findRefusedClaim(docs, s.claims, loaded.config.settings, s.holes).verdict, where).toBe("accepted");
        });

        it("check accepts every predicted token and refuses the others", async () => {
          /** Exit code and verdict (`accepted`, `refused` or `undecided`, which also exits 1). */
          const check = async (t: Token): Promise<string> => {
            const cli = io(dir);
            const token = jwt({ ...t, aud: "sts.amazonaws.com" });
            const code = await main(["check", "--policy", file, "--token", token, "--format", "json"], cli);
            return `${code} ${(JSON.parse(cli.out) as { result: string }).result}`;
          };
          for (const t of c.accepted) expect(await check(t), t.job_workflow_ref ?? t.sub).toBe("0 accepted");
          for (const [what, t] of Object.entries(c.refused)) expect(await check(t), what).toBe("1 refused");
        });
      });
    }
  });
}

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

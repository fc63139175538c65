/**
 * Property-based fuzzing of every input kind (issue 12): mutated policies, get-role output, CloudFormation
 * (YAML and JSON), Terraform, plan JSON, workflows, action.yml, configs and JWTs. For each generated input:
 * no exception, a report that fits the JSON contract, bounded CPU time, and isolation (the finding of a
 * good workflow next to the hostile file survives).
 *
 * Fixed seed, small budget in `npm test`; `npm run fuzz` runs longer (OIDCLINT_FUZZ_RUNS per kind,
 * OIDCLINT_FUZZ_SEED to explore other inputs).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { ConfigError, resolveConfig } from "../src/config/load.js";
import type { LintReport } from "../src/engine/result.js";
import { main } from "../src/cli.js";
import { rules } from "../rules/index.js";
import { findingLines, run, GOOD_WORKFLOW, GOOD_FINDING } from "./helpers.js";

const RUNS = Number(process.env.OIDCLINT_FUZZ_RUNS) || (process.env.npm_lifecycle_event === "fuzz" ? 200 : 4);
const SEED = Number(process.env.OIDCLINT_FUZZ_SEED) || 20261206;
/** CPU seconds one input may cost, with room for a shared CI machine (the benchmark holds the 1 s bound). */
const CPU_LIMIT_S = 8;

const root = mkdtempSync(join(tmpdir(), "oidclint-fuzz-"));
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

const PROVIDER = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";
const statement = {
  Effect: "Allow",
  Principal: { Federated: PROVIDER },
  Action: "sts:AssumeRoleWithWebIdentity",
  Condition: {
    StringEquals: { "token.actions.githubusercontent.com:aud": "sts.amazonaws.com" },
    StringLike: { "token.actions.githubusercontent.com:sub": "repo:acme/app:ref:refs/heads/main" },
  },
};
const policy = { Version: "2012-10-17", Statement: [statement] };

/** One valid input per kind, with the path it is linted under. */
const KINDS: Record<string, { path: string; text: string }> = {
  policy: { path: "fuzz/trust.json", text: JSON.stringify(policy, null, 2) },
  getRole: {
    path: "fuzz/role.json",
    text: JSON.stringify(
      { Role: { RoleName: "deploy", Path: "/", AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify(policy)) } },
      null,
      2,
    ),
  },
  cfnYaml: {
    path: "fuzz/template.yaml",
    text: `AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Repo: { Type: String, Default: acme/app }
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument:
        Statement:
          - Effect: Allow
            Principal: { Federated: !Sub "arn:aws:iam::\${AWS::AccountId}:oidc-provider/token.actions.githubusercontent.com" }
            Action: sts:AssumeRoleWithWebIdentity
            Condition:
              StringLike:
                token.actions.githubusercontent.com:sub: !Sub "repo:\${Repo}:*"
              StringEquals: { token.actions.githubusercontent.com:aud: sts.amazonaws.com }
`,
  },
  cfnJson: {
    path: "fuzz/stack.template.json",
    text: JSON.stringify(
      {
        AWSTemplateFormatVersion: "2010-09-09",
        Resources: { Role: { Type: "AWS::IAM::Role", Properties: { AssumeRolePolicyDocument: policy } } },
      },
      null,
      2,
    ),
  },
  terraform: {
    path: "fuzz/main.tf",
    text: `variable "repo" {
  default = "acme/app"
}
locals {
  subs = ["repo:\${var.repo}:ref:refs/heads/main", "repo:\${var.repo}:environment:prod"]
}
data "aws_iam_policy_document" "trust" {
  statement {
    actions = ["sts:AssumeRoleWithWebIdentity"]
    principals {
      type        = "Federated"
      identifiers = ["${PROVIDER}"]
    }
    condition {
      test     = "StringLike"
      variable = "token.actions.githubusercontent.com:sub"
      values   = [for s in local.subs : s if length(s) > 3]
    }
  }
}
resource "aws_iam_role" "deploy" {
  name               = "deploy"
  assume_role_policy = data.aws_iam_policy_document.trust.json
}
`,
  },
  plan: {
    path: "fuzz/plan.json",
    text: JSON.stringify(
      {
        format_version: "1.2",
        terraform_version: "1.9.0",
        planned_values: {
          root_module: {
            resources: [
              {
                address: "aws_iam_role.deploy",
                type: "aws_iam_role",
                name: "deploy",
                values: { name: "deploy", assume_role_policy: JSON.stringify(policy) },
              },
            ],
          },
        },
      },
      null,
      2,
    ),
  },
  workflow: {
    path: ".github/workflows/fuzz.yml",
    text: `name: deploy
on:
  push:
    branches: [main, "release/**"]
  pull_request:
permissions:
  id-token: write
  contents: read
jobs:
  deploy:
    if: github.ref == 'refs/heads/main'
    strategy:
      matrix:
        env: [dev, prod]
    environment: \${{ matrix.env }}
    runs-on: ubuntu-latest
    steps:
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/deploy
          aws-region: eu-west-1
`,
  },
  action: {
    path: "fuzz/action.yml",
    text: `name: assume
runs:
  using: composite
  steps:
    - uses: aws-actions/configure-aws-credentials@v4
      with:
        role-to-assume: \${{ inputs.role }}
        aws-region: eu-west-1
`,
  },
};

/** Mutations that found real bugs: bad bytes, control characters, wildcards, nesting, repetition, truncation. */
const mutation = fc.oneof(
  fc.record({ op: fc.constant("insert" as const), at: fc.nat(), text: fc.string({ unit: "binary", maxLength: 40 }) }),
  fc.record({ op: fc.constant("byte" as const), at: fc.nat(), byte: fc.constantFrom(0, 0xff, 0xc3, 0x1b, 0x0d, 0x7f) }),
  fc.record({
    op: fc.constant("wildcards" as const),
    at: fc.nat(),
    n: fc.integer({ min: 10, max: 2000 }),
    unit: fc.constantFrom("*", "*a", "**a", "?", "${", "%{ for x in y }"),
  }),
  fc.record({
    op: fc.constant("nest" as const),
    at: fc.nat(),
    n: fc.integer({ min: 10, max: 5000 }),
    open: fc.constantFrom("[", "{", "(", "- ", "  ", '{"a":', "[["),
  }),
  fc.record({
    op: fc.constant("repeat" as const),
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 80 }),
    n: fc.integer({ min: 2, max: 500 }),
  }),
  fc.record({ op: fc.constant("truncate" as const), at: fc.nat() }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer T> ? T : never;

function mutate(text: string, ops: readonly Mutation[]): Buffer {
  let buf = Buffer.from(text);
  for (const m of ops) {
    const at = buf.length === 0 ? 0 : m.at % (buf.length + 1);
    const before = buf.subarray(0, at);
    const after = buf.subarray(at);
    if (m.op === "insert") buf = Buffer.concat([before, Buffer.from(m.text, "latin1"), after]);
    else if (m.op === "byte") buf = Buffer.concat([before, Buffer.from([m.byte]), after]);
    else if (m.op === "wildcards") buf = Buffer.concat([before, Buffer.from(m.unit.repeat(m.n)), after]);
    else if (m.op === "nest") buf = Buffer.concat([before, Buffer.from(m.open.repeat(m.n)), after]);
    else if (m.op === "repeat")
      buf = Buffer.concat([
        before,
        Buffer.from(Array(m.n).fill(after.subarray(0, m.len).toString("latin1")).join(""), "latin1"),
        after,
      ]);
    else buf = before;
  }
  return buf;
}

let case_ = 0;
function writeRepo(files: Record<string, string | Buffer>): string {
  const dir = join(root, `c${case_++}`);
  for (const [path, body] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), body);
  }
  return dir;
}

/** The json format's contract: ESLint-shaped results, one-line messages, positions inside the file. */
function expectContract(report: LintReport): void {
  expect(Array.isArray(report.results)).toBe(true);
  const again = JSON.parse(JSON.stringify(report.results)) as unknown;
  expect(again).toEqual(report.results);
  for (const r of report.results) {
    expect(isAbsolute(r.filePath)).toBe(true);
    expect(r.errorCount).toBe(r.messages.filter((m) => m.severity === 2).length);
    expect(r.warningCount).toBe(r.messages.filter((m) => m.severity === 1).length);
    for (const m of r.messages) {
      expect(typeof m.ruleId).toBe("string");
      expect([1, 2]).toContain(m.severity);
      expect(typeof m.message).toBe("string");
      expect(m.message).not.toContain("\n");
      for (const n of [m.line, m.column, m.endLine, m.endColumn]) expect(Number.isInteger(n) && n >= 1).toBe(true);
      expect(m.endLine >= m.line).toBe(true);
    }
  }
  expect(report.ruleErrors).toBeUndefined();
}

async function cpuBounded<T>(fn: () => Promise<T>): Promise<T> {
  const started = process.cpuUsage();
  const out = await fn();
  const used = process.cpuUsage(started);
  expect((used.user + used.system) / 1e6).toBeLessThan(CPU_LIMIT_S);
  return out;
}

const params = { numRuns: RUNS, seed: SEED, endOnFailure: true };

describe("fuzz: every input kind", () => {
  for (const [kind, base] of Object.entries(KINDS)) {
    it(`${kind}: no throw, JSON contract, bounded time, the good file's finding survives`, async () => {
      await fc.assert(
        fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 4 }), async (ops) => {
          const cwd = writeRepo({ ".github/workflows/good.yml": GOOD_WORKFLOW, [base.path]: mutate(base.text, ops) });
          try {
            const report = await cpuBounded(() => run({ cwd }));
            expectContract(report);
            expect(findingLines(report, cwd, { withFile: true })).toContain(GOOD_FINDING);
            // No internal error anywhere: a parser bug would show as one.
            for (const r of report.results)
              for (const m of r.messages) expect(m.message).not.toContain("internal error");
          } finally {
            rmSync(cwd, { recursive: true, force: true });
          }
        }),
        params,
      );
    });
  }

  it("config: a hostile .oidclintrc.json is a config error or a config, never an internal error", async () => {
    const base = JSON.stringify(
      {
        ignore: ["legacy/**"],
        overrides: [{ files: ["infra/*.tf"], rules: { "broad-sub-wildcard": "off" } }],
        repositories: ["acme/app"],
        rules: { "mutable-sub-claim": "warn" },
      },
      null,
      2,
    );
    await fc.assert(
      fc.asyncProperty(fc.array(mutation, { minLength: 1, maxLength: 3 }), async (ops) => {
        const cwd = writeRepo({ ".oidclintrc.json": mutate(base, ops), ".github/workflows/good.yml": GOOD_WORKFLOW });
        try {
          await cpuBounded(async () => {
            const config = await resolveConfig({ cwd, rules, env: {} }).catch((e: unknown) => {
              if (e instanceof ConfigError) return undefined;
              throw e;
            });
            if (config) expectContract(await run({ cwd }));
          });
        } finally {
          rmSync(cwd, { recursive: true, force: true });
        }
      }),
      params,
    );
  });

  it("check --token: any payload is claims or a clean error (exit 0, 1 or 2, never an internal error)", async () => {
    const cwd = writeRepo({ "trust.json": JSON.stringify(policy, null, 2) });
    const claims = fc.dictionary(
      fc.oneof(
        fc.constantFrom("sub", "aud", "ref", "repository", "job_workflow_ref", "environment"),
        fc.string({ maxLength: 10 }),
      ),
      fc.letrec((tie) => ({
        value: fc.oneof(
          { depthSize: "small" },
          fc.string({ unit: "binary", maxLength: 60 }),
          fc.integer(),
          fc.boolean(),
          fc.constant(null),
          fc.array(tie("value"), { maxLength: 3 }),
          fc.dictionary(fc.string({ maxLength: 5 }), tie("value"), { maxKeys: 3 }),
        ),
      })).value,
    );
    const payload = fc.oneof(
      claims.map((c) => JSON.stringify(c)),
      fc.integer({ min: 100, max: 20000 }).map((n) => `{"sub":${"[".repeat(n)}${"]".repeat(n)}}`),
      fc.string({ unit: "binary", maxLength: 200 }),
    );
    await fc.assert(
      fc.asyncProperty(payload, fc.constantFrom("", ".", "..", "x"), async (body, extra) => {
        const token = `${Buffer.from('{"alg":"RS256"}').toString("base64url")}.${Buffer.from(body).toString("base64url")}.sig${extra}`;
        let err = "";
        const code = await cpuBounded(() =>
          main(["check", "--policy", "trust.json", "--token", token], {
            stdout: () => undefined,
            stderr: (s) => (err += s),
            readStdin: () => Promise.resolve(""),
            isTTY: false,
            cwd,
            env: {},
          }),
        );
        expect([0, 1, 2]).toContain(code);
        expect(err).not.toContain("internal error");
      }),
      { ...params, numRuns: RUNS * 4 },
    );
  });
});

/**
 * The fix text of findings whose fix is a choice (issue 10 §13–15): the workflow side first, exactly the
 * refused claim on the policy side, the job's other scopes kept, questions rather than orders about a
 * repository. `check`'s own fixes are in commands.test.ts.
 */
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { fixtureDir, run } from "./helpers.js";

async function fixes(rule: string, dir: string): Promise<string[]> {
  const report = await run({ cwd: join(fixtureDir(rule), "invalid", dir) });
  return report.results
    .flatMap((r) => r.messages)
    .filter((m) => m.ruleId === rule)
    .sort((a, b) => a.line - b.line || a.column - b.column || a.message.localeCompare(b.message))
    .map((m) => m.fix ?? "");
}

describe("trust-mismatch: the workflow side first, then exactly the refused claim", () => {
  it.each([
    [
      "open-triggers",
      [
        "state that the job runs only from `main` (job `if: github.ref == 'refs/heads/main'`) or give it an environment the role trusts; if another branch is meant to deploy, add exactly its claim (e.g. `repo:acme/app:ref:refs/heads/feature/login`).",
        "pin the trigger with a `branches:` filter the role accepts (e.g. `branches: [main]`), or add exactly `repo:acme/app:ref:refs/heads/feature/login` to the role's `…:sub` condition.",
      ],
    ],
    [
      "pull-request-vs-branch",
      [
        "do not assume this role in `pull_request` runs (`if: github.event_name != 'pull_request'` on the job or the step), or, if pull requests may use it, add exactly `repo:acme/app:pull_request` to the role's `…:sub` condition.",
      ],
    ],
    [
      "push-glob-vs-main",
      [
        "narrow the trigger's `branches` filter to the refs the role accepts (`branches: [main]`), or add exactly `repo:acme/app:ref:refs/heads/release/*` to the role's `…:sub` condition (as `StringLike`).",
      ],
    ],
    [
      "tag-vs-branches",
      [
        "assume this role only in branch runs (`if: startsWith(github.ref, 'refs/heads/')` on the step), or add exactly `repo:acme/app:ref:refs/tags/v*` to the role's `…:sub` condition (as `StringLike`).",
      ],
    ],
    [
      "pulumi-yaml-tag-role",
      [
        "assume this role only in tag runs (`if: startsWith(github.ref, 'refs/tags/')` on the step), or add exactly `repo:acme/app:ref:refs/heads/develop` to the role's `…:sub` condition.",
      ],
    ],
    [
      "merge-group-other-base",
      [
        "narrow the trigger's `branches` filter to the refs the role accepts (`branches: [main]`), or add exactly `repo:acme/app:ref:refs/heads/gh-readonly-queue/release/*/*` to the role's `…:sub` condition (as `StringLike`).",
      ],
    ],
    [
      "cfn-environment-vs-ref",
      [
        "give the job the environment the role trusts (`environment: production`: its sub is then `repo:acme/app:environment:production` on every trigger), or add exactly `repo:acme/app:ref:refs/heads/main` to the role's `…:sub` condition.",
      ],
    ],
    [
      "environment-vs-ref",
      [
        "drop the job's `environment:` if the role is meant for ref-based runs (a job with an environment always gets `…:environment:NAME`), or add exactly `repo:acme/app:environment:production` to the role's `…:sub` condition.",
      ],
    ],
    [
      "matrix-environments",
      [
        "leave `environment: dev` out of the matrix if this role is not meant for it; or, if it is, add exactly `repo:acme/app:environment:dev` to the role's `…:sub` condition.",
      ],
    ],
    [
      "role-of-renamed-repository",
      [
        "assume a role made for `acme/billing-service` if this one belongs to `acme/billing-api`; if this repository was renamed from `acme/billing-api`, write its new name in the role's `…:sub` condition.",
      ],
    ],
  ])("%s", async (dir, expected) => {
    expect(await fixes("trust-mismatch", dir)).toEqual(expected);
  });

  it("never offers a pattern wider than the trigger, and never leads with the policy", async () => {
    const { readdirSync } = await import("node:fs");
    const dirs = readdirSync(join(fixtureDir("trust-mismatch"), "invalid"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    const all = (await Promise.all(dirs.map((d) => fixes("trust-mismatch", d)))).flat();
    expect(all.length).toBeGreaterThan(20);
    for (const f of all) {
      expect(f).not.toMatch(/^add /);
      expect(f).not.toMatch(/`repo:[^`]*:(ref:refs\/(heads|tags)\/)?\*`|`repo:[^`]*:environment:\*`/);
    }
  });
});

describe("stale-repo-path asks, and never names an unrelated repository", () => {
  it("the configured repository's rename comes before an edit-distance neighbour (`acme/checkouts`)", async () => {
    expect(await fixes("stale-repo-path", "rename-over-neighbour")).toEqual([
      "Was this repository (`acme/checkout-service`) renamed from `acme/checkout`? If so, the sub must name the new name (`repo:acme/checkout-service:ref:refs/heads/main`); if not, check which repository this role is for.",
    ]);
  });

  it("every inventory finding's fix is a question or a check, never an order to grant another repository", async () => {
    const { readdirSync } = await import("node:fs");
    const dirs = readdirSync(join(fixtureDir("stale-repo-path"), "invalid"), { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    const all = (await Promise.all(dirs.map((d) => fixes("stale-repo-path", d)))).flat();
    expect(all.length).toBeGreaterThanOrEqual(dirs.length);
    for (const f of all) expect(f).toMatch(/^(Was this repository|Is `[^`]+` a misspelling of|Check the name)/);
  });
});

describe("missing-id-token-permission keeps the job's other scopes", () => {
  it("a job map and inherited workflow scopes", async () => {
    expect(await fixes("missing-id-token-permission", "job-map-without-id-token")).toEqual([
      "Add `id-token: write` to the job: `permissions: { contents: read, packages: write, id-token: write }`.",
    ]);
    expect(await fixes("missing-id-token-permission", "keeps-inherited-scopes")).toEqual([
      "Add `id-token: write` to the job: `permissions: { contents: read, packages: read, id-token: write }`.",
    ]);
  });
});

describe("refusedRepository", () => {
  it("names the repository only when no pattern can be about it", async () => {
    const { refusedRepository } = await import("../src/analysis/refused-repository.js");
    const sub = "repo:ml-platform/inference-service:environment:production";
    expect(refusedRepository(sub, ["repo:jdoe/inference-demo:*"])).toEqual({
      repo: "ml-platform/inference-service",
      trusted: ["jdoe/inference-demo"],
    });
    expect(refusedRepository(sub, ["repo:ML-Platform/Inference-Service:ref:refs/heads/main"])).toBeUndefined();
    expect(refusedRepository(sub, ["repo:ml-platform/*:ref:refs/heads/main"])).toBeUndefined();
    expect(refusedRepository(sub, ["repo:jdoe/inference-demo:*", "*"])).toBeUndefined();
    expect(refusedRepository(sub, [])).toBeUndefined();
  });
});

import { createFixer } from "../src/fix/fixer.js";
import { describe, expect, it } from "vitest";
import audienceDrift from "../rules/audience-drift.js";
import broadSubWildcard from "../rules/broad-sub-wildcard.js";
import malformedPrincipal from "../rules/malformed-principal.js";
import missingSubCondition from "../rules/missing-sub-condition.js";
import unsafeConditionOperator from "../rules/unsafe-condition-operator.js";
import { defaultSettings } from "../src/config/settings.js";
import { fillMessageText, type Rule, type RuleContext } from "../src/engine/rule.js";
import type { PolicyDocument } from "../src/model/policy.js";
import type { Project } from "../src/model/project.js";
import { indexProject } from "../src/analysis/project-index.js";
import { analyseJobWorkflowRef, analyseSub, type MatchMode } from "../src/analysis/sub-pattern.js";
import type { StrValue } from "../src/model/value.js";

const loc = { file: "t.json", line: 1, column: 1, endLine: 1, endColumn: 1 };

/** `${name}` pieces of the text become unknown parts. */
function value(text: string): StrValue {
  const parts: StrValue["parts"] = [];
  const re = /\$\{([^}]*)\}/g;
  let last = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > last) parts.push(text.slice(last, m.index));
    parts.push({ unknown: m[1] ?? "" });
    last = m.index + m[0].length;
  }
  if (last < text.length || parts.length === 0) parts.push(text.slice(last));
  return { parts, loc };
}

function analyse(text: string, mode: MatchMode = "like", template?: string[]) {
  return analyseSub(value(text), mode, template);
}

describe("sub-claim breadth", () => {
  const cases: [string, string | undefined][] = [
    ["*", "anyOwner"],
    ["repo:*", "anyOwner"],
    ["repo:acme*", "anyOwner"],
    ["*acme/app*", "anyOwner"],
    ["repo:acm?/app:ref:refs/heads/main", "anyOwner"],
    ["repo:*/app:ref:refs/heads/main", "anyOwner"],
    ["repo:acme-*/app:*", "anyOwner"],
    ["*:ref:refs/heads/main", "anyOwner"],
    ["repo:acme/*", "ownerWide"],
    ["repo:acme/app*", "ownerWide"],
    ["repo:acme/*:ref:refs/heads/main", "ownerWide"],
    ["repo:acme@*", "ownerWide"],
    ["repo:acme/app:*", "anyContext"],
    // the id wildcard before `/app@` can also run through another repository and a branch named `x/app@1`
    ["repo:acme@*/app@*", "ownerWide"],
    ["repo:acme@123/app@456:*", "anyContext"],
    ["repo:acme/app:ref:refs/heads/main", "scoped"],
    ["repo:acme/app:ref:refs/tags/v*", "scoped"],
    ["repo:acme/app:ref:refs/heads/release/*", "scoped"],
    ["repo:acme/app:ref:*", "scoped"],
    ["repo:acme/app:environment:*", "scoped"],
    ["repo:acme/app:pull_request", "scoped"],
    ["repo:acme@*/app@*:ref:refs/heads/main", "scoped"],
    ["repo:acme@123/app@456:ref:refs/heads/main", "scoped"],
    // unknown parts: only certain conclusions
    ["repo:${var.org}/*", "ownerWide"],
    ["repo:${var.org}/${var.repo}:ref:refs/heads/main", "scoped"],
    ["repo:${var.org}*", "anyOwner"],
    ["repo:${var.x}", undefined],
    ["${var.sub}", undefined],
    ["${var.prefix}:*", undefined],
    // never matches: no breadth
    ["repo:acme/app:branch:*", undefined],
  ];
  for (const [text, breadth] of cases) {
    it(`${text} → ${breadth ?? "nothing"}`, () => {
      expect(analyse(text).breadth).toBe(breadth);
    });
  }

  it("StringEquals keeps * literal: never broad", () => {
    const a = analyse("repo:acme/app:*", "equals");
    expect(a.canMatch).toBe(false);
    expect(a.breadth).toBeUndefined();
    expect(a.problem?.kind).toBe("literalWildcard");
  });

  it("IAM's ${*} is a literal star", () => {
    expect(analyseSub({ parts: ["repo:acme/app:${*}"], loc }, "like").canMatch).toBe(false);
    expect(analyseSub({ parts: ["repo:acme/app:${aws:x}"], loc }, "like").canMatch).toBe(true);
  });

  it("StringEqualsIgnoreCase matches keys case-insensitively", () => {
    expect(analyse("REPO:Acme/App:REF:refs/heads/main", "equalsIgnoreCase").canMatch).toBe(true);
    expect(analyse("REPO:Acme/App:REF:refs/heads/main", "equals").canMatch).toBe(false);
  });
});

describe("sub-claim custom templates", () => {
  const withWorkflow = ["repo", "context", "job_workflow_ref"];
  it("repo, context, job_workflow_ref", () => {
    const a = analyse(
      "repo:acme/app:ref:refs/heads/main:job_workflow_ref:acme/wf/.github/workflows/deploy.yml@refs/heads/main",
      "equals",
      withWorkflow,
    );
    expect(a.canMatch).toBe(true);
    expect(a.breadth).toBe("scoped");
    expect(a.owner).toBe("acme");
    expect(a.repo).toBe("app");
  });
  it("under the default template, a value that spells out a customised one is read under it", () => {
    const spelled = analyse(
      "repo:acme/app:pull_request:workflow_ref:acme/app/.github/workflows/ci.yml@refs/pull/*/merge",
      "like",
    );
    expect(spelled.canMatch).toBe(true);
    expect(spelled.template).toEqual(["repo", "context", "workflow_ref"]);
    expect(spelled.breadth).toBe("scoped");
    // A configured template is never replaced; a branch then an environment is a mistake, not a template.
    expect(analyse("repo:acme/app:ref:refs/heads/main:actor:octocat", "equals", withWorkflow).canMatch).toBe(false);
    expect(analyse("repo:acme/app:ref:refs/heads/main:environment:prod", "equals").canMatch).toBe(false);
    expect(analyse("repo:acme/app:pull_request:*", "like").canMatch).toBe(false);
    expect(analyse("repo:acme/app:ref:refs/heads/main:actor:a:actor:b", "equals").canMatch).toBe(false);
  });
  it("a default-template value never matches a custom template", () => {
    expect(analyse("repo:acme/app:ref:refs/heads/main", "equals", withWorkflow).canMatch).toBe(false);
  });
  it("a trailing * after the context swallows the workflow", () => {
    expect(analyse("repo:acme/app:*", "like", withWorkflow).breadth).toBe("anyContext");
    expect(
      analyse("repo:acme/*:job_workflow_ref:acme/wf/.github/workflows/d.yml@refs/heads/main", "like", withWorkflow)
        .breadth,
    ).toBe("ownerWide");
  });
  it("repository_owner_id, context", () => {
    const t = ["repository_owner_id", "context"];
    expect(analyse("repository_owner_id:123:ref:refs/heads/main", "equals", t).canMatch).toBe(true);
    expect(analyse("repository_owner_id:123:*", "like", t).breadth).toBe("anyContext");
    expect(analyse("repository_owner_id:*", "like", t).breadth).toBe("anyOwner");
    expect(analyse("repo:acme/app:ref:refs/heads/main", "equals", t).canMatch).toBe(false);
  });
});

describe("sub-claim names", () => {
  it("extracts exact owner and repository", () => {
    const a = analyse("repo:acme/app:ref:refs/heads/main");
    expect([a.owner, a.repo, a.form]).toEqual(["acme", "app", "name"]);
    expect(a.immutableForm).toBe("repo:acme@OWNER_ID/app@REPO_ID:ref:refs/heads/main");
  });
  it("immutable form", () => {
    const a = analyse("repo:acme@123/app@456:ref:refs/heads/main");
    expect([a.owner, a.repo, a.ownerId, a.repoId, a.form]).toEqual(["acme", "app", "123", "456", "immutable"]);
    const w = analyse("repo:acme@*/app@*:ref:refs/heads/main");
    expect([w.owner, w.repo, w.form]).toEqual(["acme", "app", "immutable"]);
  });
  it("no exact repository under a wildcard or an unknown", () => {
    expect(analyse("repo:acme/app*").repo).toBeUndefined();
    expect(analyse("repo:acme/*").owner).toBe("acme");
    expect(analyse("repo:acme/*").immutableForm).toBe("repo:acme@OWNER_ID/*");
    expect(analyse("repo:${var.org}/app:ref:refs/heads/main").owner).toBeUndefined();
    expect(analyse("repo:acme/app:environment:${var.env}").repo).toBe("app");
  });
});

describe("sub-claim validity", () => {
  const cases: [string, MatchMode, string, string | undefined][] = [
    ["", "equals", "empty", undefined],
    [" repo:acme/app:ref:refs/heads/main", "equals", "whitespace", "repo:acme/app:ref:refs/heads/main"],
    ["repo:acme/app:ref:refs/heads/main ", "like", "whitespace", "repo:acme/app:ref:refs/heads/main"],
    ["repo:acme/app: ref:refs/heads/main", "like", "whitespace", "repo:acme/app:ref:refs/heads/main"],
    ["https://github.com/acme/app", "like", "url", "repo:acme/app:ref:refs/heads/main"],
    ["repo:acme/app:*", "equals", "literalWildcard", undefined],
    ["acme/app:ref:refs/heads/main", "equals", "missingRepoPrefix", "repo:acme/app:ref:refs/heads/main"],
    ["repository:acme/app:*", "like", "missingRepoPrefix", "repo:acme/app:*"],
    ["repo:acme/app:ref:main", "equals", "shortRef", "repo:acme/app:ref:refs/heads/main"],
    ["repo:acme/app:ref:tags/v1", "equals", "shortRef", "repo:acme/app:ref:refs/tags/v1"],
    ["repo:acme/app:refs/heads/main", "equals", "wrongContext", "repo:acme/app:ref:refs/heads/main"],
    ["repo:acme/app:branch:main", "equals", "wrongContext", "repo:acme/app:ref:refs/heads/main"],
    ["repo:acme/app:tag:v1", "like", "wrongContext", "repo:acme/app:ref:refs/tags/v1"],
    ["repo:acme/app:pull-request", "equals", "wrongContext", "repo:acme/app:pull_request"],
    ["repo:acme/app:pull_request:*", "like", "wrongContext", "repo:acme/app:pull_request"],
    ["repo:acme/app:env:prod", "equals", "wrongContext", "repo:acme/app:environment:prod"],
    ["repo:acme/app@1:ref:refs/heads/main", "equals", "mixedForm", undefined],
    ["repo:acme/app", "equals", "noContext", undefined],
    ["repo:acme/app:ref:refs/heads/main:extra", "equals", "neverMatches", undefined],
    ["refs/heads/${var.branch}", "equals", "missingRepoPrefix", "repo:OWNER/REPO:ref:refs/heads/${var.branch}"],
  ];
  for (const [text, mode, kind, suggestion] of cases) {
    it(`${JSON.stringify(text)} (${mode}) → ${kind}`, () => {
      const a = analyse(text, mode);
      expect(a.canMatch).toBe(false);
      expect(a.problem?.kind).toBe(kind);
      expect(a.problem?.suggestion).toBe(suggestion);
    });
  }

  const fine: [string, MatchMode][] = [
    ["repo:acme/app:ref:refs/heads/main", "equals"],
    ["repo:acme/app:ref:refs/tags/v*", "like"],
    ["repo:acme@*/app@*:ref:refs/heads/main", "like"],
    ["repo:acme/app:environment:Production", "equals"],
    ["repo:acme/app:pull_request", "equals"],
    ["repo:octocat_emu/app:ref:refs/heads/feature/x-1.2", "equals"],
    ["repo:${var.org}/app:ref:refs/heads/main", "equals"],
    ["${var.sub}", "equals"],
    ["repo:acme/${var.repo}:*", "like"],
    ["repo:${aws:PrincipalTag/org}/app:*", "like"],
  ];
  for (const [text, mode] of fine) {
    it(`${text} (${mode}) can match`, () => {
      expect(analyse(text, mode).canMatch).toBe(true);
    });
  }

  it("unknown parts that cannot make it valid are still reported", () => {
    expect(analyse("repo:${var.org}/app:ref:main", "equals").problem?.kind).toBe("shortRef");
  });

  it("does not blow up on long or odd input", () => {
    expect(analyse("*".repeat(5000)).canMatch).toBe(true);
    expect(analyse("repo:" + "*a".repeat(300)).breadth).toBe("anyOwner");
  });
});

describe("job_workflow_ref breadth", () => {
  const cases: [string, string | undefined][] = [
    ["*", "anyOwner"],
    ["*/deploy.yml@*", "anyOwner"],
    ["acm*", "anyOwner"],
    ["ac?e/wf/.github/workflows/deploy.yml@refs/heads/main", "anyOwner"],
    ["acme/*", "ownerWide"],
    ["acme/wf*", "ownerWide"],
    ["${var.org}/*", undefined],
    ["acme/${var.repo}/*", "scoped"],
    ["org-${var.x}/*", "ownerWide"],
    ["acme/wf/*", "scoped"],
    ["acme/wf/.github/workflows/deploy.yml@*", "scoped"],
    ["acme/wf/.github/workflows/deploy.yml@refs/heads/main", "scoped"],
  ];
  for (const [text, breadth] of cases) {
    it(`${text} → ${breadth ?? "uncertain"}`, () => {
      expect(analyseJobWorkflowRef(value(text), "like").breadth).toBe(breadth);
    });
  }
  it("has no wildcards under StringEquals", () => {
    expect(analyseJobWorkflowRef(value("*"), "equals").breadth).toBeUndefined();
    expect(analyseJobWorkflowRef(value("acme/*"), "equals").breadth).toBe("scoped");
  });
  it("names the owner when written literally", () => {
    expect(analyseJobWorkflowRef(value("acme/*"), "like").owner).toBe("acme");
  });
});

// ---------------------------------------------------------------------------------------------------
// Rules on a model built by hand (no parser): what they make of unresolved keys and of messages.

const ARN = "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com";

function located<T>(v: T): { value: T; loc: typeof loc } {
  return { value: v, loc };
}

/** A trust statement for GitHub's provider with `[operator, key, values]` conditions; `${…}` in a key or value is unknown. */
function trustPolicy(conditions: [string, string, string[]][]): PolicyDocument {
  return {
    kind: "trust",
    source: "test",
    loc,
    statements: [
      {
        effect: value("Allow"),
        principals: [{ type: located<"Federated">("Federated"), values: { items: [value(ARN)], loc } }],
        notPrincipal: false,
        anyPrincipal: false,
        actions: { items: [value("sts:AssumeRoleWithWebIdentity")], loc },
        notAction: false,
        conditions: conditions.map(([op, key, values]) => ({
          operator: located(op),
          key: value(key),
          values: { items: values.map(value), loc },
          loc,
        })),
        conditionLoc: loc,
        loc,
      },
    ],
  };
}

async function messagesOf<M extends string, O>(
  rule: Rule<M, O>,
  policies: PolicyDocument[],
): Promise<{ messageId: string; message: string }[]> {
  const out: { messageId: string; message: string }[] = [];
  const project: Project = { root: "/", files: [], policies, providers: [], workflows: [], actions: [] };
  const ctx: RuleContext<M, O> = {
    project,
    index: indexProject(project, defaultSettings()),
    settings: defaultSettings(),
    options: rule.defaultOptions,
    fixer: createFixer(() => undefined),
    isOn: () => true,
    memo: {},
    report: (r) => {
      // The whole text: the short line, its explanation and fix.
      const t = fillMessageText(rule.meta.messages[r.messageId], r.messageId, r.data);
      out.push({ messageId: r.messageId, message: [t.message, t.explanation, t.fix].filter(Boolean).join(" ") });
    },
  };
  await rule.check(ctx);
  return out;
}

describe("condition keys with unknown parts may be any GitHub claim", () => {
  const policy = trustPolicy([
    ["StringEquals", "${data.aws_iam_openid_connect_provider.github.url}:aud", ["sts.amazonaws.com"]],
    ["StringEquals", "${data.aws_iam_openid_connect_provider.github.url}:sub", ["repo:acme/app:ref:refs/heads/main"]],
  ]);
  it("has unknown key parts in the model", () => {
    expect(policy.statements[0]?.conditions[0]?.key.parts[0]).toEqual({
      unknown: "data.aws_iam_openid_connect_provider.github.url",
    });
  });
  it("is no missing-sub-condition", async () => {
    expect(await messagesOf(missingSubCondition, [policy])).toEqual([]);
  });
  it("is no audience-drift missingAud", async () => {
    expect(await messagesOf(audienceDrift, [policy])).toEqual([]);
  });
  it("is no malformed-principal issuerMismatch", async () => {
    expect(await messagesOf(malformedPrincipal, [policy])).toEqual([]);
  });
  it("still reports a statement whose keys are all known and lack sub", async () => {
    const known = trustPolicy([["StringEquals", "token.actions.githubusercontent.com:aud", ["sts.amazonaws.com"]]]);
    expect((await messagesOf(missingSubCondition, [known])).map((m) => m.messageId)).toEqual(["missing"]);
  });
});

describe("messages", () => {
  it("never wraps a placeholder in backticks", async () => {
    const policy = trustPolicy([
      ["StringEquals", "token.actions.githubusercontent.com:aud", ["sts.amazonaws.com"]],
      ["StringLike", "token.actions.githubusercontent.com:sub", ["repo:${GitHubOrg}/${RepositoryName}:*"]],
    ]);
    const [m] = await messagesOf(broadSubWildcard, [policy]);
    expect(m?.messageId).toBe("anyContext");
    expect(m?.message).toContain("pull request of the repository:");
    expect(m?.message).not.toContain("`the repository`");
  });
  for (const op of ["StringLikeIfExists", "ForAnyValue:StringLike"]) {
    it(`predicts IAM's rejection when the only sub condition is ${op}`, async () => {
      const policy = trustPolicy([
        ["StringEquals", "token.actions.githubusercontent.com:aud", ["sts.amazonaws.com"]],
        [op, "token.actions.githubusercontent.com:sub", ["repo:acme/app:ref:refs/heads/main"]],
      ]);
      const [m] = await messagesOf(unsafeConditionOperator, [policy]);
      expect(m?.message).toContain("IAM would refuse to create or update a role");
    });
  }
  it("does not predict IAM's rejection next to a plain sub condition", async () => {
    const policy = trustPolicy([
      ["StringEquals", "token.actions.githubusercontent.com:sub", ["repo:acme/app:ref:refs/heads/main"]],
      ["StringLikeIfExists", "token.actions.githubusercontent.com:aud", ["sts.amazonaws.com"]],
    ]);
    const [m] = await messagesOf(unsafeConditionOperator, [policy]);
    expect(m?.message).not.toContain("IAM would refuse");
  });
});

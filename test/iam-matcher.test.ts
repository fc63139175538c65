import { describe, expect, it } from "vitest";
import { defaultSettings } from "../src/config/settings.js";
import {
  compileFilterGlob,
  compileIamValue,
  evaluateCondition,
  filterListAdmits,
  findRefusedClaim,
  type PredictedValue,
} from "../src/analysis/iam-evaluation.js";
import type { Condition, PolicyDocument, Statement } from "../src/model/policy.js";
import type { StrValue } from "../src/model/value.js";

const loc = { file: "t.json", line: 1, column: 1, endLine: 1, endColumn: 1 };
const s = (text: string): StrValue => ({ parts: [text], loc });
const settings = defaultSettings();

function cond(operator: string, key: string, values: (string | StrValue)[]): Condition {
  return {
    operator: { value: operator, loc },
    key: s(key),
    values: { items: values.map((v) => (typeof v === "string" ? s(v) : v)), loc },
    loc,
  };
}

function policy(conditions: Condition[], effect = "Allow"): PolicyDocument {
  const stmt: Statement = {
    effect: s(effect),
    principals: [
      {
        type: { value: "Federated", loc },
        values: { items: [s("arn:aws:iam::1:oidc-provider/token.actions.githubusercontent.com")], loc },
      },
    ],
    notPrincipal: false,
    anyPrincipal: false,
    actions: { items: [s("sts:AssumeRoleWithWebIdentity")], loc },
    notAction: false,
    conditions,
    loc,
  };
  return { kind: "trust", statements: [stmt], loc, source: "test" };
}

const SUB = "token.actions.githubusercontent.com:sub";

describe("IAM value matching", () => {
  it("StringLike: * spans / and :, ? is one character", () => {
    const p = compileIamValue("repo:acme/*", "like");
    expect(p?.matches("repo:acme/app:ref:refs/heads/a/b")).toBe(true);
    expect(compileIamValue("repo:acme/ap?:*", "like")?.matches("repo:acme/app:pull_request")).toBe(true);
    expect(compileIamValue("repo:acme/ap?:*", "like")?.matches("repo:acme/ap:pull_request")).toBe(false);
  });
  it("StringEquals is literal; IgnoreCase folds case; values are case-sensitive", () => {
    expect(compileIamValue("repo:acme/*", "equals")?.matches("repo:acme/app")).toBe(false);
    expect(compileIamValue("repo:acme/*", "equals")?.matches("repo:acme/*")).toBe(true);
    expect(compileIamValue("Repo:ACME/app", "equalsIgnoreCase")?.matches("repo:acme/APP")).toBe(true);
    expect(compileIamValue("repo:Acme/app", "equals")?.matches("repo:acme/app")).toBe(false);
  });
  it("policy variables: ${*} is a literal star, others are unknown", () => {
    expect(compileIamValue("a${*}b", "like")?.matches("a*b")).toBe(true);
    expect(compileIamValue("a${*}b", "like")?.matches("axb")).toBe(false);
    expect(compileIamValue("${aws:username}", "like")).toBeUndefined();
  });
});

describe("GitHub filter globs", () => {
  it("* stops at /, ** does not, ? and + modify the previous character", () => {
    expect(compileFilterGlob("release/*").matches("release/1.0")).toBe(true);
    expect(compileFilterGlob("release/*").matches("release/a/b")).toBe(false);
    expect(compileFilterGlob("release/**").matches("release/a/b")).toBe(true);
    expect(compileFilterGlob("v1?").matches("v")).toBe(true);
    expect(compileFilterGlob("v1+").matches("v111")).toBe(true);
    expect(compileFilterGlob("v[0-9]").matches("v7")).toBe(true);
    expect(compileFilterGlob("v[0-9]").matches("vx")).toBe(false);
  });
  it("! negates earlier patterns; a later positive pattern re-includes", () => {
    expect(filterListAdmits(["release/**", "!release/old"], "release/old")).toBe(false);
    expect(filterListAdmits(["release/**", "!release/**-alpha", "release/v2-alpha"], "release/v2-alpha")).toBe(true);
  });
});

describe("evaluateCondition (concrete claims)", () => {
  it("values OR, negated operators NOR, absent keys per operator family", () => {
    const c = cond("StringLike", SUB, ["repo:acme/app:ref:refs/heads/main", "repo:acme/app:pull_request"]);
    expect(evaluateCondition(c, { sub: "repo:acme/app:pull_request" }, settings).result).toBe("pass");
    expect(evaluateCondition(c, { sub: "repo:acme/app:ref:refs/heads/dev" }, settings).result).toBe("fail");
    expect(evaluateCondition(c, {}, settings).result).toBe("fail");
    expect(evaluateCondition(cond("StringLikeIfExists", SUB, ["x"]), {}, settings).result).toBe("pass");
    expect(evaluateCondition(cond("ForAllValues:StringLike", SUB, ["x"]), {}, settings).result).toBe("pass");
    expect(
      evaluateCondition(cond("StringNotLike", SUB, ["repo:evil/*"]), { sub: "repo:acme/app:pull_request" }, settings)
        .result,
    ).toBe("pass");
    expect(
      evaluateCondition(cond("StringNotLike", SUB, ["repo:evil/*"]), { sub: "repo:evil/x:pull_request" }, settings)
        .result,
    ).toBe("fail");
    expect(evaluateCondition(cond("StringNotLike", SUB, ["repo:evil/*"]), {}, settings).result).toBe("pass");
  });
  it("condition keys are case-insensitive", () => {
    expect(
      evaluateCondition(cond("StringEquals", "TOKEN.actions.githubusercontent.com:Sub", ["a"]), { sub: "a" }, settings)
        .result,
    ).toBe("pass");
  });
  it("unknown values make the result unknown, never pass or fail", () => {
    const unknown: StrValue = { parts: ["repo:", { unknown: "var.org" }, "/app:*"], loc };
    expect(
      evaluateCondition(cond("StringLike", SUB, [unknown]), { sub: "repo:acme/app:pull_request" }, settings).result,
    ).toBe("unknown");
    expect(evaluateCondition(cond("StringEquals", "aws:SourceIp", ["1.2.3.4"]), { sub: "x" }, settings).result).toBe(
      "unknown",
    );
    // A known value that matches decides regardless of the unknown one.
    expect(
      evaluateCondition(
        cond("StringLike", SUB, [unknown, "repo:acme/*"]),
        { sub: "repo:acme/app:pull_request" },
        settings,
      ).result,
    ).toBe("pass");
  });
});

const branchClaims = (prefix = "repo:acme/app:ref:refs/heads/"): Map<string, PredictedValue> =>
  new Map<string, PredictedValue>([["sub", { kind: "pieces", pieces: [prefix, { hole: true }] }]]);

describe("findRefusedClaim (sets of branches)", () => {
  it("release/** against refs/heads/main is refused, with an example", () => {
    const doc = policy([cond("StringLike", SUB, ["repo:acme/app:ref:refs/heads/main"])]);
    const v = findRefusedClaim([doc], branchClaims(), settings, { include: ["main", "release/**"] });
    expect(v.verdict).toBe("refused");
    expect(v.verdict === "refused" && v.example?.startsWith("release/")).toBe(true);
  });
  it("release/** against refs/heads/release/* is accepted (IAM * spans /)", () => {
    const doc = policy([
      cond("StringLike", SUB, ["repo:acme/app:ref:refs/heads/main", "repo:acme/app:ref:refs/heads/release/*"]),
    ]);
    expect(findRefusedClaim([doc], branchClaims(), settings, { include: ["main", "release/**"] }).verdict).toBe(
      "accepted",
    );
  });
  it("a negation in the filter can make the set fit the policy", () => {
    const doc = policy([cond("StringLike", SUB, ["repo:acme/app:ref:refs/heads/release/v*"])]);
    expect(findRefusedClaim([doc], branchClaims(), settings, { include: ["release/*"] }).verdict).toBe("refused");
    expect(findRefusedClaim([doc], branchClaims(), settings, { include: ["release/v*"] }).verdict).toBe("accepted");
  });
  it("a StringNotLike exclusion refuses the branches it names", () => {
    const doc = policy([
      cond("StringLike", SUB, ["repo:acme/app:*"]),
      cond("StringNotLike", SUB, ["*:ref:refs/heads/experimental/*"]),
    ]);
    const v = findRefusedClaim([doc], branchClaims(), settings, {});
    expect(v).toEqual({ verdict: "refused", example: expect.stringMatching(/^experimental\//) as unknown });
  });
  it("immutable ids unknown: a policy with @* or ids is not refused for the id part", () => {
    const doc = policy([cond("StringLike", SUB, ["repo:acme@*/app@*:ref:refs/heads/main"])]);
    const claims = new Map<string, PredictedValue>([
      [
        "sub",
        {
          kind: "pieces",
          pieces: [
            "repo:",
            {
              oneOf: [
                ["acme/app"],
                [
                  "acme@",
                  { run: (c) => c >= "0" && c <= "9", min: 1 },
                  "/app@",
                  { run: (c) => c >= "0" && c <= "9", min: 1 },
                ],
              ],
            },
            ":ref:refs/heads/",
            { hole: true },
          ],
        },
      ],
    ]);
    expect(findRefusedClaim([doc], claims, settings, { include: ["main"] }).verdict).toBe("accepted");
    expect(findRefusedClaim([doc], claims, settings, { include: ["dev"] }).verdict).toBe("refused");
  });
  it("unknown claims (custom template) and unknown values are taken to pass", () => {
    const doc = policy([
      cond("StringEquals", "token.actions.githubusercontent.com:actor", ["octocat"]),
      cond("StringLike", SUB, [{ parts: [{ unknown: "var.sub" }], loc }]),
    ]);
    expect(findRefusedClaim([doc], branchClaims(), settings, {}).verdict).toBe("accepted");
  });
  it("prefixes (a job if: startsWith) narrow the set", () => {
    const doc = policy([cond("StringLike", SUB, ["repo:acme/app:ref:refs/heads/release/*"])]);
    expect(findRefusedClaim([doc], branchClaims(), settings, { include: ["**"] }).verdict).toBe("refused");
    expect(findRefusedClaim([doc], branchClaims(), settings, { include: ["**"], prefixes: ["release/"] }).verdict).toBe(
      "accepted",
    );
    expect(findRefusedClaim([doc], branchClaims(), settings, { include: ["**"], prefixes: ["rel"] })).toEqual({
      verdict: "refused",
      example: expect.stringMatching(/^rel/) as unknown,
    });
  });
  it("Deny-only documents decide nothing", () => {
    const doc = policy([cond("StringLike", SUB, ["*"])], "Deny");
    expect(findRefusedClaim([doc], branchClaims(), settings, {}).verdict).toBe("undecided");
  });
});

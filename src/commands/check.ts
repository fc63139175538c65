import { DEFAULT_AWS_AUDIENCE } from "../model/well-known.js";
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import type { ResolvedSettings } from "../config/settings.js";
import { parseOperator, trustsGitHub } from "../analysis/github-trust.js";
import {
  compileIamValue,
  evaluatePolicy,
  type ConcreteClaims,
  type ConditionOutcome,
  type PolicyOutcome,
  type StatementOutcome,
} from "../analysis/iam-evaluation.js";
import { refusedRepository } from "../analysis/refused-repository.js";
import { relPath } from "../engine/discover.js";
import { loadProject, type LoadedProject, type ProjectRequest } from "../engine/load-project.js";
import type { Condition, PolicyDocument } from "../model/policy.js";
import type { ParseProblem } from "../model/project.js";
import { displayText, knownText } from "../model/value.js";
import { DIAGNOSTIC_OPTIONS, parseOptions, textOrJson, wantsHelp } from "./args.js";
import type { CliIO } from "./io.js";

/**
 * `oidclint check --policy FILE [--role NAME] (--token JWT|- | --sub S [--aud A])`: the 30-second
 * diagnostic of an AccessDenied. Evaluates every condition of the role's trust policy against the
 * claims, marks the first that fails and says what change to the policy or the workflow would let the
 * claims in. Exit 0 accepted, 1 refused (or not decidable), 2 bad input.
 */

export class CheckInputError extends Error {}

import { painter, printLines, visible, type Paint } from "../formatters/terminal.js";

export { painter, type Paint };

/** Decodes a JWT's payload without verifying it. Throws CheckInputError with a clear message. */
function isScalar(v: unknown): v is string | number | boolean {
  return typeof v === "string" || typeof v === "number" || typeof v === "boolean";
}

export function decodeJwt(token: string): ConcreteClaims {
  const parts = token.trim().split(".");
  if (parts.length !== 3 || parts.some((p, i) => i < 2 && p === "")) {
    throw new CheckInputError(
      `--token is not a JWT: expected three base64url parts separated by dots, got ${parts.length} part${parts.length === 1 ? "" : "s"}`,
    );
  }
  const payload = parts[1] ?? "";
  if (!/^[A-Za-z0-9_-]+={0,2}$/.test(payload))
    throw new CheckInputError("--token: the payload (second part) is not base64url");
  let data: unknown;
  try {
    data = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    throw new CheckInputError("--token: the payload (second part) does not decode to JSON");
  }
  if (typeof data !== "object" || data === null || Array.isArray(data))
    throw new CheckInputError("--token: the payload is not a JSON object of claims");
  const out: ConcreteClaims = {};
  for (const [k, v] of Object.entries(data as Record<string, unknown>)) {
    if (typeof v === "string") out[k] = v;
    // Claims are strings, numbers, booleans or lists of them; anything nested is not a claim oidclint reads
    // (and is never walked: a claim nested 10,000 deep costs nothing).
    else if (Array.isArray(v)) out[k] = v.filter(isScalar).map(String);
    else if (isScalar(v)) out[k] = String(v);
  }
  return out;
}

/** The policy file, with the rest of its module for a Terraform file. */
async function loadPolicy(
  policy: string,
  cwd: string,
  options: Pick<ProjectRequest, "configFile" | "env">,
): Promise<LoadedProject> {
  if (!existsSync(resolve(cwd, policy))) throw new CheckInputError(`cannot read ${policy}: no such file (ENOENT)`);
  return loadProject({ ...options, cwd, paths: [policy], withModules: true });
}

/** A problem of the policy file; one that is about reading it names the file the way the user wrote it. */
function problemText(p: ParseProblem): string {
  const cannot = /^cannot read file: (.*)$/.exec(p.message);
  return cannot
    ? `cannot read ${p.loc.file}: ${cannot[1] ?? ""}`
    : `${p.loc.file}:${p.loc.line}:${p.loc.column}: ${p.message}`;
}

function roleLabel(doc: PolicyDocument): string {
  const r = doc.role;
  if (!r) return `policy at ${doc.loc.file}:${doc.loc.line}`;
  const name = r.name ? knownText(r.name) : undefined;
  return name ? `${name} (${r.id})` : r.id;
}

/** Picks the trust policy to check: the only one, or the one `--role` names (role name or resource id). */
export function selectPolicy(docs: readonly PolicyDocument[], role: string | undefined, file: string): PolicyDocument {
  const trust = docs.filter((d) => d.kind !== "permissions");
  if (trust.length === 0) throw new CheckInputError(`${file} holds no trust policy`);
  if (role !== undefined) {
    const match = trust.filter(
      (d) =>
        d.role &&
        (d.role.id === role || (d.role.name && knownText(d.role.name) === role) || d.role.id.endsWith(`.${role}`)),
    );
    if (match.length === 1 && match[0]) return match[0];
    const names = trust.map(roleLabel).join(", ");
    throw new CheckInputError(
      match.length === 0
        ? `--role ${role}: no such role in ${file} (roles: ${names})`
        : `--role ${role} names several roles in ${file}`,
    );
  }
  if (trust.length > 1)
    throw new CheckInputError(
      `${file} defines ${trust.length} trust policies; choose one with --role NAME (${trust.map(roleLabel).join(", ")})`,
    );
  const only = trust[0];
  if (!only) throw new CheckInputError(`${file} holds no trust policy`);
  return only;
}

function valuesText(c: Condition): string {
  const items = c.values.items.map((v) => displayText(v));
  if (c.values.unknown) items.push(`\${${c.values.unknown.expr}}`);
  return items.length === 1 ? (items[0] ?? "") : `[${items.join(", ")}]`;
}

function shown(v: string | string[] | undefined): string {
  if (v === undefined) return "(absent)";
  return Array.isArray(v) ? `[${v.join(", ")}]` : v;
}

/**
 * The changes that make a failing condition pass, the workflow side first (a refused claim is most often a
 * run where the role is not meant to be used: pin the trigger, add an `if:`, use the environment the role
 * trusts), then the policy side with exactly the refused claim — never a wider pattern.
 */
export function fixFor(
  c: Condition,
  o: ConditionOutcome,
  claims: ConcreteClaims,
  audience = DEFAULT_AWS_AUDIENCE,
): string[] {
  const op = parseOperator(c.operator.value);
  const key = displayText(c.key);
  const at = `${c.loc.file}:${c.loc.line}`;
  const actual = o.actual;
  const patterns = c.values.items.map((v) => knownText(v)).filter((t): t is string => t !== undefined);
  if (actual === undefined) return missingClaimFix(o.claim, patterns, audience);
  const value = Array.isArray(actual) ? (actual[0] ?? "") : actual;
  if (op.negated)
    return [
      `policy: \`${o.matchedValue ?? ""}\` under \`${c.operator.value}\` excludes \`${value}\`; remove it from \`${key}\` (${at})`,
    ];
  const immutable = o.claim === "sub" ? immutableFix(value, patterns, op.match, at) : undefined;
  if (immutable) return [immutable];
  const add = `add exactly \`${value}\` to the values of \`${c.operator.value}\` \`${key}\` (${at})`;
  const other = o.claim === "sub" ? refusedRepository(value, patterns, op.match) : undefined;
  if (other)
    return [
      `workflow: the token comes from \`${other.repo}\`, and the role trusts only ${other.trusted.map((r) => `\`${r}\``).join(", ")}: assume a role made for \`${other.repo}\``,
      `policy: if the repository was renamed, write its new name in the pattern; only if this role is meant to serve \`${other.repo}\` as well, ${add}`,
    ];
  const workflow = workflowFixes(o.claim, String(claims.sub ?? value), value, patterns);
  return [
    ...workflow,
    workflow.length > 0 ? `policy: or, if this run is meant to assume the role, ${add}` : `policy: ${add}`,
  ];
}

/**
 * What the workflow can change so that its token carries a claim the patterns accept: the environment
 * they name, the branch or tag they pin, no `pull_request` run. `sub` is the token's sub (for the kind of
 * run it came from), `value` the failing claim's value.
 */
function workflowFixes(claim: string, sub: string, value: string, patterns: readonly string[]): string[] {
  if (claim === "aud") {
    const aud = patterns.find((p) => !/[*?]/.test(p));
    return aud
      ? [
          `workflow: request the audience the role expects: \`audience: ${aud}\` on \`aws-actions/configure-aws-credentials\``,
        ]
      : [];
  }
  const literal = (re: RegExp): string | undefined =>
    patterns.map((p) => re.exec(p)?.[1]).find((x) => x !== undefined && !/[*?]/.test(x));
  const env =
    claim === "sub" ? literal(/:environment:([^:]+)$/) : claim === "environment" ? literal(/^(.+)$/) : undefined;
  const branchRe = claim === "sub" ? /:ref:refs\/heads\/([^:]+)$/ : claim === "ref" ? /^refs\/heads\/(.+)$/ : undefined;
  const tagRe = claim === "sub" ? /:ref:refs\/tags\// : claim === "ref" ? /^refs\/tags\// : undefined;
  const branch = branchRe && literal(branchRe);
  const tags = tagRe !== undefined && patterns.some((p) => tagRe.test(p));
  const inEnvironment = sub.includes(":environment:");
  const out: string[] = [];
  if (env !== undefined) {
    const name = decodeURIComponent(env);
    out.push(
      inEnvironment
        ? `use the environment the role trusts: \`environment: ${name}\``
        : `run the job in the environment the role trusts: \`environment: ${name}\` (a job with an environment always gets \`…:environment:NAME\`)`,
    );
  }
  if (branch !== undefined) {
    if (inEnvironment)
      out.push(
        `drop the job's \`environment\` if the role is meant for branch runs: with one, the sub is \`…:environment:NAME\`, never \`…:ref:refs/heads/${branch}\``,
      );
    else if (sub.endsWith(":pull_request"))
      out.push(
        `do not assume this role in \`pull_request\` runs (\`if: github.event_name != 'pull_request'\` on the job or the step); it trusts runs on \`${branch}\``,
      );
    else
      out.push(
        `run the job only from \`${branch}\`: pin the trigger (\`branches: [${branch}]\`) or give the job \`if: github.ref == 'refs/heads/${branch}'\``,
      );
  } else if (tags && !tagRe.test(value))
    out.push("assume this role only in tag runs (`on: push: tags: …`, or `if: startsWith(github.ref, 'refs/tags/')`)");
  // The first is the suggestion; the others are alternatives to it.
  return out.map((l, i) => `workflow: ${i === 0 ? "" : "or "}${l}`);
}

/**
 * A token without a claim the condition needs. Never advises `…IfExists` or dropping the condition (that
 * weakens the policy: `unsafe-condition-operator`); says where the claim comes from instead.
 */
function missingClaimFix(claim: string, patterns: readonly string[], audience: string): string[] {
  if (claim === "aud" || claim === "sub") {
    const aud = (claim === "aud" ? patterns.find((p) => !/[*?]/.test(p)) : undefined) ?? audience;
    return [
      `token: it has no \`${claim}\` claim, which every GitHub Actions OIDC token carries — this is probably not a GitHub Actions token for AWS`,
      `workflow: request one with the audience the role expects: \`aws-actions/configure-aws-credentials\` does (it asks for \`${aud}\` unless its \`audience\` input says otherwise), or by hand \`curl -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=${aud}"\` in a job with \`permissions: id-token: write\``,
    ];
  }
  if (claim === "environment") {
    const env = patterns.find((p) => !/[*?]/.test(p));
    return [
      `workflow: the token has no \`environment\` claim because the job ran without one; run it with \`environment: ${env ?? "NAME"}\``,
    ];
  }
  return [
    `token: it has no \`${claim}\` claim, so this condition cannot pass; check that the token comes from the job and workflow the role is meant for`,
  ];
}

/**
 * A sub in the immutable form (`repo:acme@111/app@222:…`) that a name-only pattern would admit in the
 * name form: the repository gets immutable subjects, and the pattern must carry `@*` or the ids.
 */
function immutableFix(
  value: string,
  patterns: readonly string[],
  match: ReturnType<typeof parseOperator>["match"],
  at: string,
): string | undefined {
  const m = /^repo:([^/@:]+)@(\d+)\/([^/@:]+)@(\d+):(.*)$/.exec(value);
  if (!m) return undefined;
  const [, owner = "", ownerId = "", repo = "", repoId = "", rest = ""] = m;
  const nameForm = `repo:${owner}/${repo}:${rest}`;
  const hit = patterns.find((p) => compileIamValue(p, match)?.matches(nameForm));
  if (hit === undefined) return undefined;
  const parts = /^repo:([^/:@]+)\/([^:@]*)(.*)$/.exec(hit);
  if (!parts) return undefined;
  const [, pOwner = "", pRepo = "", pRest = ""] = parts;
  const withIds = (ownerPart: string, repoPart: string): string =>
    `repo:${ownerPart}/${/[*?]/.test(pRepo) ? pRepo : repoPart}${pRest}`;
  const wild = withIds(`${pOwner}@*`, `${pRepo}@*`);
  const ids = withIds(`${pOwner}@${ownerId}`, `${pRepo}@${repoId}`);
  return (
    `policy: the token's sub \`${value}\` is in the immutable form: this repository gets immutable subjects (owner and repository ids after the names), ` +
    `which the name-only pattern \`${hit}\` never matches. Use \`${wild}\` under \`StringLike\` (the names still pin the owner), or the ids: \`${ids}\` (${at})`
  );
}

export interface CheckReport {
  outcome: PolicyOutcome;
  text: string;
}

/** The evaluation of one policy against claims, what the text and the JSON both say. */
export interface CheckEvaluation {
  outcome: PolicyOutcome;
  /** The first failing condition of an Allow statement (what `fixes` are about). */
  firstFailing?: { c: Condition; o: ConditionOutcome };
  /** The Deny statement that applies, when one does. */
  denied?: StatementOutcome;
  /** The changes that would let the claims in (empty unless refused by a condition). */
  fixes: string[];
}

export function evaluateCheck(
  doc: PolicyDocument,
  claims: ConcreteClaims,
  settings: ResolvedSettings,
  missing: "absent" | "unknown",
): CheckEvaluation {
  const outcome = evaluatePolicy(doc, claims, settings, [], missing);
  let firstFailing: CheckEvaluation["firstFailing"];
  for (const s of outcome.statements) {
    if (s.effect !== "allow" || firstFailing) continue;
    const failing = s.conditions.find((x) => x.outcome.result === "fail");
    if (failing) firstFailing = { c: failing.condition, o: failing.outcome };
  }
  const denied =
    outcome.result === "fail" ? outcome.statements.find((s) => s.effect === "deny" && s.result === "pass") : undefined;
  const fixes =
    outcome.result === "fail" && firstFailing && !denied
      ? fixFor(firstFailing.c, firstFailing.o, claims, settings.audience)
      : [];
  return { outcome, ...(firstFailing ? { firstFailing } : {}), ...(denied ? { denied } : {}), fixes };
}

/** Claims shown (the timing claims of a token say nothing about trust). */
function shownClaims(claims: ConcreteClaims): [string, string | string[] | undefined][] {
  return Object.entries(claims).filter(([k]) => !["exp", "iat", "nbf", "jti"].includes(k));
}

/** Renders the evaluation of one policy against claims. */
export function renderCheck(
  doc: PolicyDocument,
  claims: ConcreteClaims,
  settings: ResolvedSettings,
  missing: "absent" | "unknown",
  paint: Paint,
  /** The aud was not given (`--sub` alone): the configured audience stands in for it. */
  audDefaulted = false,
): CheckReport {
  const { outcome, firstFailing, denied, fixes } = evaluateCheck(doc, claims, settings, missing);
  const lines: string[] = [];
  lines.push(
    paint.bold(
      `Trust policy: ${doc.role ? `${roleLabel(doc)} — ` : ""}${doc.loc.file}:${doc.loc.line} (${doc.source})`,
    ),
  );
  lines.push("", paint.bold("Claims:"));
  for (const [k, v] of shownClaims(claims)) {
    const note =
      k === "aud" && audDefaulted ? paint.dim(`  (default: no --aud given, the configured \`audience\`)`) : "";
    lines.push(`  ${k.padEnd(22)} ${shown(v)}${note}`);
  }
  if (outcome.statements.length === 0) {
    lines.push(
      "",
      paint.red(
        "No statement of this policy trusts GitHub's OIDC provider for sts:AssumeRoleWithWebIdentity: every token is refused.",
      ),
    );
  }
  outcome.statements.forEach((s, i) => {
    const sid = s.stmt.sid ? ` ${s.stmt.sid.value}` : "";
    const verdict =
      s.result === "pass"
        ? paint.green(s.effect === "allow" ? "matches" : "APPLIES (denies)")
        : s.result === "fail"
          ? paint.red("does not match")
          : paint.yellow("cannot tell");
    lines.push(
      "",
      paint.bold(
        `Statement ${i + 1}${sid} (${s.effect === "allow" ? "Allow" : "Deny"}, ${s.stmt.loc.file}:${s.stmt.loc.line}): ${verdict}`,
      ),
    );
    if (s.conditions.length === 0) lines.push(paint.dim("  (no conditions: every token of the provider matches)"));
    for (const { condition: c, outcome: o } of s.conditions) {
      const mark =
        o.result === "pass"
          ? paint.green("✔ pass")
          : o.result === "fail"
            ? paint.red("✖ FAIL")
            : paint.yellow("? unknown");
      const isFirst = firstFailing?.c === c;
      const row = `  ${mark}  ${c.operator.value} ${displayText(c.key)} ${valuesText(c)}`;
      lines.push(isFirst ? paint.bold(`${row}   ← first failing condition`) : row);
      const detail =
        o.result === "unknown"
          ? (o.reason ?? "")
          : `claim ${o.claim} = ${shown(o.actual)}${o.matchedValue !== undefined ? `, matched by \`${o.matchedValue}\`` : ""}`;
      lines.push(paint.dim(`           ${detail}  (${c.loc.file}:${c.loc.line}:${c.loc.column})`));
    }
  });
  lines.push("");
  if (outcome.result === "pass") lines.push(paint.green(paint.bold("ACCEPTED: these claims may assume the role.")));
  else if (outcome.result === "fail") {
    if (denied)
      lines.push(
        paint.red(
          paint.bold(
            `REFUSED: the Deny statement at ${denied.stmt.loc.file}:${denied.stmt.loc.line} applies to these claims.`,
          ),
        ),
      );
    else
      lines.push(
        paint.red(paint.bold("REFUSED: AccessDenied (Not authorized to perform sts:AssumeRoleWithWebIdentity).")),
      );
    if (fixes.length > 0) {
      lines.push("", paint.bold("To make it pass:"));
      for (const f of fixes) lines.push(`  - ${f}`);
    }
  } else
    lines.push(
      paint.yellow(paint.bold("UNDECIDED: the result depends on values oidclint cannot read (see `? unknown` above).")),
    );
  return { outcome, text: printLines(paint, lines) };
}

const VERDICT = { pass: "accepted", fail: "refused", unknown: "undecided" } as const;

function place(loc: { file: string; line: number; column: number }): { file: string; line: number; column: number } {
  return { file: loc.file, line: loc.line, column: loc.column };
}

/** `check --format json`: the evaluation as data (shape documented in the README). */
export function checkJson(
  doc: PolicyDocument,
  claims: ConcreteClaims,
  settings: ResolvedSettings,
  missing: "absent" | "unknown",
  audDefaulted = false,
): Record<string, unknown> {
  const { outcome, firstFailing, denied, fixes } = evaluateCheck(doc, claims, settings, missing);
  return {
    policy: { ...place(doc.loc), source: doc.source, role: doc.role ? roleLabel(doc) : null },
    claims: Object.fromEntries(shownClaims(claims)),
    audDefaulted,
    result: VERDICT[outcome.result],
    statements: outcome.statements.map((s, i) => ({
      index: i + 1,
      sid: s.stmt.sid?.value ?? null,
      effect: s.effect === "allow" ? "Allow" : "Deny",
      ...place(s.stmt.loc),
      result: s.result,
      conditions: s.conditions.map(({ condition: c, outcome: o }) => ({
        operator: c.operator.value,
        key: displayText(c.key),
        values: [
          ...c.values.items.map((v) => displayText(v)),
          ...(c.values.unknown ? [`\${${c.values.unknown.expr}}`] : []),
        ],
        ...place(c.loc),
        result: o.result,
        claim: o.claim,
        actual: o.actual ?? null,
        ...(o.matchedValue !== undefined ? { matchedValue: o.matchedValue } : {}),
        ...(o.reason !== undefined ? { reason: o.reason } : {}),
        firstFailing: firstFailing?.c === c,
      })),
    })),
    deniedBy: denied ? place(denied.stmt.loc) : null,
    fixes,
  };
}

const HELP = `Usage: oidclint check --policy FILE [--role NAME] (--sub SUB [--aud AUD] | --token JWT|-) [options]

Why does AWS refuse this token? Evaluates every condition of a role's trust policy against the claims of a
token (or a sub and aud you give), marks the first that fails and says what change to the policy or the
workflow would let the claims in. The policy file may be Terraform (its module is read too), CloudFormation,
CDK output, IAM JSON or \`aws iam get-role\` output.

Options:
      --policy FILE        the file that defines the role's trust policy (required)
      --role NAME          which role, when the file defines several (name or resource id)
      --sub SUB            the token's sub claim …
      --aud AUD            … and its aud (default: the configured audience, sts.amazonaws.com)
      --token JWT|-        a whole token (or - to read it from standard input); it is decoded, never verified
  -f, --format NAME        text (default) or json
      --context PATH       also read PATH (Terraform variables, modules) without checking it; repeatable
  -c, --config FILE        use this config instead of the nearest .oidclintrc.json
      --no-color           no colours
  -h, --help               show this help

Examples:
  oidclint check --policy infra/iam.tf --role deploy --sub repo:acme/app:ref:refs/heads/main
  oidclint check --policy role.json --sub repo:acme/app:environment:prod --aud sts.amazonaws.com
  echo "$TOKEN" | oidclint check --policy role.json --token -
  oidclint check --policy infra/iam.tf --sub repo:acme/app:pull_request --format json

Exit codes: 0 accepted, 1 refused or undecided, 2 usage error or unreadable policy.
`;

export async function run(args: string[], io: CliIO): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(HELP);
    return 0;
  }
  const { values } = parseOptions(
    args,
    {
      policy: { type: "string" },
      role: { type: "string" },
      token: { type: "string" },
      sub: { type: "string" },
      aud: { type: "string" },
      ...DIAGNOSTIC_OPTIONS,
    },
    { command: "check", hint: "the policy is --policy FILE" },
  );
  const format = textOrJson(values.format, "check");
  try {
    if (!values.policy) throw new CheckInputError("--policy FILE is required");
    if (values.token === undefined && values.sub === undefined && values.aud === undefined)
      throw new CheckInputError("give the claims: --token JWT (or - for stdin), or --sub SUB [--aud AUD]");
    if (values.token !== undefined && (values.sub !== undefined || values.aud !== undefined))
      throw new CheckInputError("give either --token or --sub/--aud, not both");
    const loaded = await loadPolicy(values.policy, io.cwd, {
      ...(values.config ? { configFile: values.config } : {}),
      ...(values.context ? { contextPaths: values.context } : {}),
      env: io.env,
    });
    const config = loaded.config;
    let claims: ConcreteClaims;
    let missing: "absent" | "unknown" = "absent";
    let audDefaulted = false;
    if (values.token !== undefined) {
      const token = values.token === "-" ? await io.readStdin() : values.token;
      claims = decodeJwt(token);
    } else {
      claims = {};
      if (values.sub !== undefined) claims.sub = values.sub;
      // Without --aud, the audience configure-aws-credentials would ask for (the configured one).
      claims.aud = values.aud ?? config.settings.audience;
      audDefaulted = values.aud === undefined;
      missing = "unknown";
    }
    const mainPath = relPath(loaded.root, resolve(io.cwd, values.policy));
    const parsed = loaded.project.files;
    const problems = parsed.flatMap((p) => p.problems).filter((p) => p.loc.file === mainPath);
    if (problems.length > 0) throw new CheckInputError(problems.map(problemText).join("; "));
    const docs = parsed.flatMap((p) => p.policies).filter((d) => d.loc.file === mainPath);
    if (docs.length === 0)
      throw new CheckInputError(
        `${values.policy} is not a policy oidclint can read (Terraform, CloudFormation, IAM JSON or aws iam get-role output)`,
      );
    const doc = selectPolicy(docs, values.role, values.policy);
    if (format === "json") {
      io.stdout(`${JSON.stringify(checkJson(doc, claims, config.settings, missing, audDefaulted), null, 2)}\n`);
      return evaluateCheck(doc, claims, config.settings, missing).outcome.result === "pass" ? 0 : 1;
    }
    if (!doc.statements.some((s) => trustsGitHub(s, config.settings))) {
      io.stdout(
        `${visible(`${roleLabel(doc)}: no Allow statement trusts GitHub's OIDC provider (${config.settings.issuer}); every GitHub token is refused.`)}\n`,
      );
      return 1;
    }
    const color = !values["no-color"] && io.isTTY && !io.env.NO_COLOR;
    const report = renderCheck(doc, claims, config.settings, missing, painter(color), audDefaulted);
    io.stdout(report.text);
    return report.outcome.result === "pass" ? 0 : 1;
  } catch (e) {
    if (e instanceof CheckInputError) {
      io.stderr(`oidclint check: ${visible(e.message)}\n`);
      return 2;
    }
    throw e;
  }
}

/**
 * Which steps and jobs need a GitHub OIDC token, and what a job's token is granted. One definition,
 * shared by `missing-id-token-permission`, `excessive-id-token-scope` and `untrusted-trigger-oidc`
 * (SPEC §4: "A job needs id-token: write when …").
 *
 * Needs are three-valued: `yes` (certain), `maybe` (depends on something not visible: an input of a
 * reusable workflow, a remote reusable workflow, a local action that was not linted, a remote action
 * oidclint does not know) and `no` (no step can request one: only known consumers with inputs that
 * turn OIDC off, and well-known actions that never request a token). Rules
 * report a missing grant only on `yes`, and an unneeded grant only on `no`.
 */
import { DEFAULT_AWS_AUDIENCE } from "../model/well-known.js";
import type { ResolvedSettings } from "../config/settings.js";
import type { SourceLocation } from "../model/location.js";
import type { ProjectIndex } from "./project-index.js";
import { isUnknownPart, knownText, type Part, type StrValue } from "../model/value.js";
import type { CompositeAction, Job, Permissions, Step, Workflow } from "../model/workflow.js";
import { githubEnvWrites, resolveContexts, variablesMap, type ValueContexts } from "./workflow-values.js";

export type Need = "yes" | "maybe" | "no";

/** One place where a token is (or may be) requested. */
export interface OidcUse {
  need: "yes" | "maybe";
  /** What requests the token, for messages: "`aws-actions/configure-aws-credentials` with `role-to-assume`". */
  consumer: string;
  /** The step (its `uses` or `run`) or the job's `uses` in the linted workflow. */
  loc: SourceLocation;
  /** For `maybe`: what the answer depends on. */
  reason?: string;
  /** The reusable workflow and its job that need the token, when the use is a call. */
  via?: { callee: string; job: string };
  /** For `configure-aws-credentials`: the role it assumes and the audience it asks for, inputs substituted. */
  assume?: { role: StrValue; audience?: StrValue; step: Step };
}

/** The events whose runs execute in the base repository's context for changes outsiders can cause. */
export const UNTRUSTED_TRIGGERS = ["pull_request_target", "workflow_run", "issue_comment"] as const;

export interface UsageContext {
  /** The per-run index: local actions and reusable workflows by path. */
  index: ProjectIndex;
  settings: Pick<ResolvedSettings, "localActionUsesOidc" | "variables">;
}

// ---------------------------------------------------------------------------------------------
// Values of inputs

/** Replaces `${{ inputs.X }}` by the value the caller gave (or the input's default, or nothing). */
export type InputScope = Map<string, StrValue | undefined>;

const INPUT_REF = /^inputs\s*\.\s*([A-Za-z_][\w-]*)$|^inputs\s*\[\s*['"]([^'"]+)['"]\s*\]$/;

/** `v` with each `${{ inputs.X }}` the scope (keys lower-cased) holds replaced by its value. */
export function substitute(v: StrValue, scope: InputScope | undefined): StrValue {
  if (!scope || v.parts.every((p) => !isUnknownPart(p))) return v;
  // A value that is just `${{ inputs.X }}` is the caller's value, where the caller wrote it.
  const only =
    v.parts.length === 1 && isUnknownPart(v.parts[0] as Part)
      ? INPUT_REF.exec((v.parts[0] as { unknown: string }).unknown)
      : null;
  if (only) {
    const name = (only[1] ?? only[2] ?? "").toLowerCase();
    const given = scope.get(name);
    if (given) return given;
  }
  const parts: Part[] = [];
  for (const p of v.parts) {
    const m = isUnknownPart(p) ? INPUT_REF.exec(p.unknown) : null;
    const name = m ? (m[1] ?? m[2] ?? "").toLowerCase() : undefined;
    if (name === undefined || !scope.has(name)) {
      parts.push(p);
      continue;
    }
    parts.push(...(scope.get(name)?.parts ?? []));
  }
  return { ...v, parts };
}

type Presence = "absent" | "present" | "unknown";

/**
 * Whether an input is given. Actions read an empty input as not given. An expression counts as given
 * (`${{ secrets.KEY }}` is someone's intent to pass keys), except one that forwards an input of a
 * reusable workflow (`${{ inputs.key }}`), whose caller may leave it empty.
 */
function presence(v: StrValue | undefined): Presence {
  if (!v) return "absent";
  const text = knownText(v);
  if (text !== undefined) return text.trim() === "" ? "absent" : "present";
  if (v.parts.some((p) => typeof p === "string" && p.trim() !== "")) return "present";
  return v.parts.some((p) => isUnknownPart(p) && INPUT_REF.test(p.unknown)) ? "unknown" : "present";
}

/** `getBooleanInput`: `true`/`True`/`TRUE` is true, anything known else false. */
function truthy(v: StrValue | undefined): boolean | undefined {
  if (!v) return false;
  const text = knownText(v);
  if (text === undefined) return undefined;
  return /^(true|True|TRUE)$/.test(text.trim());
}

// ---------------------------------------------------------------------------------------------
// Steps

/** `owner/repo[/path]` of a `uses:`, lower-cased, without the `@ref`; undefined for local and docker. */
export function actionName(uses: string): string | undefined {
  if (uses.startsWith("./") || uses.startsWith("docker://") || uses === ".") return undefined;
  const at = uses.indexOf("@");
  return (at < 0 ? uses : uses.slice(0, at)).trim().toLowerCase();
}

const AWS_ACTION = "aws-actions/configure-aws-credentials";
const ENV_CREDENTIALS = ["AWS_ACCESS_KEY_ID", "AWS_WEB_IDENTITY_TOKEN_FILE"];

interface StepScope {
  step: Step;
  inputs: InputScope | undefined;
  /** `env` of the step, its job and workflow (and callers, through composite actions). */
  env: Map<string, StrValue>[];
  /** The matrix combination considered (steps of the job itself; composite actions cannot read it). */
  matrix?: ReadonlyMap<string, StrValue>;
  /** Names earlier `run` steps of the job write to `$GITHUB_ENV`. */
  dynamicEnv?: ReadonlySet<string>;
  variables?: ReadonlyMap<string, string>;
}

/** A step's value with inputs, `env`, `matrix`, `vars` and `secrets` substituted where known. */
function resolved(s: StepScope, v: StrValue): StrValue {
  const ctx: ValueContexts = { env: s.env };
  if (s.matrix) ctx.matrix = s.matrix;
  if (s.dynamicEnv) ctx.dynamicEnv = s.dynamicEnv;
  if (s.variables) ctx.variables = s.variables;
  return resolveContexts(substitute(v, s.inputs), ctx);
}

function input(s: StepScope, name: string): StrValue | undefined {
  const v = s.step.with.get(name);
  return v ? resolved(s, v) : undefined;
}

/** The `role-to-assume` / static-key decision of `configure-aws-credentials` (its `useGitHubOIDCProvider`). */
function awsUse(s: StepScope, loc: SourceLocation, consumer: string): OidcUse | undefined {
  const role = presence(input(s, "role-to-assume"));
  if (role === "absent") return undefined;
  if (truthy(input(s, "force-skip-oidc")) === true || truthy(input(s, "role-chaining")) === true) return undefined;
  const keys = presence(input(s, "aws-access-key-id"));
  const tokenFile = presence(input(s, "web-identity-token-file"));
  if (keys === "present" || tokenFile === "present") return undefined;
  const doubts: string[] = [];
  if (role === "unknown") doubts.push("`role-to-assume` comes from an input that may be empty");
  if (keys === "unknown") doubts.push("`aws-access-key-id` comes from an input that may be set");
  if (tokenFile === "unknown") doubts.push("`web-identity-token-file` comes from an input that may be set");
  if (truthy(input(s, "force-skip-oidc")) === undefined) doubts.push("`force-skip-oidc` is an expression");
  if (truthy(input(s, "role-chaining")) === undefined) doubts.push("`role-chaining` is an expression");
  const existing = input(s, "use-existing-credentials");
  if (presence(existing) !== "absent") doubts.push("`use-existing-credentials` may reuse credentials already present");
  const envKey = ENV_CREDENTIALS.find((k) => s.env.some((e) => e.has(k)));
  if (envKey) doubts.push(`\`${envKey}\` is set in \`env\`, which the action can use instead of a token`);
  const use: OidcUse = { need: doubts.length > 0 ? "maybe" : "yes", consumer, loc };
  if (doubts.length > 0) use.reason = doubts.join("; ");
  const roleValue = input(s, "role-to-assume");
  const audience = input(s, "audience");
  if (roleValue)
    use.assume = audience ? { role: roleValue, audience, step: s.step } : { role: roleValue, step: s.step };
  return use;
}

/** Joins shell line continuations so that one command is one line. */
function commands(run: string): string[] {
  return run.replace(/\\\r?\n/g, " ").split(/\r?\n|&&|;/);
}

function runUse(step: Step): OidcUse | undefined {
  const run = step.run;
  if (!run) return undefined;
  const text = run.value;
  const at = (consumer: string): OidcUse => ({ need: "yes", consumer, loc: run.loc });
  const doubt = (consumer: string, reason: string): OidcUse => ({ need: "maybe", consumer, loc: run.loc, reason });
  if (/\bACTIONS_ID_TOKEN_REQUEST_(TOKEN|URL)\b/.test(text))
    return at("a `run` step reading `ACTIONS_ID_TOKEN_REQUEST_*`");
  let possible: OidcUse | undefined;
  for (const cmd of commands(text)) {
    const publish = /\b(npm|pnpm)\s+publish\b/.test(cmd);
    if (publish && /--provenance(?!\s*=\s*false)\b/.test(cmd)) return at("`npm publish --provenance`");
    if (
      /\bcosign\s+(sign|sign-blob|attest|attest-blob)\b/.test(cmd) &&
      !/--key\b|--identity-token\b|--sk\b/.test(cmd)
    ) {
      return at("keyless `cosign` signing");
    }
    if (publish && !/--dry-run\b/.test(cmd))
      possible ??= doubt(
        "`npm publish`",
        "npm 11.5.1 and later publish through trusted publishing (an OIDC token) whenever the job can get one",
      );
    if (/\buv\s+publish\b/.test(cmd) && !/--trusted-publishing[\s=]+never\b/.test(cmd)) {
      possible ??= doubt(
        "`uv publish`",
        "`uv publish` tries trusted publishing (an OIDC token) when it runs in GitHub Actions",
      );
    }
  }
  return possible;
}

/**
 * Well-known actions that never request an OIDC token themselves (checked against their sources). Any
 * other remote action may: oidclint does not know it, so it counts as `maybe`.
 */
const NO_TOKEN_ACTIONS = new Set([
  "actions/checkout",
  "actions/cache",
  "actions/cache/restore",
  "actions/cache/save",
  "actions/upload-artifact",
  "actions/download-artifact",
  "actions/configure-pages",
  "actions/upload-pages-artifact",
  "docker/setup-buildx-action",
  "docker/setup-qemu-action",
  "docker/build-push-action",
  "docker/metadata-action",
  "aws-actions/amazon-ecr-login",
  "github/codeql-action/analyze",
  "github/codeql-action/autobuild",
  "github/codeql-action/upload-sarif",
]);

/** `actions/setup-node`, `actions/setup-python`, …: toolchain installers of GitHub's `actions` organisation. */
const NO_TOKEN_PREFIXES = ["actions/setup-"];

function neverRequestsToken(name: string): boolean {
  return NO_TOKEN_ACTIONS.has(name) || NO_TOKEN_PREFIXES.some((p) => name.startsWith(p));
}

function remoteActionUse(s: StepScope, name: string, loc: SourceLocation): OidcUse | undefined {
  const yes = (consumer: string): OidcUse => ({ need: "yes", consumer, loc });
  const doubt = (consumer: string, reason: string): OidcUse => ({ need: "maybe", consumer, loc, reason });
  const given = (name: string): Presence => presence(input(s, name));
  if (name === AWS_ACTION) return awsUse(s, loc, "`aws-actions/configure-aws-credentials` with `role-to-assume`");
  if (name === "google-github-actions/auth") {
    const wip = given("workload_identity_provider");
    if (wip === "absent" || given("credentials_json") === "present") return undefined;
    return wip === "present"
      ? yes("`google-github-actions/auth` with `workload_identity_provider`")
      : doubt("`google-github-actions/auth`", "`workload_identity_provider` comes from an input");
  }
  if (name === "azure/login") {
    if (given("creds") !== "absent" || given("client-id") === "absent") return undefined;
    const authType = knownText(input(s, "auth-type") ?? { parts: ["SERVICE_PRINCIPAL"], loc }) ?? "";
    if (authType.toUpperCase() === "IDENTITY") return undefined;
    return yes("`azure/login` with `client-id` and no `creds`");
  }
  if (name === "hashicorp/vault-action") {
    const method = input(s, "method");
    const text = method ? knownText(method) : "token";
    if (given("jwtPrivateKey") === "present") return undefined;
    if (text === undefined) return doubt("`hashicorp/vault-action`", "`method` is an expression");
    return text.trim().toLowerCase() === "jwt" ? yes("`hashicorp/vault-action` with `method: jwt`") : undefined;
  }
  if (name === "pypa/gh-action-pypi-publish") {
    const password = given("password");
    if (password === "present") return undefined;
    return password === "absent"
      ? yes("`pypa/gh-action-pypi-publish` (trusted publishing, no `password`)")
      : doubt("`pypa/gh-action-pypi-publish`", "`password` comes from an input");
  }
  if (name === "sigstore/gh-action-sigstore-python") {
    return given("identity-token") === "absent"
      ? yes("`sigstore/gh-action-sigstore-python` (keyless signing)")
      : undefined;
  }
  if (name === "actions/attest" || name.startsWith("actions/attest-")) return yes(`\`${name}\``);
  if (name === "actions/github-script") {
    const script = input(s, "script");
    const text = script?.parts.map((p) => (typeof p === "string" ? p : "")).join("") ?? "";
    if (/\bgetIDToken\s*\(/.test(text)) return yes("`actions/github-script` calling `core.getIDToken()`");
    return undefined;
  }
  if (name === "actions/deploy-pages")
    return yes("`actions/deploy-pages` (a Pages deployment proves its origin with an OIDC token)");
  if (name === "rust-lang/crates-io-auth-action")
    return yes("`rust-lang/crates-io-auth-action` (crates.io trusted publishing)");
  if (name === "nuget/login") return yes("`NuGet/login` (nuget.org trusted publishing)");
  if (name === "octo-sts/action") return yes("`octo-sts/action` (exchanges the OIDC token for a GitHub token)");
  if (name === "codecov/codecov-action" || name === "codecov/test-results-action") {
    const oidc = truthy(input(s, "use_oidc"));
    if (oidc === false) return undefined;
    return oidc === true
      ? yes(`\`${name}\` with \`use_oidc: true\``)
      : doubt(`\`${name}\``, "`use_oidc` is an expression");
  }
  if (name === "rubygems/configure-rubygems-credentials") {
    if (given("api-token") === "present") return undefined;
    const role = given("role-to-assume");
    return role === "present"
      ? yes("`rubygems/configure-rubygems-credentials` with `role-to-assume`")
      : doubt(`\`${name}\``, "`role-to-assume` may be set or empty");
  }
  if (name === "rubygems/release-gem") {
    return doubt(
      "`rubygems/release-gem`",
      "it uses RubyGems trusted publishing (an OIDC token) when the job can get one, an API key otherwise",
    );
  }
  if (name === "sigstore/cosign-installer") {
    return doubt(
      "`sigstore/cosign-installer`",
      "it installs `cosign`, which a later step or tool (such as GoReleaser) may run keylessly with an OIDC token",
    );
  }
  if (name === "docker/login-action") {
    const registry = knownText(input(s, "registry") ?? { parts: [""], loc });
    if (given("password") === "present" && registry !== undefined && registry.trim().toLowerCase() !== "cgr.dev")
      return undefined;
    return doubt(
      "`docker/login-action`",
      "it requests an OIDC token for Docker Hub OIDC logins (no `password`) and for `cgr.dev`",
    );
  }
  if (name === "github/codeql-action/init") {
    return given("registries") === "absent"
      ? undefined
      : doubt(
          "`github/codeql-action/init`",
          "private `registries` may be configured to authenticate with an OIDC token",
        );
  }
  if (neverRequestsToken(name)) return undefined;
  return doubt(`\`${name}\``, `\`${name}\` may request a token; oidclint does not know it`);
}

/** The composite action a local `uses:` names, when it was linted. */
export function localAction(index: ProjectIndex, uses: string): CompositeAction | undefined {
  const dir =
    uses
      .replace(/^\.\//, "")
      .replace(/\/+$/, "")
      .replace(/\/action\.ya?ml$/, "") || ".";
  return index.actionIn(dir);
}

interface Walk {
  ctx: UsageContext;
  /** Config `variables`, keyed `vars.name` / `secrets.name`. */
  variables?: ReadonlyMap<string, string>;
  /** Composite actions and workflows on the current path, against cycles. */
  visiting: Set<string>;
}

function stepUses(w: Walk, s: StepScope): OidcUse[] {
  const { step } = s;
  const uses = step.uses;
  if (!uses) {
    const run = runUse(step);
    return run ? [run] : [];
  }
  const name = actionName(uses.value);
  if (name !== undefined) {
    const use = remoteActionUse(s, name, uses.loc);
    return use ? [use] : [];
  }
  if (uses.value.startsWith("docker://")) {
    return [
      {
        need: "maybe",
        consumer: `\`${uses.value}\``,
        loc: uses.loc,
        reason: "a container image run as a step may request a token; oidclint cannot see into it",
      },
    ];
  }
  if (!uses.value.startsWith("./")) return [];
  const action = localAction(w.ctx.index, uses.value);
  if (action) {
    if (w.visiting.has(action.file)) return [];
    w.visiting.add(action.file);
    const scope: InputScope = new Map();
    for (const [key, def] of action.inputs) {
      const given = step.with.get(key);
      scope.set(key.toLowerCase(), given ? resolved(s, given) : def.default);
    }
    const inner: OidcUse[] = [];
    for (const st of action.steps) {
      const inside: StepScope = { step: st, inputs: scope, env: [st.env, ...s.env] };
      if (s.variables) inside.variables = s.variables;
      for (const use of stepUses(w, inside)) {
        const outer: OidcUse = { ...use, consumer: `\`${uses.value}\` running ${use.consumer}`, loc: uses.loc };
        if (use.assume) outer.assume = { ...use.assume, step };
        inner.push(outer);
      }
    }
    w.visiting.delete(action.file);
    return inner;
  }
  const own = uses.value.replace(/\/+$/, "") === ".";
  if (own) {
    if (!w.ctx.settings.localActionUsesOidc) return [];
    if (["role-to-assume", "aws-access-key-id", "web-identity-token-file"].some((k) => step.with.has(k))) {
      const aws = awsUse(
        s,
        uses.loc,
        "this repository's own action (`uses: ./`, `localActionUsesOidc`) with `role-to-assume`",
      );
      return aws ? [aws] : [];
    }
    return [
      { need: "yes", consumer: "this repository's own action (`uses: ./`, `localActionUsesOidc`)", loc: uses.loc },
    ];
  }
  return [
    {
      need: "maybe",
      consumer: `\`${uses.value}\``,
      loc: uses.loc,
      reason: `the local action \`${uses.value}\` is not a composite action among the linted files`,
    },
  ];
}

// ---------------------------------------------------------------------------------------------
// Permissions

export type IdTokenAccess = "write" | "read" | "none" | "unknown";

/** Where a job's token permissions come from. */
export type PermissionSource = "job" | "workflow" | "default" | "caller";

export interface EffectivePermissions {
  source: PermissionSource;
  /** The block in force (job's or workflow's); none for `default` and `caller`. */
  permissions?: Permissions;
  idToken: IdTokenAccess;
  /** The written grant: the `id-token` entry's value, or the `write-all`/`read-all` value. */
  grantLoc?: SourceLocation;
}

/** The `id-token` access a permissions block gives. `id-token: read` is not valid and grants nothing. */
export function idTokenAccess(p: Permissions): { access: IdTokenAccess; loc?: SourceLocation } {
  switch (p.kind) {
    case "write-all":
      return { access: "write", loc: p.loc };
    case "read-all":
      return { access: "none", loc: p.loc };
    case "empty":
      return { access: "none", loc: p.loc };
    case "unknown":
      return { access: "unknown", loc: p.loc };
    case "map": {
      const entry = p.scopes.get("id-token");
      if (!entry) return { access: p.scopeKeys?.has("id-token") ? "unknown" : "none" };
      const value = entry.value.trim();
      if (value === "write" || value === "read" || value === "none") return { access: value, loc: entry.loc };
      return { access: "unknown", loc: entry.loc };
    }
  }
}

/** Whether a workflow only runs when called (`on: workflow_call` and nothing else). */
export function isCalleeOnly(wf: Workflow): boolean {
  return wf.triggers.length > 0 && wf.triggers.every((t) => t.event.value === "workflow_call");
}

/**
 * A job's token permissions: its own `permissions` replace the workflow's; with neither, a workflow that
 * only runs through `workflow_call` inherits its caller's, any other runs with the repository default,
 * which never includes `id-token` (GitHub's permissive and restricted defaults both leave it `none`).
 */
export function effectivePermissions(job: Job, wf: Workflow): EffectivePermissions {
  const block = job.permissions ?? wf.permissions;
  if (block) {
    const { access, loc } = idTokenAccess(block);
    const out: EffectivePermissions = {
      source: job.permissions ? "job" : "workflow",
      permissions: block,
      idToken: access,
    };
    if (loc) out.grantLoc = loc;
    return out;
  }
  return isCalleeOnly(wf) ? { source: "caller", idToken: "unknown" } : { source: "default", idToken: "none" };
}

// ---------------------------------------------------------------------------------------------
// Jobs

/** The path a local `jobs.X.uses` names (`./.github/workflows/y.yml` → `.github/workflows/y.yml`); undefined for a remote one. */
export function localCalleePath(uses: string): string | undefined {
  return uses.startsWith("./") ? uses.slice(2).replace(/@.*$/, "") : undefined;
}

/** The local workflow file a `jobs.X.uses` names (`./.github/workflows/y.yml`), when it was linted. */
export function localCallee(index: ProjectIndex, uses: string): Workflow | undefined {
  const path = localCalleePath(uses);
  return path === undefined ? undefined : index.workflowAt(path);
}

/**
 * Whether a called workflow's job would get a token if its caller granted one: it has no permissions of
 * its own (inherits), or its own grant `id-token: write`.
 */
function calleeCanReceive(job: Job, wf: Workflow): "yes" | "no" | "unknown" {
  const block = job.permissions ?? wf.permissions;
  if (!block) return "yes";
  const { access } = idTokenAccess(block);
  return access === "write" ? "yes" : access === "unknown" ? "unknown" : "no";
}

function callUses(w: Walk, uses: { value: string; loc: SourceLocation }, given: Map<string, StrValue>): OidcUse[] {
  const callee = localCallee(w.ctx.index, uses.value);
  if (!callee) {
    const remote = !uses.value.startsWith("./");
    return [
      {
        need: "maybe",
        consumer: `\`${uses.value}\``,
        loc: uses.loc,
        reason: remote
          ? "a remote reusable workflow, which oidclint cannot see"
          : `\`${uses.value}\` is not among the linted files`,
      },
    ];
  }
  if (w.visiting.has(callee.file)) return [];
  w.visiting.add(callee.file);
  // The callee's `${{ inputs.X }}` are the caller's `with:` values; an input the caller leaves out stays unknown
  // (its default is not read).
  const inputs: InputScope = new Map();
  for (const [key, value] of given) inputs.set(key.toLowerCase(), value);
  const out: OidcUse[] = [];
  for (const calleeJob of callee.jobs) {
    const receive = calleeCanReceive(calleeJob, callee);
    if (receive === "no") continue;
    for (const use of jobUsesIn(w, calleeJob, callee, undefined, inputs)) {
      const need = use.need === "yes" && receive === "yes" ? "yes" : "maybe";
      const call: OidcUse = {
        need,
        consumer: use.consumer,
        loc: uses.loc,
        via: { callee: callee.file, job: calleeJob.id.value },
      };
      if (use.reason) call.reason = use.reason;
      else if (need === "maybe")
        call.reason = `the \`permissions\` of \`${calleeJob.id.value}\` in \`${callee.file}\` are an expression`;
      out.push(call);
    }
  }
  w.visiting.delete(callee.file);
  return out;
}

function jobUsesIn(
  w: Walk,
  job: Job,
  wf: Workflow,
  matrix?: ReadonlyMap<string, StrValue>,
  inputs?: InputScope,
): OidcUse[] {
  if (job.uses) return callUses(w, job.uses, job.with);
  const env = [job.env, wf.env].filter((e): e is Map<string, StrValue> => e !== undefined);
  const dynamicEnv = new Set<string>();
  const out: OidcUse[] = [];
  for (const step of job.steps) {
    const s: StepScope = { step, inputs, env: [step.env, ...env], dynamicEnv: new Set(dynamicEnv) };
    if (matrix) s.matrix = matrix;
    if (w.variables) s.variables = w.variables;
    out.push(...stepUses(w, s));
    for (const name of step.run ? githubEnvWrites(step.run.value) : []) dynamicEnv.add(name);
  }
  return out;
}

/**
 * Every place a job requests (or may request) an OIDC token, through composite actions and reusable
 * workflows. `matrix`: the combination whose `${{ matrix.… }}` values the inputs read (else unknown).
 */
export function jobOidcUses(
  ctx: UsageContext,
  job: Job,
  wf: Workflow,
  matrix?: ReadonlyMap<string, StrValue>,
): OidcUse[] {
  const w: Walk = { ctx, visiting: new Set([wf.file]) };
  if (ctx.settings.variables && Object.keys(ctx.settings.variables).length > 0)
    w.variables = variablesMap(ctx.settings.variables);
  return jobUsesIn(w, job, wf, matrix);
}

/** Whether a job needs `id-token: write`: `yes` when some use is certain, `maybe` when some may be, else `no`. */
export function jobNeed(uses: readonly OidcUse[]): Need {
  if (uses.some((u) => u.need === "yes")) return "yes";
  return uses.length > 0 ? "maybe" : "no";
}

/** The audience a `configure-aws-credentials` step asks for (`audience` input, default `sts.amazonaws.com`). */
export function awsAudience(step: Step): StrValue | undefined {
  if (actionName(step.uses?.value ?? "") !== AWS_ACTION) return undefined;
  return step.with.get("audience") ?? { parts: [DEFAULT_AWS_AUDIENCE], loc: step.uses?.loc ?? step.loc };
}

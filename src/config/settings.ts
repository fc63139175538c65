import { DEFAULT_AWS_AUDIENCE, GITHUB_ISSUER_HOST } from "../model/well-known.js";

/**
 * Every top-level key of `.oidclintrc.json`, declared once: its value type, its JSON schema, its default,
 * an example value and its documentation line. The config schema (`schema.ts`, shipped as
 * schema/oidclintrc.schema.json), the config type (`RawConfig`), the resolved settings rules read
 * (`ResolvedSettings`, `defaultSettings`), the example config and the README's settings table are all
 * derived from this list (test/well-known.test.ts and test/init.test.ts compare the committed files).
 */

/** `"warn"` or `["warn", { …options }]`. */
export type RuleSetting = "off" | "warn" | "error" | ["off" | "warn" | "error", Record<string, unknown>?];

interface Declaration<T> {
  /** JSON schema of the value; `RULES_SCHEMA` stands for the rule levels, which the rules' metadata gives. */
  schema: Record<string, unknown>;
  /** The README's "meaning" cell and the schema's description (Markdown). */
  doc: string;
  /** The README's "default" cell, when it is not simply `default` (a value found in git, say). */
  defaultDoc?: string;
  /** An illustrative value for `.oidclintrc.example.json`; absent: the key is left out of the example. */
  example?: T;
  /** A value rules read through `ResolvedSettings` (else the key configures the run itself: rules, globs…). */
  setting?: true;
  /** Phantom: carries the value type. */
  readonly type?: T;
}

/** Declares one key whose value is a `T`. */
function key<T>() {
  return <D extends Omit<Declaration<T>, "type"> & { default?: T }>(d: D): D & { readonly type?: T } => d;
}

/** Placeholder for the `rules` block in declarations: `buildConfigSchema` puts the rules' schema there. */
export const RULES_SCHEMA = { $ref: "#/$defs/rules" } as const;

export const CONFIG_KEYS = {
  $schema: key<string>()({ schema: { type: "string" }, doc: "the config's JSON schema, for editors" }),
  extends: key<"oidclint:recommended" | "oidclint:strict">()({
    schema: { enum: ["oidclint:recommended", "oidclint:strict"] },
    doc: "or `oidclint:strict` (turns on `mutable-sub-claim`)",
    default: "oidclint:recommended",
    example: "oidclint:recommended",
  }),
  repository: key<string>()({
    schema: { type: "string", pattern: "^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$" },
    doc: "`OWNER/REPO` of this repository (for predicted claims)",
    defaultDoc: "git `origin`, else `GITHUB_REPOSITORY`",
    example: "acme/app",
    setting: true,
  }),
  repositoryOwnerId: key<string>()({
    schema: { type: "string", pattern: "^[0-9]+$" },
    doc: "numeric id of the repository's owner (`gh api repos/OWNER/REPO --jq .owner.id`): the `repository_owner_id` claim; with `repositoryId`, the repository issues immutable subjects (`repo:OWNER@OWNER_ID/REPO@REPO_ID:…`) and `generate` writes that form",
    defaultDoc: "none",
    setting: true,
  }),
  repositoryId: key<string>()({
    schema: { type: "string", pattern: "^[0-9]+$" },
    doc: "numeric id of the repository (`gh api repos/OWNER/REPO --jq .id`): the `repository_id` claim, and the other half of the immutable subject",
    defaultDoc: "none",
    setting: true,
  }),
  audience: key<string>()({
    schema: { type: "string", minLength: 1 },
    doc: "the audience roles and workflows should use",
    default: DEFAULT_AWS_AUDIENCE,
    example: DEFAULT_AWS_AUDIENCE,
    setting: true,
  }),
  issuer: key<string>()({
    schema: { type: "string", minLength: 1 },
    doc: "the OIDC issuer (enterprise slug, GHE.com, GHES host); written with or without `https://`",
    default: GITHUB_ISSUER_HOST,
    example: GITHUB_ISSUER_HOST,
    setting: true,
  }),
  subClaimTemplate: key<string[]>()({
    schema: { type: "array", items: { type: "string", minLength: 1 }, minItems: 1, uniqueItems: true },
    doc: "claim keys of a customised sub (`include_claim_keys`)",
    default: ["repo", "context"],
    example: ["repo", "context"],
    setting: true,
  }),
  repositories: key<string[]>()({
    schema: { type: "array", items: { type: "string", pattern: "^[^/\\s]+/[^/\\s]+$" } },
    doc: "the known repositories (`OWNER/REPO`), for `stale-repo-path`; `repositoriesFile` adds more",
    defaultDoc: "none",
    example: ["acme/app", "acme/infra"],
    setting: true,
  }),
  repositoriesFile: key<string>()({
    schema: { type: "string", minLength: 1 },
    doc: "a file of known repositories: `OWNER/REPO` lines or `gh repo list --json nameWithOwner` output",
    defaultDoc: "none",
  }),
  roles: key<Record<string, string>>()({
    schema: { type: "object", additionalProperties: { type: "string" } },
    doc: "role ARN → file defining its trust policy, for `trust-mismatch` when names are not enough",
    default: {},
    example: { "arn:aws:iam::123456789012:role/deploy": "infra/iam.tf" },
    setting: true,
  }),
  defaultTokenPermissions: key<"restricted" | "permissive">()({
    schema: { enum: ["restricted", "permissive"] },
    doc: "the repository's default `GITHUB_TOKEN` permissions (`restricted` or `permissive`)",
    default: "restricted",
    example: "restricted",
    setting: true,
  }),
  defaultBranch: key<string>()({
    schema: { type: "string", minLength: 1 },
    doc: "the branch base-branch events run on",
    default: "main",
    defaultDoc:
      "git `origin/HEAD`, else in GitHub Actions the event's `repository.default_branch`, else `main` (assumed: runs on the default branch are then not judged)",
    example: "main",
    setting: true,
  }),
  localActionUsesOidc: key<boolean>()({
    schema: { type: "boolean" },
    doc: "`uses: ./` is this repository's own action, which assumes a role via OIDC",
    default: false,
    setting: true,
  }),
  variables: key<Record<string, string>>()({
    schema: {
      type: "object",
      propertyNames: { pattern: "^(vars|secrets)\\.[A-Za-z_][A-Za-z0-9_]*$" },
      additionalProperties: { type: "string" },
    },
    doc: 'values of `${{ vars.X }}` / `${{ secrets.X }}` in workflows, keyed `"vars.X"` / `"secrets.X"` (names case-insensitive), e.g. `{ "vars.AWS_ROLE_ARN": "arn:aws:iam::123456789012:role/deploy" }`: `trust-mismatch`, `audience-drift` and `explain` then follow a role, audience or environment kept in a variable. Without an entry the value is unknown and nothing is claimed about it. Nothing secret is needed: a role ARN is not a secret, and only the entries you write are read',
    defaultDoc: "`{}`",
    setting: true,
  }),
  requireSuppressionReason: key<boolean>()({
    schema: { type: "boolean" },
    doc: "inline suppressions must say `-- reason`",
    default: false,
    example: true,
  }),
  rules: key<Record<string, RuleSetting>>()({
    schema: RULES_SCHEMA,
    doc: '`{ "<id>": "off" \\| "warn" \\| "error" \\| [level, options] }`; the level you write applies to every finding of the rule: without one, a few rules report a lower tier as warnings (`broad-sub-wildcard` org-wide and any-ref patterns, a missing aud), and `"error"` (here, in `overrides` or `--rule ID:error`) makes those errors too',
    defaultDoc: "",
  }),
  ignore: key<string[]>()({
    schema: { type: "array", items: { type: "string" } },
    doc: "globs of files never linted",
    default: [],
    example: ["examples/**"],
  }),
  overrides: key<{ files: string | string[]; rules?: Record<string, RuleSetting> }[]>()({
    schema: {
      type: "array",
      items: {
        type: "object",
        additionalProperties: false,
        required: ["files"],
        properties: {
          files: { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" }, minItems: 1 }] },
          rules: RULES_SCHEMA,
        },
      },
    },
    doc: '`[{ "files": ["legacy/**"], "rules": { … } }]`: levels per file glob',
    default: [],
    example: [{ files: ["sandbox/**"], rules: { "broad-sub-wildcard": "warn" } }],
  }),
};

type Keys = typeof CONFIG_KEYS;
type ValueOf<K extends keyof Keys> = NonNullable<Keys[K]["type"]>;

/** `.oidclintrc.json` as written (validated against the schema derived from `CONFIG_KEYS`). */
export type RawConfig = { [K in keyof Keys]?: ValueOf<K> };

type SettingKey = { [K in keyof Keys]: Keys[K] extends { setting: true } ? K : never }[keyof Keys];
type DefaultedKey = { [K in SettingKey]: Keys[K] extends { default: unknown } ? K : never }[SettingKey];

/**
 * The project facts rules read, resolved from the config (`CONFIG_KEYS` marked `setting`), git and the
 * environment: a key with a default is always there; `repository`, `repositories` and `variables` only
 * when known.
 */
export type ResolvedSettings = { [K in DefaultedKey]: ValueOf<K> } & {
  [K in Exclude<SettingKey, DefaultedKey>]?: ValueOf<K>;
} & {
  /** Query the GitHub API (`--online`): a command-line flag, not a config key. */
  online: boolean;
  /**
   * `defaultBranch` is only the fallback (`main`): no config named it, git has no `origin/HEAD` and no GitHub Actions
   * event did. What depends on the default branch's name is then unknown (src/analysis/predicted-claims.ts).
   */
  defaultBranchAssumed?: boolean;
};

/** The settings of a project without a config, before git and the environment are asked. */
export function defaultSettings(): ResolvedSettings {
  const out: Record<string, unknown> = { online: false };
  for (const [name, decl] of Object.entries(CONFIG_KEYS) as [string, Declaration<unknown> & { default?: unknown }][]) {
    // Defaults are JSON values; a JSON copy costs a run less than `structuredClone` (whose first call loads
    // Node's messaging machinery: ~3 ms of a one-file run).
    if (decl.setting && "default" in decl) out[name] = JSON.parse(JSON.stringify(decl.default)) as unknown;
  }
  return out as ResolvedSettings;
}

/** The README's settings table (Markdown), one row per key. */
export function settingsTable(): string {
  const rows = Object.entries(CONFIG_KEYS)
    .filter(([name]) => name !== "$schema")
    .map(([name, d]: [string, Declaration<unknown> & { default?: unknown }]) => {
      const written = !("default" in d)
        ? undefined
        : typeof d.default === "string"
          ? d.default
          : JSON.stringify(d.default).replace(/,/g, ", ");
      const def = d.defaultDoc ?? (written === undefined ? "" : `\`${written}\``);
      return `| \`${name}\` | ${def} | ${d.doc} |`;
    });
  return ["| key | default | meaning |", "|---|---|---|", ...rows].join("\n");
}

/** The example config: in declaration order, every key with an illustrative value or one `given` here. */
export function exampleConfigValues(given: Partial<Record<keyof Keys, unknown>>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, d] of Object.entries(CONFIG_KEYS) as [keyof Keys, Declaration<unknown>][]) {
    const value = given[name] ?? d.example;
    if (value !== undefined) out[name] = value;
  }
  return out;
}

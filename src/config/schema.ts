import type { AnyRule } from "../engine/rule.js";

const level = { enum: ["off", "warn", "error"] };

/** Identifies the schema a rule set gives: a validator compiled for one key is valid for every rule set with it. */
export function configSchemaKey(rules: readonly AnyRule[]): string {
  return JSON.stringify(buildConfigSchema(rules));
}

/** The JSON schema of `.oidclintrc.json`, derived from the rules' metadata (shipped as schema/oidclintrc.schema.json). */
export function buildConfigSchema(rules: readonly AnyRule[]): Record<string, unknown> {
  const ruleProps: Record<string, unknown> = {};
  for (const r of rules) {
    const options = r.meta.schema ?? { type: "object", additionalProperties: false, properties: {} };
    ruleProps[r.meta.id] = {
      description: r.meta.description,
      oneOf: [level, { type: "array", prefixItems: [level, options], items: false, minItems: 1 }],
    };
  }
  // Shared by `rules` and `overrides[].rules` through a reference, so the compiled validator holds it once.
  const rulesBlock = { $ref: "#/$defs/rules" };
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://oidclint.dev/schema/oidclintrc.schema.json",
    title: "oidclint configuration",
    type: "object",
    additionalProperties: false,
    $defs: { rules: { type: "object", additionalProperties: false, properties: ruleProps } },
    properties: {
      $schema: { type: "string" },
      repository: {
        type: "string",
        pattern: "^[A-Za-z0-9-]+/[A-Za-z0-9._-]+$",
        description: "OWNER/REPO of this repository",
      },
      audience: { type: "string", minLength: 1, description: "Expected audience (default sts.amazonaws.com)" },
      issuer: {
        type: "string",
        minLength: 1,
        description: "OIDC issuer host (default token.actions.githubusercontent.com)",
      },
      subClaimTemplate: {
        type: "array",
        items: { type: "string", minLength: 1 },
        minItems: 1,
        uniqueItems: true,
        description: 'Claim keys of a customised sub (include_claim_keys); default ["repo", "context"]',
      },
      repositories: { type: "array", items: { type: "string", pattern: "^[^/\\s]+/[^/\\s]+$" } },
      repositoriesFile: { type: "string", minLength: 1 },
      roles: { type: "object", additionalProperties: { type: "string" } },
      defaultTokenPermissions: { enum: ["restricted", "permissive"] },
      defaultBranch: { type: "string", minLength: 1 },
      extends: { enum: ["oidclint:recommended", "oidclint:strict"] },
      requireSuppressionReason: { type: "boolean" },
      localActionUsesOidc: {
        type: "boolean",
        description: "`uses: ./` refers to this repository's own action, which assumes a role through OIDC",
      },
      variables: {
        type: "object",
        propertyNames: { pattern: "^(vars|secrets)\\.[A-Za-z_][A-Za-z0-9_]*$" },
        additionalProperties: { type: "string" },
        description:
          "Values of ${{ vars.X }} / ${{ secrets.X }} in workflows (keys `vars.X` / `secrets.X`), e.g. the role ARN a deploy step assumes",
      },
      rules: rulesBlock,
      ignore: { type: "array", items: { type: "string" } },
      overrides: {
        type: "array",
        items: {
          type: "object",
          additionalProperties: false,
          required: ["files"],
          properties: {
            files: { oneOf: [{ type: "string" }, { type: "array", items: { type: "string" }, minItems: 1 }] },
            rules: rulesBlock,
          },
        },
      },
    },
  };
}

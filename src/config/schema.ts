import type { AnyRule } from "../engine/rule.js";
import { CONFIG_KEYS } from "./settings.js";

const level = { enum: ["off", "warn", "error"] };

/** Identifies the schema a rule set gives: a validator compiled for one key is valid for every rule set with it. */
export function configSchemaKey(rules: readonly AnyRule[]): string {
  return JSON.stringify(buildConfigSchema(rules));
}

/**
 * The JSON schema of `.oidclintrc.json`: the keys declared in `CONFIG_KEYS` (settings.ts), the rule levels
 * from the rules' metadata (shipped as schema/oidclintrc.schema.json, written by `npm run generate`).
 */
export function buildConfigSchema(rules: readonly AnyRule[]): Record<string, unknown> {
  const ruleProps: Record<string, unknown> = {};
  for (const r of rules) {
    const options = r.meta.schema ?? { type: "object", additionalProperties: false, properties: {} };
    ruleProps[r.meta.id] = {
      description: r.meta.description,
      oneOf: [level, { type: "array", prefixItems: [level, options], items: false, minItems: 1 }],
    };
  }
  // `rules` and `overrides[].rules` refer to the rules block (`RULES_SCHEMA`), so the compiled validator holds it once.
  const properties: Record<string, unknown> = {};
  for (const [name, decl] of Object.entries(CONFIG_KEYS)) {
    // The README cell escapes `|` for its table; the description is plain.
    properties[name] =
      name === "$schema" ? decl.schema : { ...decl.schema, description: decl.doc.replace(/\\\|/g, "|") };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    $id: "https://oidclint.dev/schema/oidclintrc.schema.json",
    title: "oidclint configuration",
    type: "object",
    additionalProperties: false,
    $defs: { rules: { type: "object", additionalProperties: false, properties: ruleProps } },
    properties,
  };
}

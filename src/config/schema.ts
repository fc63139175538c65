import type { AnyRule } from "../engine/rule.js";
import { CONFIG_KEYS, RULES_SCHEMA } from "./settings.js";

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

/**
 * Whether a parsed config holds a value where the schema applies the rules block (`RULES_SCHEMA`: `rules`,
 * `overrides[].rules`), whatever that value is. A config that holds none never reaches the rules' part of the
 * schema: the schema of no rule gives it the same verdict and the same errors (load.ts uses that). Follows
 * `properties` (objects) and `items` (arrays), the only ways CONFIG_KEYS reach the block; test/config.test.ts
 * checks that every use of RULES_SCHEMA is reached that way.
 */
export function reachesRuleLevels(config: unknown): boolean {
  const properties: Record<string, unknown> = {};
  for (const [name, decl] of Object.entries(CONFIG_KEYS)) properties[name] = decl.schema;
  return reaches({ properties }, config);
}

function reaches(schema: unknown, data: unknown): boolean {
  if (schema === RULES_SCHEMA) return true;
  if (typeof data !== "object" || data === null) return false;
  const { properties, items } = schema as { properties?: Record<string, unknown>; items?: unknown };
  if (Array.isArray(data)) return items !== undefined && data.some((d) => reaches(items, d));
  const record = data as Record<string, unknown>;
  return Object.entries(properties ?? {}).some(
    ([name, sub]) => Object.hasOwn(record, name) && reaches(sub, record[name]),
  );
}

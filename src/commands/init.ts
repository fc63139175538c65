import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import type { CliIO } from "./io.js";
import { CONFIG_NAME } from "../config/load.js";
import { gitFacts } from "../config/git.js";
import { buildConfigSchema } from "../config/schema.js";
import { defaultSettings, exampleConfigValues } from "../config/settings.js";
import type { AnyRule } from "../engine/rule.js";
import { visible } from "../formatters/terminal.js";
import { rules as builtinRules } from "../../rules/index.js";

/** Where editors find the schema when oidclint is not installed in the project's `node_modules`. */
export const SCHEMA_URL = "https://raw.githubusercontent.com/oidclint/oidclint/main/schema/oidclintrc.schema.json";
const LOCAL_SCHEMA = "./node_modules/oidclint/schema/oidclintrc.schema.json";

type RuleEntry = string | [string, Record<string, unknown>];

/** Every rule at its default level, with its default options spelled out where it has any. */
export function defaultRuleEntries(rules: readonly AnyRule[]): Record<string, RuleEntry> {
  const out: Record<string, RuleEntry> = {};
  for (const r of rules) {
    const options = r.defaultOptions as Record<string, unknown>;
    out[r.meta.id] = Object.keys(options).length > 0 ? [r.meta.severity, options] : r.meta.severity;
  }
  return out;
}

export interface StarterFacts {
  schema: string;
  repository?: string;
}

/** The config `oidclint init` writes: `$schema`, the repository, the default audience, every rule at its default. */
export function starterConfig(rules: readonly AnyRule[], facts: StarterFacts): Record<string, unknown> {
  return {
    $schema: facts.schema,
    ...(facts.repository ? { repository: facts.repository } : {}),
    audience: defaultSettings().audience,
    rules: defaultRuleEntries(rules),
  };
}

/**
 * `.oidclintrc.example.json` at the project root: every top-level key with an illustrative value, every
 * rule at its default. Generated from the rules' metadata (`npm run generate`); a test keeps it in sync.
 */
export function exampleConfig(rules: readonly AnyRule[]): Record<string, unknown> {
  // The keys and their example values are declared once, in src/config/settings.ts.
  return exampleConfigValues({ $schema: SCHEMA_URL, rules: defaultRuleEntries(rules) });
}

/** `schema/oidclintrc.schema.json`, as shipped in the package. */
export function configSchemaText(rules: readonly AnyRule[]): string {
  return `${JSON.stringify(buildConfigSchema(rules), null, 2)}\n`;
}

export function exampleConfigText(rules: readonly AnyRule[]): string {
  return `${JSON.stringify(exampleConfig(rules), null, 2)}\n`;
}

const HELP = `Usage: oidclint init [--force]

Writes a starter ${CONFIG_NAME} in the current directory: $schema for editors, the repository
detected from git's origin remote (or GITHUB_REPOSITORY), the default audience and every rule at
its default level. An existing file is kept unless --force is given.
`;

/** `oidclint init`: writes a starter `.oidclintrc.json`; refuses to overwrite one without `--force`. */
export function run(args: string[], io: CliIO): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { force: { type: "boolean" }, help: { type: "boolean", short: "h" } },
  });
  if (values.help) {
    io.stdout(HELP);
    return Promise.resolve(0);
  }
  const target = join(io.cwd, CONFIG_NAME);
  if (existsSync(target) && !values.force) {
    io.stderr(`oidclint init: ${CONFIG_NAME} already exists here; not overwriting it (use --force to replace it)\n`);
    return Promise.resolve(2);
  }
  const repository = gitFacts(io.cwd).repository ?? io.env.GITHUB_REPOSITORY;
  const schema = existsSync(join(io.cwd, LOCAL_SCHEMA)) ? LOCAL_SCHEMA : SCHEMA_URL;
  const config = starterConfig(builtinRules, { schema, ...(repository ? { repository } : {}) });
  writeFileSync(target, `${JSON.stringify(config, null, 2)}\n`);
  io.stdout(`Wrote ${CONFIG_NAME}${repository ? ` for ${visible(repository)}` : ""}.\n`);
  if (!repository) {
    io.stdout(
      `No git remote "origin" found: add "repository": "OWNER/REPO" to ${CONFIG_NAME} so rules can check subs against it.\n`,
    );
  }
  return Promise.resolve(0);
}

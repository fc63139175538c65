// Compiles the config schema (CommonJS: ajv's standalone code requires its small runtime helpers) into a standalone validator module at build time, so a run with a config
// file does not pay ajv's schema compilation (~100 ms) on every start. Run by `npm run build`.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";

const root = join(import.meta.dirname, "..");
const { buildConfigSchema, configSchemaKey } = await import(join(root, "dist/src/config/schema.js"));
const { rules } = await import(join(root, "dist/rules/index.js"));
const ajv = new Ajv2020({ allErrors: true, strict: false, inlineRefs: false, code: { source: true } });
const validate = ajv.compile(buildConfigSchema(rules));
// The key tells the loader which rule set this validator was compiled for (another set compiles its own).
const key = `\nmodule.exports.schemaKey = ${JSON.stringify(configSchemaKey(rules))};\n`;
writeFileSync(join(root, "dist/src/config/validate-config.cjs"), standaloneCode(ajv, validate) + key);

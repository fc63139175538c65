// Compiles the config schema into a standalone validator module at build time, so a run with a config file
// does not pay ajv's schema compilation (~100 ms) on every start. Run by `npm run build`.
// An ECMAScript module: the CLI bundle (scripts/build-cli.mjs) bundles it, and importing it costs no CommonJS
// loader. ajv's standalone code `require`s its small runtime helpers; they become imports.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";

const root = join(import.meta.dirname, "..");
const { buildConfigSchema, configSchemaKey } = await import(join(root, "dist/src/config/schema.js"));
const { rules } = await import(join(root, "dist/rules/index.js"));
const ajv = new Ajv2020({ allErrors: true, strict: false, inlineRefs: false, code: { source: true, esm: true } });
const validate = ajv.compile(buildConfigSchema(rules));
const imports = [];
const code = standaloneCode(ajv, validate).replace(/\brequire\("([^"]+)"\)/g, (_, spec) => {
  const name = `runtime${imports.length}`;
  // A CommonJS module imported from a module: its default import is `module.exports`.
  imports.push(`import ${name} from ${JSON.stringify(spec.endsWith(".js") ? spec : `${spec}.js`)};`);
  return name;
});
// The key tells the loader which rule set this validator was compiled for (another set compiles its own).
const key = `\nexport const schemaKey = ${JSON.stringify(configSchemaKey(rules))};\n`;
writeFileSync(join(root, "dist/src/config/validate-config.js"), `${imports.join("\n")}\n${code}${key}`);

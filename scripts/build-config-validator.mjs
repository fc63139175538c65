// Compiles the config schema into standalone validator modules at build time, so a run with a config file
// does not pay ajv's schema compilation (~100 ms) on every start. Run by `npm run build`.
// ECMAScript modules: the CLI bundle (scripts/build-cli.mjs) bundles them, and importing them costs no CommonJS
// loader. ajv's standalone code `require`s its small runtime helpers; they become imports.
//
// Two validators: validate-config.js for the built-in rules (the schema of every rule's options, ~130 KB of
// code), and validate-settings.js for the schema of no rule at all, which src/config/load.ts uses for a config
// that writes no rule levels (most configs): it then gives exactly the same verdicts, and a run loads a few KB.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Ajv2020 from "ajv/dist/2020.js";
import standaloneCode from "ajv/dist/standalone/index.js";

const root = join(import.meta.dirname, "..");
const { buildConfigSchema, configSchemaKey } = await import(join(root, "dist/src/config/schema.js"));
const { rules } = await import(join(root, "dist/rules/index.js"));

function writeValidator(name, ruleSet) {
  const ajv = new Ajv2020({ allErrors: true, strict: false, inlineRefs: false, code: { source: true, esm: true } });
  const validate = ajv.compile(buildConfigSchema(ruleSet));
  const imports = [];
  const code = standaloneCode(ajv, validate).replace(/\brequire\("([^"]+)"\)/g, (_, spec) => {
    const local = `runtime${imports.length}`;
    // A CommonJS module imported from a module: its default import is `module.exports`.
    imports.push(`import ${local} from ${JSON.stringify(spec.endsWith(".js") ? spec : `${spec}.js`)};`);
    return local;
  });
  // The key tells the loader which rule set this validator was compiled for (another set compiles its own).
  const key = `\nexport const schemaKey = ${JSON.stringify(configSchemaKey(ruleSet))};\n`;
  writeFileSync(join(root, "dist/src/config", name), `${imports.join("\n")}\n${code}${key}`);
}

writeValidator("validate-config.js", rules);
writeValidator("validate-settings.js", []);

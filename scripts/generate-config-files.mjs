// Writes the files generated from the rules' metadata and the config keys (src/config/settings.ts):
// `.oidclintrc.example.json`, `schema/oidclintrc.schema.json` and the README's settings table. Reads the compiled output, so it builds first:
//   npm run generate            (write)
//   npm run generate -- --check (exit 1 when a file is out of date)
// test/init.test.ts fails when the committed files drift from what this would write.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";

const root = join(import.meta.dirname, "..");
try {
  execFileSync(process.execPath, [join(root, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.build.json"], {
    cwd: root,
    stdio: "inherit",
  });
} catch {
  // tsc still emits on type errors; the generated files only need rule metadata
  console.error("(type errors above; generating from the emitted output anyway)");
}
const { configSchemaText, exampleConfigText } = await import(join(root, "dist/src/commands/init.js"));
const { rules } = await import(join(root, "dist/rules/index.js"));

const { settingsTable } = await import(join(root, "dist/src/config/settings.js"));

// The README's settings table sits between two marker comments.
const readme = readFileSync(join(root, "README.md"), "utf8");
const START = "<!-- settings table: written by `npm run generate` from src/config/settings.ts -->\n";
const END = "\n<!-- end of settings table -->";
const from = readme.indexOf(START) + START.length;
const files = {
  ".oidclintrc.example.json": exampleConfigText(rules),
  "schema/oidclintrc.schema.json": configSchemaText(rules),
  "README.md": readme.slice(0, from) + settingsTable() + readme.slice(readme.indexOf(END, from)),
};
const check = process.argv.includes("--check");
let stale = 0;
for (const [rel, text] of Object.entries(files)) {
  const target = join(root, rel);
  let current;
  try {
    current = readFileSync(target, "utf8");
  } catch {
    current = undefined;
  }
  if (current === text) continue;
  if (check) {
    console.error(`${rel} is out of date: run npm run generate`);
    stale++;
  } else {
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, text);
    console.log(`wrote ${rel}`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;

import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";

const ROOT = join(import.meta.dirname, "..");

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestMtime(p));
    else if (entry.name.endsWith(".ts")) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

/**
 * CLI tests spawn the real `bin/oidclint.js`, which runs the bundle of the compiled output (`npm run build`:
 * tsc, the config validator, the CLI bundle): rebuild it when sources are newer.
 */
export default function setup(): void {
  const built = join(ROOT, "dist", "cli", "cli.js");
  const sources = Math.max(newestMtime(join(ROOT, "src")), newestMtime(join(ROOT, "rules")));
  if (existsSync(built) && statSync(built).mtimeMs >= sources) return;
  const node = (args: string[]): void => {
    execFileSync(process.execPath, args, { cwd: ROOT, stdio: "inherit" });
  };
  node([join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.build.json"]);
  node([join(ROOT, "scripts", "build-config-validator.mjs")]);
  node([join(ROOT, "scripts", "build-cli.mjs")]);
}

// `npm run bench -- --map`: CPU time and peak RSS of `oidclint map` on the large trust-map repository
// (scripts/map-project.mjs: 200 workflows, 50 roles by default), once per output format, through the built
// CLI in a child process under /usr/bin/time.
//
//   npm run bench -- --map [--workflows 200] [--roles 50] [--runs 3] [--markdown]
//
// The repository is written to .bench/map-<workflows>x<roles>/ (gitignored) when missing. Needs `npm run build`.
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, statSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { largeProject } from "./map-project.mjs";

const root = join(import.meta.dirname, "..");
const { values } = parseArgs({
  options: {
    map: { type: "boolean", default: true },
    workflows: { type: "string", default: "200" },
    roles: { type: "string", default: "50" },
    runs: { type: "string", default: "3" },
    markdown: { type: "boolean", default: false },
  },
});
const workflows = Number(values.workflows);
const roles = Number(values.roles);
const runs = Number(values.runs);
if (!existsSync("/usr/bin/time")) throw new Error("needs /usr/bin/time (GNU time) for CPU time and peak RSS");
if (!existsSync(join(root, "dist/cli/cli.js"))) throw new Error("dist/ is missing: run `npm run build` first");

const dir = join(root, ".bench", `map-${workflows}x${roles}`);
if (!existsSync(dir)) {
  mkdirSync(dir, { recursive: true });
  // Its own git repository: otherwise this repository's .gitignore (which lists .bench/) hides every file.
  spawnSync("git", ["init", "-q"], { cwd: dir });
  for (const [file, text] of Object.entries(largeProject(workflows, roles))) {
    mkdirSync(dirname(join(dir, file)), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
}

/** One run: user+system CPU seconds and peak RSS (MiB) of the whole process. */
function measure(format) {
  const out = join(root, ".bench", `map-out.${format}`);
  const r = spawnSync(
    "/usr/bin/time",
    [
      "-f",
      "__TIME=%U %S %M",
      process.execPath,
      join(root, "bin/oidclint.js"),
      "map",
      ".",
      "--format",
      format,
      "-o",
      out,
    ],
    { cwd: dir, encoding: "utf8" },
  );
  const m = /__TIME=([\d.]+) ([\d.]+) (\d+)/.exec(r.stderr ?? "");
  if (!m || (r.status !== 0 && r.status !== 1))
    throw new Error(`map --format ${format}: exit ${r.status}: ${r.stderr}`);
  const bytes = statSync(out).size;
  if (bytes < 1024) throw new Error(`map --format ${format}: ${bytes} bytes: the repository was not read`);
  return { cpu: Number(m[1]) + Number(m[2]), mib: Number(m[3]) / 1024, bytes };
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
for (const format of ["json", "html"]) {
  const samples = Array.from({ length: runs }, () => measure(format));
  const cpu = median(samples.map((s) => s.cpu)).toFixed(2);
  const mib = Math.max(...samples.map((s) => s.mib)).toFixed(0);
  const kb = (samples[0].bytes / 1024).toFixed(0);
  console.log(
    values.markdown
      ? `| map ${workflows} workflows / ${roles} roles, --format ${format} | ${cpu} s | ${mib} MiB | ${kb} KiB |`
      : `map --format ${format}: ${workflows} workflows, ${roles} roles: CPU ${cpu} s (median of ${runs}), peak RSS ${mib} MiB, output ${kb} KiB`,
  );
}

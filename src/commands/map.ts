import { mkdirSync, writeFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { buildTrustMap } from "../map/graph.js";
import { loadMapInput } from "../map/load.js";
import { MAP_FORMATS, renderMap, type MapFormat } from "../map/render.js";
import { parseOptions, UsageError, wantsHelp } from "./args.js";
import type { CliIO } from "./io.js";

/**
 * `oidclint map [paths] [--format html|mermaid|markdown|json] [-o FILE]`: the trust map of the linted
 * files — workflows → jobs → roles → conditions → providers, with the findings of a lint run on the
 * same files. The format defaults to the output file's extension, else `html`.
 */

const USAGE = `Usage: oidclint map [paths...] [--format html|mermaid|markdown|json] [-o FILE] [--config FILE]

Draws the trust map: workflows → jobs (trigger, environment, predicted sub/aud) → the roles they
assume (where defined) → the conditions that accept or refuse each claim → OIDC providers, with the
findings of a lint run on the same files.

Options:
  -f, --format NAME        html (default: one self-contained page), mermaid, markdown (job summary), json
  -o, --output-file FILE   write the map to FILE (the format follows its extension unless --format is given)
  -c, --config FILE        use this config instead of the nearest .oidclintrc.json
  -h, --help               show this help

Examples:
  oidclint map -o trust-map.html
  oidclint map infra .github/workflows --format mermaid
  oidclint map --format markdown >> "$GITHUB_STEP_SUMMARY"
`;

const BY_EXTENSION: Record<string, MapFormat> = {
  html: "html",
  htm: "html",
  md: "markdown",
  markdown: "markdown",
  mmd: "mermaid",
  mermaid: "mermaid",
  json: "json",
};

function formatFor(name: string | undefined, output: string | undefined): MapFormat | undefined {
  if (name !== undefined) return (MAP_FORMATS as readonly string[]).includes(name) ? (name as MapFormat) : undefined;
  const ext = output ? /\.([a-z]+)$/i.exec(output)?.[1]?.toLowerCase() : undefined;
  return (ext ? BY_EXTENSION[ext] : undefined) ?? "html";
}

export async function run(args: string[], io: CliIO): Promise<number> {
  if (wantsHelp(args)) {
    io.stdout(USAGE);
    return 0;
  }
  const { values, positionals } = parseOptions(
    args,
    {
      format: { type: "string", short: "f" },
      "output-file": { type: "string", short: "o" },
      config: { type: "string", short: "c" },
      help: { type: "boolean", short: "h" },
    },
    { command: "map", positionals: { what: "path" } },
  );
  const format = formatFor(values.format, values["output-file"]);
  if (!format)
    throw new UsageError(`unknown format "${values.format ?? ""}" (expected ${MAP_FORMATS.join(", ")})`, "map");
  const { index, config, report } = await loadMapInput({
    cwd: io.cwd,
    paths: positionals,
    ...(values.config ? { configFile: values.config } : {}),
    env: io.env,
  });
  const text = renderMap(buildTrustMap(index, config.settings, report), format);
  if (values["output-file"]) {
    const out = resolve(io.cwd, values["output-file"]);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  } else io.stdout(text);
  return 0;
}

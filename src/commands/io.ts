import { ConfigError } from "../config/load.js";
import { MAX_FILE_BYTES } from "../engine/read-file.js";
import type { LintReport } from "../engine/result.js";
import type { FormatMeta } from "../formatters/types.js";

/** What every command writes to and reads from; tests pass their own. */
export interface CliIO {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
  readStdin: () => Promise<string>;
  isTTY: boolean;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Called by a lint run with the report and what its formatter was given (the GitHub Action's job summary). */
  onReport?: (report: LintReport, meta: FormatMeta) => void;
}

export function defaultIO(): CliIO {
  return {
    stdout: (s) => process.stdout.write(s),
    stderr: (s) => process.stderr.write(s),
    readStdin: async () => {
      const chunks: Buffer[] = [];
      let total = 0;
      for await (const c of process.stdin) {
        chunks.push(c as Buffer);
        total += (c as Buffer).length;
        // The same bound as for files: stop reading, refuse the run.
        if (total > MAX_FILE_BYTES)
          throw new ConfigError(
            `standard input is over the ${MAX_FILE_BYTES / 1048576} MiB oidclint reads; not linted`,
          );
      }
      return Buffer.concat(chunks).toString("utf8");
    },
    isTTY: process.stdout.isTTY,
    cwd: process.cwd(),
    env: process.env,
  };
}

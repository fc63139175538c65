import { fstatSync, writeSync } from "node:fs";
import { isatty } from "node:tty";
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

/** Whether some output went to `process.stdout` or `process.stderr` (`descriptorWriter`), whose writes may be pending. */
let streamed = false;

/**
 * Whether everything the default IO wrote is written: every write went straight to its descriptor, none was
 * handed to a stream (bin/oidclint.js then ends the process as soon as the command returns).
 */
export function outputDone(): boolean {
  return !streamed;
}

/**
 * Writes to standard output or error without `process.stdout`/`process.stderr`: creating those streams loads
 * Node's stream and net modules, ~6 % of a one-file run. The writes are synchronous, as the streams' are for
 * files and pipes. A reader that went away (EPIPE: `oidclint . | head`) drops the rest of the output, and the
 * run ends with the exit code its findings give; a descriptor that would block (EAGAIN: a non-blocking pipe
 * from the parent) hands the rest, and every later write, to the stream.
 */
function descriptorWriter(fd: 1 | 2): (s: string) => void {
  let stream: NodeJS.WriteStream | undefined;
  let closed = false;
  return (s) => {
    if (closed) return;
    if (stream) {
      stream.write(s);
      return;
    }
    const bytes = Buffer.from(s);
    let done = 0;
    while (done < bytes.length) {
      try {
        done += writeSync(fd, bytes, done);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === "EPIPE") {
          closed = true;
          return;
        }
        if (code !== "EAGAIN") throw e;
        stream = fd === 1 ? process.stdout : process.stderr;
        streamed = true;
        stream.on("error", (err: NodeJS.ErrnoException) => {
          if (err.code !== "EPIPE") throw err;
        });
        stream.write(bytes.subarray(done));
        return;
      }
    }
  };
}

/** A terminal is a character device: `tty` (which loads `net`) is asked only then. */
function isTerminal(fd: number): boolean {
  try {
    return fstatSync(fd).isCharacterDevice() && isatty(fd);
  } catch {
    return false;
  }
}

export function defaultIO(): CliIO {
  let terminal: boolean | undefined;
  return {
    stdout: descriptorWriter(1),
    stderr: descriptorWriter(2),
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
    // Asked only by what may colour its output: a report in another format never loads `tty` (/dev/null is a
    // character device too).
    get isTTY() {
      return (terminal ??= isTerminal(1));
    },
    cwd: process.cwd(),
    env: process.env,
  };
}

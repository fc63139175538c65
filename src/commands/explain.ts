import type { CliIO } from "../cli.js";

/** `oidclint explain`: placeholder until its issue lands. */
export function run(_args: string[], io: CliIO): Promise<number> {
  io.stderr("oidclint explain: not available yet\n");
  return Promise.resolve(2);
}

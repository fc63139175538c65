#!/usr/bin/env node
import module from "node:module";

// Node ≥ 22.1 keeps V8's compiled code of the bundle on disk (in the OS temporary directory) for the next run;
// NODE_DISABLE_COMPILE_CACHE=1 turns it off. Node 20 has no such cache: the call is skipped.
module.enableCompileCache?.();

// Not a top-level await: should the run ever stop with work pending (a promise that never settles), Node
// would exit 13 with no output. Exit 2 with a message instead; 0, 1 and 2 are the only exit codes.
let settled = false;
process.on("beforeExit", () => {
  // Another listener (the engine's guard around a parse that cannot finish) resumes the run: not yet a stall.
  if (settled || process.listenerCount("beforeExit") > 1) return;
  settled = true;
  process.stderr.write(
    "oidclint: internal error: the run stopped before it finished (a promise never settled); please report it\n",
  );
  process.exitCode = 2;
});
// An exception outside the run's own handling would exit 1, which means "lint errors": it is an internal error.
for (const event of ["uncaughtException", "unhandledRejection"]) {
  process.on(event, (e) => {
    settled = true;
    process.stderr.write(`oidclint: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(2);
  });
}
// A reader that went away (`oidclint . | head`) is not an internal error: the rest of the output is dropped
// and the run ends with the exit code its findings give.
for (const stream of [process.stdout, process.stderr]) {
  stream.on("error", (e) => {
    if (e.code !== "EPIPE") throw e;
  });
}
// The bundle (scripts/build-cli.mjs): one module and the chunks a run needs, instead of the whole module
// graph of dist/src; imported after the compile cache is on.
import("../dist/cli/cli.js")
  .then(({ main }) => main(process.argv.slice(2)))
  .then(
    (code) => {
      settled = true;
      process.exitCode = code;
    },
    (e) => {
      settled = true;
      process.stderr.write(`oidclint: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
      process.exitCode = 2;
    },
  );

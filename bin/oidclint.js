#!/usr/bin/env node
"use strict";
// CommonJS (bin/package.json): Node starts no ESM loader for it. It runs the bundle (scripts/build-cli.mjs: one
// module and the chunks a run needs, instead of the whole module graph of dist/src) through bundle-loader.js,
// which keeps V8's compiled code of each chunk in a per-user cache for the next run.
const { loadBundle } = require("./bundle-loader.js");

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
new Promise((resolve) => resolve(loadBundle()))
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

#!/usr/bin/env node
"use strict";
// CommonJS (bin/package.json): Node starts no ESM loader for it. It runs the bundle (scripts/build-cli.mjs: one
// module and the chunks a run needs, instead of the whole module graph of dist/src) through bundle-loader.js,
// which keeps V8's compiled code of each chunk in a per-user cache for the next run.
const { writeSync } = require("node:fs");
const { loadBundle } = require("./bundle-loader.js");

// The CLI writes to the descriptors, not to process.stdout/stderr (src/commands/io.ts: those streams load
// Node's stream modules); so does this file. A standard error that went away loses the message, nothing else.
function internalError(message) {
  try {
    writeSync(2, `oidclint: internal error: ${message}\n`);
  } catch {
    // nowhere to say it
  }
}

// Not a top-level await: should the run ever stop with work pending (a promise that never settles), Node
// would exit 13 with no output. Exit 2 with a message instead; 0, 1 and 2 are the only exit codes.
let settled = false;
process.on("beforeExit", () => {
  // Another listener (the engine's guard around a parse that cannot finish) resumes the run: not yet a stall.
  if (settled || process.listenerCount("beforeExit") > 1) return;
  settled = true;
  internalError("the run stopped before it finished (a promise never settled); please report it");
  process.exitCode = 2;
});
// An exception outside the run's own handling would exit 1, which means "lint errors": it is an internal error.
for (const event of ["uncaughtException", "unhandledRejection"]) {
  process.on(event, (e) => {
    settled = true;
    internalError(e instanceof Error ? e.message : String(e));
    process.exit(2);
  });
}
// When the command returns with all its output written, the process ends there: left to end by itself, Node
// would first finish the work V8's collector started on the last of the run's heap (an incremental marking and
// a full collection of memory about to be freed anyway, ≈ 15 ms of a large run) and tear the heap down. Not when
// output went to a stream (src/commands/io.ts `outputDone`) or OIDCLINT_DEBUG prints through the console's.
let bundle;
new Promise((resolve) => resolve(loadBundle()))
  .then((loaded) => {
    bundle = loaded;
    return loaded.main(process.argv.slice(2));
  })
  .then(
    (code) => {
      settled = true;
      process.exitCode = code;
      if (bundle.outputDone?.() === true && !process.env.OIDCLINT_DEBUG) process.exit(code);
    },
    (e) => {
      settled = true;
      internalError(e instanceof Error ? e.message : String(e));
      process.exitCode = 2;
    },
  );

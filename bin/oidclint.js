#!/usr/bin/env -S node --max-semi-space-size=8
// An 8 MiB young generation keeps peak memory lower on large repositories (BENCHMARKS.md).
// `env -S` passes the flag where the shebang is honoured (npm links the bin); elsewhere Node's default applies.
import { main } from "../dist/src/cli.js";

process.exitCode = await main(process.argv.slice(2));

/**
 * src/engine/read-file.ts: `readInput` reads a plain regular file in one call (`plainText`), a file the listing
 * saw as a regular file in three (`listedText`), and everything else byte by byte (`readBytes` + `decodeInput`).
 * Every way must give the same outcome for every file.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { decodeInput, readBytes, readInput, type ReadOutcome } from "../src/engine/read-file.js";

const dir = mkdtempSync(join(tmpdir(), "oidclint-read-"));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The careful way alone: the bytes, decoded as `readInput` decodes them. */
function careful(abs: string, maxBytes?: number): ReadOutcome {
  const outcome = readBytes(abs, maxBytes === undefined ? {} : { maxBytes });
  if (!("bytes" in outcome)) return { problem: outcome.problem, reason: outcome.reason };
  return outcome.bytes.length === 0 ? { text: "" } : decodeInput(outcome.bytes);
}

const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const FILES: Record<string, Buffer> = {
  "plain.json": Buffer.from('{ "Version": "2012-10-17" }\n'),
  "bom.json": Buffer.concat([BOM, Buffer.from("{}\n")]),
  "two-boms.yml": Buffer.concat([BOM, BOM, Buffer.from("a: 1\n")]),
  "bom-inside.yml": Buffer.from("a: \uFEFF1\n"),
  "replacement-char.yml": Buffer.from("name: \uFFFD ok\n"),
  "invalid-utf8.tf": Buffer.concat([
    Buffer.from('resource "x" "y" {\n  name = "'),
    Buffer.from([0xc3, 0x28]),
    Buffer.from('"\n}\n'),
  ]),
  "nul-early.json": Buffer.from('{"a": "\u0000"}'),
  "nul-late.yml": Buffer.concat([Buffer.from(`a: "${"x".repeat(9000)}"\n`), Buffer.from([0]), Buffer.from("\n")]),
  "unicode.yml": Buffer.from("name: déployer ☁ \u{1F680}\n"),
  "empty.json": Buffer.alloc(0),
  "large.json": Buffer.from(`{"a": "${"y".repeat(2000)}"}`),
  // Past the buffer `listedText` reads into (64 KiB): read again the careful way.
  "over-buffer.json": Buffer.from(`{"a": "${"z".repeat(70 * 1024)}"}`),
  "at-buffer.json": Buffer.from(`{"a": "${"z".repeat(64 * 1024 - 10)}"}`),
};

describe("readInput", () => {
  for (const [name, bytes] of Object.entries(FILES)) writeFileSync(join(dir, name), bytes);
  mkdirSync(join(dir, "sub"));
  symlinkSync(join(dir, "bom.json"), join(dir, "sub", "link.json"));

  it("gives every file the outcome of reading it byte by byte", () => {
    for (const name of [...Object.keys(FILES), "sub/link.json", "missing.json"]) {
      const abs = join(dir, name);
      const expected = careful(abs);
      const got = readInput(abs);
      if ("skip" in got) expect(expected, name).toMatchObject({ reason: "missing" });
      else expect(got, name).toEqual(expected);
    }
    expect(readInput(join(dir, "two-boms.yml"))).toEqual({ text: "a: 1\n" });
    expect(readInput(join(dir, "bom-inside.yml"))).toEqual({ text: "a: \uFEFF1\n" });
    expect(readInput(join(dir, "replacement-char.yml"))).toEqual({ text: "name: \uFFFD ok\n" });
    expect(readInput(join(dir, "invalid-utf8.tf"))).toMatchObject({ line: 2, column: 11 });
    expect(readInput(join(dir, "nul-early.json"))).toMatchObject({
      problem: "file is binary (contains NUL bytes), not a text input",
    });
    const late = readInput(join(dir, "nul-late.yml"));
    expect("text" in late && late.text.includes("\u0000")).toBe(true);
  });

  it("gives the same outcome when the listing said it saw a regular file, whatever is there now", () => {
    // A listing can be outdated: a link or a missing file where it saw a regular file is read the careful way.
    for (const name of [...Object.keys(FILES), "sub/link.json", "missing.json"]) {
      const abs = join(dir, name);
      expect(readInput(abs, { listedRegular: true }), name).toEqual(readInput(abs));
    }
    expect(readInput(join(dir, "over-buffer.json"), { listedRegular: true })).toMatchObject({
      text: expect.stringMatching(/^\{"a": "z{71680}"\}$/) as unknown,
    });
  });

  it("keeps the size limit and the confinement when the listing saw a regular file", () => {
    const listed = { listedRegular: true };
    expect(readInput(join(dir, "large.json"), { ...listed, maxBytes: 1000 })).toMatchObject({ reason: "too-large" });
    expect(readInput(join(dir, "over-buffer.json"), { ...listed, maxBytes: 70 * 1024 })).toMatchObject({
      reason: "too-large",
    });
    // A link put where the listing saw a file is not followed out of the directory it is confined to.
    expect(readInput(join(dir, "sub", "link.json"), { ...listed, confineTo: join(dir, "sub") })).toMatchObject({
      reason: "outside",
    });
    expect(readInput(join(dir, "plain.json"), { ...listed, confineTo: join(dir, "sub") })).toMatchObject({
      reason: "outside",
    });
    expect(readInput(join(dir, "plain.json"), { ...listed, confineTo: dir })).toEqual({
      text: '{ "Version": "2012-10-17" }\n',
    });
  });

  it.skipIf(process.platform === "win32")(
    "never waits on a FIFO put where the listing saw a file, and reads no data from it",
    () => {
      const fifo = join(dir, "swapped.json");
      expect(spawnSync("mkfifo", [fifo]).status).toBe(0);
      // Opened without blocking; a FIFO without a writer reads as empty (the listing's word is taken for the type).
      expect(readInput(fifo, { listedRegular: true })).toEqual({ text: "" });
      // Without the listing's word, it is refused before it is opened.
      expect(readInput(fifo)).toMatchObject({ reason: "special" });
    },
  );

  it("keeps the size limit and the confinement", () => {
    expect(readInput(join(dir, "large.json"), { maxBytes: 1000 })).toMatchObject({ reason: "too-large" });
    expect(readInput(join(dir, "large.json"), { maxBytes: 5000 })).toEqual(careful(join(dir, "large.json"), 5000));
    expect(readInput(join(dir, "sub", "link.json"), { confineTo: join(dir, "sub") })).toMatchObject({
      reason: "outside",
    });
    expect(readInput(join(dir, "plain.json"), { confineTo: join(dir, "sub") })).toMatchObject({ reason: "outside" });
    expect(readInput(join(dir, "plain.json"), { confineTo: dir })).toEqual({ text: '{ "Version": "2012-10-17" }\n' });
  });
});

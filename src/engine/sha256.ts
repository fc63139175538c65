import * as crypto from "node:crypto";
import { SHA256_WASM } from "./sha256-wasm.js";

/**
 * SHA-256 for finding fingerprints and Terraform's `sha256()` in WebAssembly (sha256.wat, assembled into sha256-wasm.ts): a run that prints
 * fingerprints (json, sarif, baselines) then does not load node:crypto, whose modules cost a short run more
 * than all its hashing (≈ 5 ms of CPU against ≈ 1.5 ms to compile this module and hash a run's findings).
 */

/** Where the module's `digest` reads the message and writes the digest (sha256.wat). */
const MESSAGE = 1024;
const DIGEST = 512;
/** The longest message its one page of memory holds: the padding takes up to 72 bytes past the message. */
const ROOM = 64 * 1024 - MESSAGE - 72;

interface Hasher {
  memory: Buffer;
  digest: (length: number) => void;
}

/** The module, compiled on first use; null where there is no WebAssembly (`node --jitless`) or it is refused. */
let hasher: Hasher | null | undefined;

function compile(): Hasher | null {
  try {
    const instance = new WebAssembly.Instance(new WebAssembly.Module(Buffer.from(SHA256_WASM, "base64")), {});
    const { memory, digest } = instance.exports as { memory: WebAssembly.Memory; digest: (length: number) => void };
    return { memory: Buffer.from(memory.buffer), digest };
  } catch {
    return null;
  }
}

/**
 * The SHA-256 of a text's UTF-8 (a lone surrogate as U+FFFD, as node:crypto hashes a string) in hex; undefined
 * without WebAssembly or for a text longer than the module's memory holds (the caller then uses node:crypto).
 */
export function sha256Hex(text: string): string | undefined {
  if (hasher === undefined) hasher = typeof WebAssembly === "object" ? compile() : null;
  if (hasher === null) return undefined;
  // At most 3 bytes per UTF-16 code unit: a text that surely fits is not measured first.
  if (text.length * 3 > ROOM && Buffer.byteLength(text, "utf8") > ROOM) return undefined;
  const length = hasher.memory.write(text, MESSAGE, "utf8");
  hasher.digest(length);
  return hasher.memory.toString("hex", DIGEST, DIGEST + 32);
}

let oneShot = true;

/**
 * SHA-256 in hex, of any text: in WebAssembly (`sha256Hex`: node:crypto, loaded lazily by the CLI bundle, is then
 * not loaded at all), else with node:crypto. `crypto.hash` (Node ≥ 20.12) saves a Hash object per call; older
 * Nodes (and the CLI bundle's lazy wrapper of it there) throw a TypeError on the first call, and `createHash` is
 * used from then on.
 */
export function sha256(text: string): string {
  const fast = sha256Hex(text);
  if (fast !== undefined) return fast;
  if (oneShot) {
    try {
      return crypto.hash("sha256", text);
    } catch {
      oneShot = false;
    }
  }
  return crypto.createHash("sha256").update(text).digest("hex");
}

import type { SourceLocation } from "./location.js";
import type { ParsedFile } from "./project.js";

/**
 * Makes the models of a run small once their parsers are done with them (issue 13, memory). Every file's
 * model is kept until the cross-file rules ran, so what one model costs is what a run costs per file. The
 * compactor changes how values are stored, never what they are:
 *
 * - strings are shared across the run (a workflow's `actions/checkout@v4` is stored once, not once per
 *   step), and each is its own copy: a parser's string may be a slice that keeps the whole source text
 *   alive after the run dropped it;
 * - empty maps (a `run:` step's `with`, a step's `env`, …: most of a workflow's maps) are one shared map,
 *   which refuses changes; a map with entries is rebuilt with shared keys;
 * - arrays are copied to their length (one grown by `push` keeps room for 17 entries or more).
 *
 * Objects are changed in place, so identity-keyed caches and values shared between models stay valid;
 * within one `compact` call an array or map met twice is replaced by the same copy. Frozen objects and
 * class instances are left as they are.
 */
export class ModelCompactor {
  private readonly strings = new Map<string, string>();

  /** Compacts, in place, the models one parse returned (files of one batch may share values). */
  compact(files: readonly ParsedFile[]): void {
    const done = new Map<object, unknown>();
    for (const f of files) this.value(f, done, 0);
  }

  private lastFile: string | undefined;
  private lastShared = "";

  private file(name: string): string {
    this.lastFile = name;
    this.lastShared = this.string(name);
    return this.lastShared;
  }

  /** The run's copy of a string. */
  string(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    const own = ownCopy(s);
    this.strings.set(own, own);
    return own;
  }

  private value(v: unknown, done: Map<object, unknown>, depth: number): unknown {
    if (typeof v === "string") return this.string(v);
    if (typeof v !== "object" || v === null || depth > MAX_DEPTH) return v;
    // Half of a model's objects are locations: only their file name is a string (the same one, mostly).
    if (isLocation(v)) {
      if (!Object.isFrozen(v)) v.file = v.file === this.lastFile ? this.lastShared : this.file(v.file);
      return v;
    }
    const prior = done.get(v);
    if (prior !== undefined) return prior;
    if (Array.isArray(v)) {
      const out: unknown[] = v.length === 0 || Object.isFrozen(v) ? v : v.slice();
      done.set(v, out);
      if (out !== v) for (let i = 0; i < out.length; i++) out[i] = this.value(out[i], done, depth + 1);
      return out;
    }
    if (v instanceof Map) {
      if (v.size === 0) {
        done.set(v, EMPTY_MAP);
        return EMPTY_MAP;
      }
      const out = new Map<unknown, unknown>();
      done.set(v, out);
      for (const [k, x] of v as Map<unknown, unknown>)
        out.set(this.value(k, done, depth + 1), this.value(x, done, depth + 1));
      return out;
    }
    done.set(v, v);
    const proto: unknown = Object.getPrototypeOf(v);
    if ((proto !== Object.prototype && proto !== null) || Object.isFrozen(v)) return v;
    const obj = v as Record<string, unknown>;
    for (const key in obj) {
      const x = obj[key];
      const c = this.value(x, done, depth + 1);
      // (Equal strings compare equal whatever their storage: a string is always written back.)
      if (c !== x || typeof x === "string") obj[key] = c;
    }
    return v;
  }
}

function isLocation(v: object): v is SourceLocation {
  const loc = v as Partial<SourceLocation>;
  return typeof loc.file === "string" && typeof loc.line === "number" && typeof loc.endColumn === "number";
}

/** Deeper than any model the parsers build (their trees stop at 200 levels); beyond it values are kept as they are. */
const MAX_DEPTH = 1000;

/**
 * A copy of `s` that does not share another string's characters. V8 makes a slice of 13 characters or more
 * a view into the string it was cut from; a shorter one is always a copy. Concatenating and cutting again
 * gives a new flat string whose only user is the result.
 */
function ownCopy(s: string): string {
  return s.length < 13 ? s : ` ${s}`.slice(1);
}

function refuse(): never {
  throw new TypeError("an empty map of the model is shared and cannot be changed");
}

/** The map every empty map of a compacted model is. */
export const EMPTY_MAP: ReadonlyMap<never, never> = Object.freeze(
  Object.defineProperties(new Map<never, never>(), {
    set: { value: refuse },
    delete: { value: refuse },
    clear: { value: refuse },
  }),
);

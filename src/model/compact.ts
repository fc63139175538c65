import type { SourceLocation } from "./location.js";
import type { ParsedFile } from "./project.js";
import type { Part, Unknown } from "./value.js";

/**
 * Makes the models of a run small once their parsers are done with them (issue 13, memory). Every file's
 * model is kept until the cross-file rules ran, so what one model costs is what a run costs per file. The
 * compactor changes how values are stored, never what they are:
 *
 * - strings are shared across the run (a workflow's `actions/checkout@v4` is stored once, not once per
 *   step), and each is its own copy: a parser's string may be a slice that keeps the whole source text
 *   alive after the run dropped it;
 * - empty maps (a `run:` step's `with`, a step's `env`, …: most of a workflow's maps) are one shared map,
 *   and maps of up to 8 entries a `SmallMap` (≈ 64 bytes for one or two entries, a `Map` ≈ 190); both
 *   refuse changes; a larger map is rebuilt with shared keys;
 * - the parts of a value that is one literal string or one unknown are one frozen array per string, shared
 *   across the run;
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

  private readonly singles = new Map<string, readonly Part[]>();
  private readonly singleUnknowns = new Map<string, readonly Part[]>();

  /**
   * The parts of a value that is one literal or one unknown (`{ parts: ["npm ci"], loc }`,
   * `{ parts: [{ unknown: "env.AWS_REGION" }], loc }`: most values of a model) as one frozen array per
   * string, shared across the run; undefined for other parts.
   */
  private onePart(parts: unknown): readonly Part[] | undefined {
    if (!Array.isArray(parts) || parts.length !== 1) return undefined;
    const p: unknown = parts[0];
    const [table, text] =
      typeof p === "string" ? [this.singles, p] : isUnknown(p) ? [this.singleUnknowns, p.unknown] : [];
    if (table === undefined || text === undefined) return undefined;
    const known = table.get(text);
    if (known !== undefined) return known;
    const own = this.string(text);
    const shared = Object.freeze([table === this.singles ? own : Object.freeze({ unknown: own })]);
    table.set(own, shared);
    return shared;
  }

  /** The run's copy of a string. */
  string(s: string): string {
    const known = this.strings.get(s);
    if (known !== undefined) return known;
    const own = ownCopy(s);
    this.strings.set(own, own);
    return own;
  }

  /** The compacted keys and values of a map, one after the other. */
  private entries(m: Map<unknown, unknown>, done: Map<object, unknown>, depth: number): unknown[] {
    // (Allocated at its length: an array grown by `push` keeps room for 17 entries.)
    const out = new Array<unknown>(m.size * 2);
    let i = 0;
    for (const [k, x] of m) {
      out[i++] = this.value(k, done, depth);
      out[i++] = this.value(x, done, depth);
    }
    return out;
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
      if (v.size > SMALL_MAP) {
        const out = new Map<unknown, unknown>();
        done.set(v, out);
        for (const [k, x] of v as Map<unknown, unknown>)
          out.set(this.value(k, done, depth + 1), this.value(x, done, depth + 1));
        return out;
      }
      const out = new SmallMap(this.entries(v, done, depth + 1));
      done.set(v, out);
      return out;
    }
    done.set(v, v);
    const proto: unknown = Object.getPrototypeOf(v);
    if ((proto !== Object.prototype && proto !== null) || Object.isFrozen(v)) return v;
    const obj = v as Record<string, unknown>;
    for (const key in obj) {
      const x = obj[key];
      const c = key === "parts" ? (this.onePart(x) ?? this.value(x, done, depth + 1)) : this.value(x, done, depth + 1);
      // (Equal strings compare equal whatever their storage: a string is always written back.)
      if (c !== x || typeof x === "string") obj[key] = c;
    }
    return v;
  }
}

/** A part `{ unknown }` and nothing else. */
function isUnknown(v: unknown): v is Unknown {
  if (typeof v !== "object" || v === null || Object.getPrototypeOf(v) !== Object.prototype) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && keys[0] === "unknown" && typeof (v as Unknown).unknown === "string";
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
  throw new TypeError("a map of a compacted model cannot be changed");
}

/** The map every empty map of a compacted model is. */
export const EMPTY_MAP: ReadonlyMap<never, never> = Object.freeze(
  Object.defineProperties(new Map<never, never>(), {
    set: { value: refuse },
    delete: { value: refuse },
    clear: { value: refuse },
  }),
);

/** Maps with up to this many entries become a `SmallMap`; a lookup in one is a scan of its entries. */
const SMALL_MAP = 8;

/** An absent entry of a `SmallMap`. */
const NONE: unique symbol = Symbol("none");

/**
 * A read-only map of a compacted model with a few entries (a step's `with`, a permission map, a matrix
 * combination): ≈ 64 bytes where a `Map` takes ≈ 190 (V8 gives every map a hash table for 4 entries).
 * The first two entries are fields of the object, the others (up to `SMALL_MAP`) in one array; a lookup is
 * a scan. It is a `Map` to its readers (`instanceof Map`, `constructor`, `Symbol.toStringTag`, every
 * reading method, insertion order) and, like `EMPTY_MAP`, refuses changes.
 */
class SmallMap<K, V> {
  private readonly k0: unknown = NONE;
  private readonly v0: unknown;
  private readonly k1: unknown = NONE;
  private readonly v1: unknown;
  /** Keys and values after the first two, one after the other. */
  private readonly more: unknown[] | undefined;

  constructor(entries: unknown[]) {
    if (entries.length >= 2) [this.k0, this.v0] = entries;
    if (entries.length >= 4) [, , this.k1, this.v1] = entries;
    this.more = entries.length > 4 ? entries.slice(4) : undefined;
  }

  get size(): number {
    return (this.k0 === NONE ? 0 : 1) + (this.k1 === NONE ? 0 : 1) + (this.more ? this.more.length >> 1 : 0);
  }

  /** Every key and value, one after the other. */
  private flat(): unknown[] {
    const out = [];
    if (this.k0 !== NONE) out.push(this.k0, this.v0);
    if (this.k1 !== NONE) out.push(this.k1, this.v1);
    if (this.more) out.push(...this.more);
    return out;
  }

  get(key: K): V | undefined {
    if (this.k0 !== NONE && sameValueZero(this.k0, key)) return this.v0 as V;
    if (this.k1 !== NONE && sameValueZero(this.k1, key)) return this.v1 as V;
    const e = this.more;
    if (e) for (let i = 0; i < e.length; i += 2) if (sameValueZero(e[i], key)) return e[i + 1] as V;
    return undefined;
  }

  has(key: K): boolean {
    if (this.k0 !== NONE && sameValueZero(this.k0, key)) return true;
    if (this.k1 !== NONE && sameValueZero(this.k1, key)) return true;
    const e = this.more;
    if (e) for (let i = 0; i < e.length; i += 2) if (sameValueZero(e[i], key)) return true;
    return false;
  }

  *entries(): MapIterator<[K, V]> {
    const e = this.flat();
    for (let i = 0; i < e.length; i += 2) yield [e[i] as K, e[i + 1] as V];
  }

  *keys(): MapIterator<K> {
    const e = this.flat();
    for (let i = 0; i < e.length; i += 2) yield e[i] as K;
  }

  *values(): MapIterator<V> {
    const e = this.flat();
    for (let i = 0; i < e.length; i += 2) yield e[i + 1] as V;
  }

  forEach(fn: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    const e = this.flat();
    for (let i = 0; i < e.length; i += 2) fn.call(thisArg, e[i + 1] as V, e[i] as K, this as unknown as Map<K, V>);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  set(): never {
    return refuse();
  }

  delete(): never {
    return refuse();
  }

  clear(): never {
    return refuse();
  }
}
Object.setPrototypeOf(SmallMap.prototype, Map.prototype);
Object.defineProperty(SmallMap.prototype, "constructor", { value: Map, writable: true, configurable: true });

function sameValueZero(a: unknown, b: unknown): boolean {
  return a === b || (a !== a && b !== b);
}

import { createHash } from "node:crypto";
import { gzipSync } from "node:zlib";
import { parse as parseYaml } from "yaml";
import type { SourceLocation } from "../../model/location.js";
import { knownText, type Part } from "../../model/value.js";
import type { TreeEntry, TreeNode } from "../tree.js";
import { interpolatedParts, joinOrigins, nodeOrigin } from "./embedded-json.js";
import { LIMITS } from "./limits.js";
import { sha256 } from "../../engine/sha256.js";
import { allMatches, compileRegex, replaceAll } from "./regex.js";

/**
 * Terraform's pure built-in functions (developer.hashicorp.com/terraform/language/functions): those
 * computed from their arguments alone, without a provider, the clock, randomness or files outside the
 * module (`file` and `templatefile` live in `evaluate.ts`, `try`/`can` too as they see errors).
 *
 * Semantics follow Terraform: a function of an unknown value is unknown, except where only the shape of a
 * collection matters (`length`, `concat`, `merge`, `keys`, `element` … keep unknown elements as they are);
 * a wrong argument (null where a string is needed, an index out of range, a failing `regex`) is an error,
 * which `try` skips. Values keep their locations: an element picked from a list is the element, placed
 * where it was written; a new string is placed on the call, its origin naming the arguments'.
 */
export interface CallSite {
  /** The call as written, for unknowns. */
  src: string;
  loc: SourceLocation;
  /** Reports a limit reached (see `limits.ts`) and returns the unknown that replaces the value. */
  exceeded: (limit: "collection" | "stringLength") => TreeNode;
}

/** Thrown inside a function: its value depends on something unknown. */
class Unknown extends Error {}
/** The one `Unknown` thrown (it says nothing more; an Error made per throw would record a stack each time). */
const UNKNOWN = new Unknown();
/** Thrown inside a function: Terraform would fail the call. */
export class CallError extends Error {}

type Fn = (args: TreeNode[], site: CallSite) => TreeNode;

function fail(message: string): never {
  throw new CallError(message);
}

function isUnknown(n: TreeNode): boolean {
  return n.kind === "unknown" || (n.kind === "string" && knownText(n.value) === undefined);
}

/** Terraform's string conversion of a primitive: numbers and bools convert, null is an error. */
function text(n: TreeNode | undefined): string {
  if (!n) fail("missing argument");
  if (isUnknown(n)) throw UNKNOWN;
  if (n.kind === "string") return knownText(n.value) ?? "";
  if (n.kind === "scalar") {
    if (n.value === null) fail("null where a string is required");
    return typeof n.value === "number" ? formatNumber(n.value) : String(n.value);
  }
  fail("a collection where a string is required");
}

/**
 * Terraform counts, slices and reverses strings by grapheme cluster (`length("👾🕹️")` is 2). The segmenter is made
 * on first use: making one loads ICU's break rules (≈ 20 ms CPU), which a run that loads this module to read a
 * few roles never needs (issue 13).
 */
let segmenter: Intl.Segmenter | undefined;

function graphemes(s: string): string[] {
  segmenter ??= new Intl.Segmenter("en", { granularity: "grapheme" });
  return Array.from(segmenter.segment(s), (g) => g.segment);
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toPrecision(15)));
}

function num(n: TreeNode | undefined): number {
  if (!n) fail("missing argument");
  if (isUnknown(n)) throw UNKNOWN;
  if (n.kind === "scalar" && typeof n.value === "number") return n.value;
  if (n.kind === "string") {
    const t = (knownText(n.value) ?? "").trim();
    if (/^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/.test(t)) return Number(t);
  }
  fail("a number is required");
}

function int(n: TreeNode | undefined): number {
  const v = num(n);
  if (!Number.isInteger(v)) fail("a whole number is required");
  return v;
}

function bool(n: TreeNode | undefined): boolean {
  if (!n) fail("missing argument");
  if (isUnknown(n)) throw UNKNOWN;
  if (n.kind === "scalar" && typeof n.value === "boolean") return n.value;
  if (n.kind === "string" && (knownText(n.value) === "true" || knownText(n.value) === "false"))
    return knownText(n.value) === "true";
  fail("a bool is required");
}

/** Elements of a list, tuple or set (unknown elements stay). */
function list(n: TreeNode | undefined): TreeNode[] {
  if (!n) fail("missing argument");
  if (n.kind === "unknown") throw UNKNOWN;
  if (n.kind === "array") return n.items;
  fail("a list is required");
}

/** Entries of a map or object; unknown when a key is. */
function entries(n: TreeNode | undefined): TreeEntry[] {
  if (!n) fail("missing argument");
  if (n.kind === "unknown") throw UNKNOWN;
  if (n.kind !== "object") fail("a map is required");
  if (n.entries.some((e) => e.key.value.includes("${"))) throw UNKNOWN;
  return n.entries;
}

/** A fully known value as plain JSON-like data (for equality, sets, encoders). */
function plain(n: TreeNode): unknown {
  if (isUnknown(n)) throw UNKNOWN;
  switch (n.kind) {
    case "string":
      return knownText(n.value);
    case "scalar":
      return n.value;
    case "array":
      return n.items.map(plain);
    case "object":
      return Object.fromEntries(entries(n).map((e) => [e.key.value, plain(e.value)]));
    default:
      throw UNKNOWN;
  }
}

function same(a: TreeNode, b: TreeNode): boolean {
  return JSON.stringify(canonical(plain(a))) === JSON.stringify(canonical(plain(b)));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object")
    return Object.fromEntries(
      Object.entries(v)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([k, x]) => [k, canonical(x)]),
    );
  return v;
}

function origins(args: TreeNode[]): string | undefined {
  return joinOrigins(args.map(nodeOrigin).filter((o): o is string => o !== undefined));
}

/** Builders of results placed on the call. */
function out(site: CallSite, args: TreeNode[]) {
  const { loc } = site;
  const origin = origins(args);
  return {
    str(value: string): TreeNode {
      if (value.length > LIMITS.stringLength) return site.exceeded("stringLength");
      return {
        kind: "string",
        value: origin === undefined ? { parts: [value], loc } : { parts: [value], loc, origin },
        loc,
      };
    },
    parts(parts: Part[]): TreeNode {
      return { kind: "string", value: origin === undefined ? { parts, loc } : { parts, loc, origin }, loc };
    },
    num(value: number): TreeNode {
      if (!Number.isFinite(value)) fail("the result is not a finite number");
      return { kind: "scalar", value, loc };
    },
    bool(value: boolean): TreeNode {
      return { kind: "scalar", value, loc };
    },
    null(): TreeNode {
      return { kind: "scalar", value: null, loc };
    },
    list(items: TreeNode[]): TreeNode {
      if (items.length > LIMITS.collection) return site.exceeded("collection");
      return { kind: "array", items, loc };
    },
    obj(es: TreeEntry[]): TreeNode {
      if (es.length > LIMITS.collection) return site.exceeded("collection");
      return { kind: "object", entries: es, loc };
    },
    key(k: string): TreeEntry["key"] {
      return { value: k, loc };
    },
  };
}

/** A set of primitives as Terraform orders it: strings lexically (numbers sort as numbers), duplicates removed. */
function setOf(items: TreeNode[]): TreeNode[] {
  const seen = new Map<string, TreeNode>();
  for (const i of items) {
    const k = JSON.stringify(canonical(plain(i)));
    if (!seen.has(k)) seen.set(k, i);
  }
  const all = [...seen.values()];
  const primitive = all.every((i) => i.kind === "string" || i.kind === "scalar");
  if (!primitive) return all;
  const allNumbers = all.every((i) => i.kind === "scalar" && typeof i.value === "number");
  return all.sort((a, b) => (allNumbers ? num(a) - num(b) : text(a) < text(b) ? -1 : text(a) > text(b) ? 1 : 0));
}

function strings(f: (s: string, ...rest: string[]) => string): Fn {
  return (args, site) => out(site, args).str(f(text(args[0]), ...args.slice(1).map(text)));
}

function numeric(f: (...n: number[]) => number): Fn {
  return (args, site) => out(site, args).num(f(...args.map(num)));
}

/** Go's `%` verbs as Terraform's `format` reads them, for fully known arguments. */
function formatText(fmt: string, args: TreeNode[]): Part[] {
  const parts: Part[] = [];
  let next = 0;
  let last = 0;
  const re = /%(?:(%)|\[(\d+)\])?([-+# 0]*)(\d*)(?:\.(\d+))?([sdvqtfeEgGbxXo%])?/g;
  for (let m = re.exec(fmt); m; m = re.exec(fmt)) {
    parts.push(fmt.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[1] === "%" || m[6] === "%") {
      parts.push("%");
      continue;
    }
    const verb = m[6];
    if (!verb) fail("format: invalid verb");
    if (m[2]) next = Number(m[2]) - 1;
    const arg = args[next++];
    if (!arg) fail("format: too few arguments");
    if (arg.kind === "scalar" && arg.value === null) fail("format: null value cannot be formatted");
    const flags = m[3] ?? "";
    const width = m[4] ? Number(m[4]) : 0;
    const precision = m[5] === undefined ? undefined : Number(m[5]);
    let piece: Part[];
    switch (verb) {
      case "v":
      case "s":
        // Like an interpolation, `%s` of an unknown value keeps the rest of the string known.
        if (verb === "v" && (arg.kind === "array" || arg.kind === "object")) piece = [JSON.stringify(plain(arg))];
        else if (arg.kind === "string" || arg.kind === "unknown") piece = interpolatedParts(arg);
        else piece = [text(arg)];
        if (precision !== undefined) piece = [text(arg).slice(0, precision)];
        break;
      case "q":
        piece = [JSON.stringify(text(arg))];
        break;
      case "t":
        piece = [String(bool(arg))];
        break;
      case "d":
        piece = [String(int(arg))];
        if (flags.includes("+") && int(arg) >= 0) piece = [`+${String(int(arg))}`];
        break;
      case "f":
      case "e":
      case "E":
      case "g":
      case "G": {
        const n = num(arg);
        const p = precision ?? 6;
        const s =
          verb === "f"
            ? n.toFixed(p)
            : verb === "e" || verb === "E"
              ? n.toExponential(p).replace(/e([+-])(\d)$/, "e$10$2")
              : String(n);
        piece = [verb === "E" || verb === "G" ? s.toUpperCase() : s];
        break;
      }
      case "b":
        piece = [int(arg).toString(2)];
        break;
      case "o":
        piece = [int(arg).toString(8)];
        break;
      case "x":
      case "X": {
        const s = arg.kind === "string" ? Buffer.from(text(arg)).toString("hex") : int(arg).toString(16);
        piece = [verb === "X" ? s.toUpperCase() : s];
        break;
      }
      default:
        fail("format: unsupported verb");
    }
    if (width > 0) {
      const t = piece.every((p) => typeof p === "string") ? piece.join("") : undefined;
      if (t === undefined) throw UNKNOWN;
      const pad = (flags.includes("0") && !flags.includes("-") ? "0" : " ").repeat(
        Math.max(0, width - graphemes(t).length),
      );
      piece = [flags.includes("-") ? t + pad : pad + t];
    }
    parts.push(...piece);
  }
  parts.push(fmt.slice(last));
  return parts;
}

/** An IP prefix as a number: 32 bits for IPv4, 128 for IPv6. */
interface Prefix {
  addr: bigint;
  bits: number;
  width: 32 | 128;
}

function prefixOf(cidr: string): Prefix {
  if (!cidr.includes(":")) {
    const { addr, bits } = ipv4(cidr);
    return { addr: BigInt(addr), bits, width: 32 };
  }
  const m = /^([0-9a-fA-F:.]+)(?:\/(\d+))?$/.exec(cidr);
  if (!m?.[1]) fail(`invalid IPv6 address or prefix: ${cidr}`);
  const bits = m[2] === undefined ? 128 : Number(m[2]);
  if (bits > 128) fail("invalid prefix length");
  return { addr: ipv6(m[1]), bits, width: 128 };
}

/** An IPv6 address (with `::` and an optional dotted IPv4 tail) as a 128-bit number. */
function ipv6(text: string): bigint {
  // A dotted IPv4 tail (`::ffff:10.0.0.1`) is the last two groups.
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(text)?.[1];
  let head = text;
  if (v4) {
    const a = ipv4(v4).addr;
    head = `${text.slice(0, text.length - v4.length)}${(a >>> 16).toString(16)}:${(a & 0xffff).toString(16)}`;
  }
  const halves = head.split("::");
  if (halves.length > 2) fail(`invalid IPv6 address: ${text}`);
  const part = (h: string | undefined): string[] => (h ? h.split(":") : []);
  let groups = part(halves[0]);
  if (halves.length === 2) {
    const right = part(halves[1]);
    const fill = 8 - groups.length - right.length;
    if (fill < 1) fail(`invalid IPv6 address: ${text}`);
    groups = [...groups, ...Array<string>(fill).fill("0"), ...right];
  }
  if (groups.length !== 8 || groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) fail(`invalid IPv6 address: ${text}`);
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

/** The text Go (RFC 5952) writes for an address: lowercase, the longest run of zero groups as `::`. */
function prefixText(addr: bigint, width: 32 | 128): string {
  if (width === 32) return ipText(Number(addr));
  const groups = Array.from({ length: 8 }, (_, i) => Number((addr >> BigInt(112 - 16 * i)) & 0xffffn));
  let best = -1;
  let bestLen = 1;
  for (let i = 0; i < 8;) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLen) {
      best = i;
      bestLen = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (best < 0) return hex.join(":");
  return `${hex.slice(0, best).join(":")}::${hex.slice(best + bestLen).join(":")}`;
}

function networkOf(p: Prefix): bigint {
  const host = BigInt(p.width - p.bits);
  return (p.addr >> host) << host;
}

/** `cidrsubnet`, `cidrhost`, `cidrnetmask` for IPv4. */
function ipv4(cidr: string): { addr: number; bits: number } {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)(?:\/(\d+))?$/.exec(cidr);
  if (!m) fail(`invalid IPv4 address or prefix: ${cidr}`);
  const octets = m.slice(1, 5).map(Number);
  if (octets.some((o) => o > 255)) fail("invalid IPv4 address");
  const bits = m[5] === undefined ? 32 : Number(m[5]);
  if (bits > 32) fail("invalid prefix length");
  return {
    addr: (((octets[0] ?? 0) << 24) | ((octets[1] ?? 0) << 16) | ((octets[2] ?? 0) << 8) | (octets[3] ?? 0)) >>> 0,
    bits,
  };
}

function ipText(a: number): string {
  return [a >>> 24, (a >>> 16) & 255, (a >>> 8) & 255, a & 255].join(".");
}

function maskOf(bits: number): number {
  return bits === 0 ? 0 : (0xffffffff << (32 - bits)) >>> 0;
}

function regexMatches(
  args: TreeNode[],
  limit: number,
): { matches: ReturnType<typeof allMatches>; names: Record<string, number>; groups: number } {
  const pattern = text(args[0]);
  const subject = text(args[1]);
  const compiled = compileRegex(pattern);
  if ("error" in compiled) fail(`invalid regular expression: ${compiled.error}`);
  const matches = allMatches(compiled.re, subject, limit);
  return { matches, names: compiled.re.names, groups: compiled.re.groupCount };
}

/** The value `regex` returns for one match: the text, a list of captures, or a map of named captures. */
function matchValue(
  m: ReturnType<typeof allMatches>[number],
  names: Record<string, number>,
  groups: number,
  site: CallSite,
  args: TreeNode[],
): TreeNode {
  const o = out(site, args);
  const named = Object.keys(names);
  if (groups === 0) return o.str(m.groups[0] ?? "");
  if (named.length > 0) {
    if (named.length !== groups) fail("regex: named and unnamed capture groups cannot be mixed");
    return o.obj(named.map((n) => ({ key: o.key(n), value: captured(m.groups[names[n] ?? 0], o) })));
  }
  return o.list(m.groups.slice(1).map((g) => captured(g, o)));
}

function captured(g: string | null | undefined, o: ReturnType<typeof out>): TreeNode {
  return g === null || g === undefined ? o.null() : o.str(g);
}

/** Go's `strconv.Quote`-free JSON encoding as Terraform's `jsonencode` writes it (`<`, `>`, `&` escaped). */
function terraformJson(v: unknown): string {
  return JSON.stringify(canonical(v)).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/** A plain value (from `yamldecode`, `csvdecode`) as a tree placed on the call. `jsondecode` is evaluate.ts's. */
function fromPlain(v: unknown, site: CallSite, args: TreeNode[]): TreeNode {
  const o = out(site, args);
  if (v === null || v === undefined) return o.null();
  if (typeof v === "string") return o.str(v);
  if (typeof v === "number" || typeof v === "boolean") return typeof v === "number" ? o.num(v) : o.bool(v);
  if (Array.isArray(v)) return o.list(v.map((x) => fromPlain(x, site, args)));
  if (typeof v === "object")
    return o.obj(Object.entries(v).map(([k, x]) => ({ key: o.key(k), value: fromPlain(x, site, args) })));
  return o.null();
}

function csv(s: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charAt(i);
    if (quoted) {
      if (c === '"' && s.charAt(i + 1) === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || (c === "\r" && s.charAt(i + 1) === "\n")) {
      if (c === "\r") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

function hash(algorithm: string, encoding: "hex" | "base64"): Fn {
  return (args, site) => out(site, args).str(digest(algorithm, encoding, text(args[0])));
}

/**
 * A text's digest as Terraform gives it (of its UTF-8). SHA-256 as for fingerprints (`sha256`: in WebAssembly where
 * it can), so that modules naming resources after `sha256(…)` spare the run loading node:crypto.
 */
function digest(algorithm: string, encoding: "hex" | "base64", value: string): string {
  if (algorithm !== "sha256") return createHash(algorithm).update(value).digest(encoding);
  const hex = sha256(value);
  return encoding === "hex" ? hex : Buffer.from(hex, "hex").toString("base64");
}

/** Terraform's `element`/index normalisation: negative is an error, past the end wraps (element only). */
function index(n: TreeNode | undefined, length: number, wrap: boolean): number {
  const i = int(n);
  if (i < 0) fail("a negative index");
  if (wrap) {
    if (length === 0) fail("cannot use element on an empty list");
    return i % length;
  }
  if (i >= length) fail("index out of range");
  return i;
}

/** Character encodings of `textencodebase64`/`textdecodebase64` (IANA names); others are not evaluated. */
function charset(name: string): { node: BufferEncoding } {
  const key = name.toUpperCase().replace(/[^A-Z0-9]/g, "");
  const known: Record<string, BufferEncoding> = {
    UTF8: "utf8",
    UTF16LE: "utf16le",
    ISO88591: "latin1",
    LATIN1: "latin1",
    USASCII: "ascii",
    ASCII: "ascii",
  };
  const node = known[key];
  if (!node) throw UNKNOWN;
  return { node };
}

/** YAML 1.2 block syntax as `yamlencode` writes it: keys sorted, strings double-quoted, lists not indented. */
function yamlText(v: unknown, indent: string): string {
  const scalar = (x: unknown): string =>
    x === null
      ? "null"
      : typeof x === "string"
        ? JSON.stringify(x)
        : typeof x === "number"
          ? formatNumber(x)
          : x === true
            ? "true"
            : "false";
  const lines = (x: unknown, pad: string): string[] => {
    if (Array.isArray(x)) {
      if (x.length === 0) return [`${pad}[]`];
      return x.flatMap((item) => {
        const inner = lines(item, `${pad}  `);
        const [first = "", ...rest] = inner;
        return isBlock(item) ? [`${pad}- ${first.slice(pad.length + 2)}`, ...rest] : [`${pad}- ${first.trimStart()}`];
      });
    }
    if (x !== null && typeof x === "object") {
      const es = Object.entries(x).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      if (es.length === 0) return [`${pad}{}`];
      return es.flatMap(([k, item]) => {
        const key = `${pad}${JSON.stringify(k)}:`;
        if (!isBlock(item)) return [`${key} ${lines(item, "")[0] ?? ""}`];
        return [key, ...lines(item, Array.isArray(item) ? pad : `${pad}  `)];
      });
    }
    return [`${pad}${scalar(x)}`];
  };
  const isBlock = (x: unknown): boolean =>
    (Array.isArray(x) && x.length > 0) ||
    (x !== null && typeof x === "object" && !Array.isArray(x) && Object.keys(x).length > 0);
  return `${lines(v, indent).join("\n")}\n`;
}

/** An RFC 3339 timestamp: its instant and the UTC offset it was written in (minutes). */
function rfc3339(s: string): { epochMs: number; offset: number; fields: number[] } {
  const m = /^(\d{4})-(\d{2})-(\d{2})[Tt](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:([Zz])|([+-])(\d{2}):(\d{2}))$/.exec(s);
  if (!m) fail(`not a valid RFC 3339 timestamp: ${s}`);
  const [y, mo, d, h, mi, sec] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
    fail(`not a valid RFC 3339 timestamp: ${s}`);
  const offset = m[8] ? 0 : (m[9] === "-" ? -1 : 1) * (Number(m[10]) * 60 + Number(m[11]));
  const frac = m[7] ? Number(`0${m[7]}`) * 1000 : 0;
  const local = Date.UTC(y, mo - 1, d, h, mi, sec) + frac;
  return { epochMs: local - offset * 60_000, offset, fields: [y, mo, d, h, mi, sec] };
}

const pad2 = (n: number): string => String(n).padStart(2, "0");

function offsetText(offset: number, colon: boolean): string {
  const a = Math.abs(offset);
  return `${offset < 0 ? "-" : "+"}${pad2(Math.floor(a / 60))}${colon ? ":" : ""}${pad2(a % 60)}`;
}

/** Go's `time.RFC3339` of an instant in a given offset (whole seconds; `Z` for UTC). */
function rfc3339Text(epochMs: number, offset: number): string {
  const d = new Date(epochMs + offset * 60_000);
  if (Number.isNaN(d.getTime())) fail("timestamp out of range");
  const date = `${String(d.getUTCFullYear()).padStart(4, "0")}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
  const time = `${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  return `${date}T${time}${offset === 0 ? "Z" : offsetText(offset, true)}`;
}

/** Go's `time.ParseDuration` in milliseconds: `1h30m`, `-2h5m`, `1.5h`, `300ms`. */
function duration(s: string): number {
  const unit: Record<string, number> = {
    ns: 1e-6,
    us: 1e-3,
    µs: 1e-3,
    μs: 1e-3,
    ms: 1,
    s: 1000,
    m: 60_000,
    h: 3_600_000,
  };
  if (s === "0" || s === "+0" || s === "-0") return 0;
  const m = /^([-+]?)((?:(?:\d+\.?\d*|\.\d+)(?:ns|us|µs|μs|ms|s|m|h))+)$/.exec(s);
  if (!m?.[2]) fail(`invalid duration: ${s}`);
  let total = 0;
  for (const p of m[2].matchAll(/(\d+\.?\d*|\.\d+)(ns|us|µs|μs|ms|s|m|h)/g))
    total += Number(p[1]) * (unit[p[2] ?? ""] ?? 0);
  return m[1] === "-" ? -total : total;
}

const MONTHS = [
  "January",
  "February",
  "March",
  "April",
  "May",
  "June",
  "July",
  "August",
  "September",
  "October",
  "November",
  "December",
];
const DAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

/** `formatdate(spec, timestamp)`: the timestamp's own offset, Terraform's sequences, `'…'` literals. */
function formatDate(spec: string, t: ReturnType<typeof rfc3339>): string {
  const [y = 0, mo = 1, d = 1, h = 0, mi = 0, sec = 0] = t.fields;
  const weekday = new Date(Date.UTC(y, mo - 1, d)).getUTCDay();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  let outText = "";
  for (let i = 0; i < spec.length;) {
    const c = spec.charAt(i);
    if (c === "'") {
      // A quoted literal; `''` is a quote, inside a literal or outside.
      let j = i + 1;
      for (;;) {
        const close = spec.indexOf("'", j);
        if (close < 0) fail("formatdate: unterminated literal");
        outText += spec.slice(j, close);
        if (spec.charAt(close + 1) !== "'") {
          i = close + 1;
          break;
        }
        outText += "'";
        j = close + 2;
        if (close === i + 1) {
          i = j;
          break;
        }
      }
      continue;
    }
    if (!/[A-Za-z]/.test(c)) {
      outText += c;
      i++;
      continue;
    }
    let j = i;
    while (spec.charAt(j) === c) j++;
    const token = spec.slice(i, j);
    i = j;
    const v: Record<string, string> = {
      YYYY: String(y).padStart(4, "0"),
      YY: pad2(y % 100),
      MMMM: MONTHS[mo - 1] ?? "",
      MMM: (MONTHS[mo - 1] ?? "").slice(0, 3),
      MM: pad2(mo),
      M: String(mo),
      DD: pad2(d),
      D: String(d),
      EEEE: DAYS[weekday] ?? "",
      EEE: (DAYS[weekday] ?? "").slice(0, 3),
      hh: pad2(h),
      h: String(h),
      HH: pad2(h12),
      H: String(h12),
      AA: h < 12 ? "AM" : "PM",
      aa: h < 12 ? "am" : "pm",
      mm: pad2(mi),
      m: String(mi),
      ss: pad2(sec),
      s: String(sec),
      ZZZZZ: offsetText(t.offset, true),
      ZZZZ: offsetText(t.offset, false),
      ZZZ: t.offset === 0 ? "UTC" : offsetText(t.offset, false),
      Z: t.offset === 0 ? "Z" : offsetText(t.offset, true),
    };
    const piece = v[token];
    if (piece === undefined) fail(`formatdate: invalid date format verb "${token}"`);
    outText += piece;
  }
  return outText;
}

const UUID_NAMESPACES: Record<string, string> = {
  dns: "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  url: "6ba7b811-9dad-11d1-80b4-00c04fd430c8",
  oid: "6ba7b812-9dad-11d1-80b4-00c04fd430c8",
  x500: "6ba7b814-9dad-11d1-80b4-00c04fd430c8",
};

/** RFC 4122 name-based (SHA-1, version 5) UUID. */
function uuidV5(namespace: string, name: string): string {
  const ns = (UUID_NAMESPACES[namespace] ?? namespace).replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(ns)) fail("uuidv5: the namespace must be dns, url, oid, x500 or a UUID");
  const hash = createHash("sha1").update(Buffer.from(ns, "hex")).update(name, "utf8").digest().subarray(0, 16);
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const FUNCTIONS: Record<string, Fn> = {
  // Numeric
  abs: numeric(Math.abs),
  ceil: numeric(Math.ceil),
  floor: numeric(Math.floor),
  log: numeric((x, base = Math.E) => Math.log(x) / Math.log(base)),
  max: (args, site) => {
    const ns = args.length === 1 && args[0]?.kind === "array" ? list(args[0]).map(num) : args.map(num);
    if (ns.length === 0) fail("max needs at least one number");
    return out(site, args).num(Math.max(...ns));
  },
  min: (args, site) => {
    const ns = args.length === 1 && args[0]?.kind === "array" ? list(args[0]).map(num) : args.map(num);
    if (ns.length === 0) fail("min needs at least one number");
    return out(site, args).num(Math.min(...ns));
  },
  parseint: (args, site) => {
    const s = text(args[0]);
    const base = int(args[1]);
    if (base < 2 || base > 62) fail("base must be between 2 and 62");
    const digits = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".slice(0, base);
    const body = s.replace(/^[-+]/, "");
    if (body === "") fail(`cannot parse "${s}" as a base ${String(base)} integer`);
    let v = 0;
    for (const c of body) {
      const d = base <= 36 ? digits.indexOf(c.toLowerCase()) : digits.indexOf(c);
      if (d < 0) fail(`cannot parse "${s}" as a base ${String(base)} integer`);
      v = v * base + d;
    }
    return out(site, args).num(s.startsWith("-") ? -v : v);
  },
  pow: numeric(Math.pow),
  signum: numeric(Math.sign),
  // String
  chomp: strings((s) => s.replace(/(\r\n|\n|\r)+$/, "")),
  endswith: (args, site) => out(site, args).bool(text(args[0]).endsWith(text(args[1]))),
  format: (args, site) => {
    return out(site, args).parts(formatText(text(args[0]), args.slice(1)));
  },
  formatlist: (args, site) => {
    const fmt = text(args[0]);
    const rest = args.slice(1);
    if (rest.some((a) => a.kind === "unknown")) throw UNKNOWN;
    const lists = rest.filter((a) => a.kind === "array");
    const lengths = new Set(lists.map((l) => list(l).length));
    if (lengths.size > 1) fail("formatlist: lists of different lengths");
    const n = lists.length === 0 ? 1 : (lengths.values().next().value ?? 0);
    const o = out(site, args);
    return o.list(
      Array.from({ length: n }, (_, i) =>
        o.parts(
          formatText(
            fmt,
            rest.map((a) => (a.kind === "array" ? (list(a)[i] ?? a) : a)),
          ),
        ),
      ),
    );
  },
  indent: (args, site) => {
    const n = int(args[0]);
    return out(site, args).str(text(args[1]).replace(/\n/g, `\n${" ".repeat(n)}`));
  },
  join: (args, site) => {
    const sep = text(args[0]);
    const parts: Part[] = [];
    const items = args.slice(1).flatMap(list);
    items.forEach((item, i) => {
      if (i > 0) parts.push(sep);
      if (item.kind === "scalar" && item.value === null) fail("join: null element");
      if (item.kind === "array" || item.kind === "object") fail("join: element is not a string");
      parts.push(...(item.kind === "scalar" ? [text(item)] : interpolatedParts(item)));
    });
    return out(site, args).parts(parts);
  },
  lower: strings((s) => s.toLowerCase()),
  regex: (args, site) => {
    const { matches, names, groups } = regexMatches(args, 1);
    const [m] = matches;
    if (!m) fail("regex: pattern did not match");
    return matchValue(m, names, groups, site, args);
  },
  regexall: (args, site) => {
    const { matches, names, groups } = regexMatches(args, LIMITS.collection + 1);
    return out(site, args).list(matches.map((m) => matchValue(m, names, groups, site, args)));
  },
  replace: (args, site) => {
    const [subject, search, repl] = [text(args[0]), text(args[1]), text(args[2])];
    if (search.length > 1 && search.startsWith("/") && search.endsWith("/")) {
      const compiled = compileRegex(search.slice(1, -1));
      if ("error" in compiled) fail(`invalid regular expression: ${compiled.error}`);
      return out(site, args).str(replaceAll(compiled.re, subject, repl));
    }
    return out(site, args).str(search === "" ? subject : subject.split(search).join(repl));
  },
  split: (args, site) => {
    const sep = text(args[0]);
    const s = text(args[1]);
    const o = out(site, args);
    return o.list((sep === "" ? graphemes(s) : s.split(sep)).map((x) => o.str(x)));
  },
  startswith: (args, site) => out(site, args).bool(text(args[0]).startsWith(text(args[1]))),
  strcontains: (args, site) => out(site, args).bool(text(args[0]).includes(text(args[1]))),
  strrev: strings((s) => graphemes(s).reverse().join("")),
  substr: (args, site) => {
    const chars = graphemes(text(args[0]));
    let offset = int(args[1]);
    const length = int(args[2]);
    if (offset < 0) offset = Math.max(0, chars.length + offset);
    if (offset > chars.length) fail("substr: offset past the end of the string");
    return out(site, args).str(chars.slice(offset, length < 0 ? undefined : offset + length).join(""));
  },
  title: strings((s) => s.replace(/(^|[^\p{L}\p{N}'])(\p{L})/gu, (_, a: string, b: string) => a + b.toUpperCase())),
  trim: (args, site) => {
    const cut = new Set(text(args[1]));
    const chars = graphemes(text(args[0]));
    let a = 0;
    let b = chars.length;
    while (a < b && cut.has(chars[a] ?? "")) a++;
    while (b > a && cut.has(chars[b - 1] ?? "")) b--;
    return out(site, args).str(chars.slice(a, b).join(""));
  },
  trimprefix: strings((s, p = "") => (s.startsWith(p) ? s.slice(p.length) : s)),
  trimsuffix: strings((s, p = "") => (p !== "" && s.endsWith(p) ? s.slice(0, s.length - p.length) : s)),
  trimspace: strings((s) => s.replace(/^[\s\u0085\u00a0]+|[\s\u0085\u00a0]+$/gu, "")),
  upper: strings((s) => s.toUpperCase()),
  // Collection
  alltrue: (args, site) => out(site, args).bool(list(args[0]).every((x) => bool(x))),
  anytrue: (args, site) => {
    const items = list(args[0]);
    if (items.some((x) => !isUnknown(x) && bool(x))) return out(site, args).bool(true);
    return out(site, args).bool(items.map(bool).some(Boolean));
  },
  chunklist: (args, site) => {
    const items = list(args[0]);
    const size = int(args[1]);
    if (size < 0) fail("chunklist: negative size");
    const o = out(site, args);
    if (size === 0) return o.list([o.list(items)]);
    const chunks: TreeNode[] = [];
    for (let i = 0; i < items.length; i += size) chunks.push(o.list(items.slice(i, i + size)));
    return o.list(chunks);
  },
  coalesce: (args) => {
    // The first argument that is not null and not "": unknown as soon as one before it is unknown.
    for (const a of args) {
      if (isUnknown(a)) throw UNKNOWN;
      if (a.kind === "scalar" && a.value === null) continue;
      if (a.kind === "string" && knownText(a.value) === "") continue;
      return a;
    }
    fail("coalesce: no non-null, non-empty argument");
  },
  coalescelist: (args) => {
    for (const a of args) {
      if (a.kind === "unknown") throw UNKNOWN;
      if (list(a).length > 0) return a;
    }
    fail("coalescelist: no non-empty list");
  },
  compact: (args, site) =>
    out(site, args).list(list(args[0]).filter((i) => !(i.kind === "scalar" && i.value === null) && text(i) !== "")),
  concat: (args, site) => out(site, args).list(args.flatMap(list)),
  contains: (args, site) => {
    const items = list(args[0]);
    const v = args[1];
    if (!v) fail("missing argument");
    if (items.some((i) => !isUnknown(i) && same(i, v))) return out(site, args).bool(true);
    if (items.some(isUnknown) || isUnknown(v)) throw UNKNOWN;
    return out(site, args).bool(false);
  },
  distinct: (args, site) => {
    const items = list(args[0]);
    const kept: TreeNode[] = [];
    for (const i of items) if (!kept.some((k) => same(k, i))) kept.push(i);
    return out(site, args).list(kept);
  },
  element: (args) => {
    const items = list(args[0]);
    return items[index(args[1], items.length, true)] ?? fail("index out of range");
  },
  flatten: (args, site) => {
    const flat = (n: TreeNode): TreeNode[] =>
      n.kind === "array" ? n.items.flatMap(flat) : n.kind === "unknown" ? [] : [n];
    const items = list(args[0]);
    if (items.some((i) => i.kind === "unknown")) throw UNKNOWN;
    return out(site, args).list(items.flatMap(flat));
  },
  index: (args, site) => {
    const items = list(args[0]);
    const v = args[1];
    if (!v) fail("missing argument");
    for (const [i, item] of items.entries()) {
      if (isUnknown(item)) throw UNKNOWN;
      if (same(item, v)) return out(site, args).num(i);
    }
    fail("index: the value is not in the list");
  },
  keys: (args, site) => {
    const o = out(site, args);
    return o.list(
      [...entries(args[0])]
        .sort((a, b) => (a.key.value < b.key.value ? -1 : 1))
        .map((e) => ({ kind: "string", value: { parts: [e.key.value], loc: e.key.loc }, loc: e.key.loc })),
    );
  },
  length: (args, site) => {
    const a = args[0];
    if (!a) fail("missing argument");
    if (a.kind === "array") return out(site, args).num(a.items.length);
    if (a.kind === "object") return out(site, args).num(entries(a).length);
    return out(site, args).num(graphemes(text(a)).length);
  },
  lookup: (args) => {
    // The default only when the key is certainly absent.
    const es = entries(args[0]);
    const k = text(args[1]);
    const found = es.find((e) => e.key.value === k);
    if (found) return found.value;
    return args[2] ?? fail(`lookup: no key "${k}"`);
  },
  matchkeys: (args, site) => {
    const values = list(args[0]);
    const keys = list(args[1]);
    const search = list(args[2]);
    if (values.length !== keys.length) fail("matchkeys: lists of different lengths");
    return out(site, args).list(values.filter((_, i) => search.some((s) => same(s, keys[i] ?? s))));
  },
  merge: (args, site) => {
    const merged = new Map<string, TreeEntry>();
    for (const a of args) {
      if (a.kind === "scalar" && a.value === null) continue;
      for (const e of entries(a)) merged.set(e.key.value, e);
    }
    return out(site, args).obj([...merged.values()]);
  },
  one: (args, site) => {
    const items = list(args[0]);
    if (items.length > 1) fail("one: more than one element");
    return items[0] ?? out(site, args).null();
  },
  range: (args, site) => {
    const ns = args.map(num);
    const [start, limit, step] =
      ns.length === 1 ? [0, ns[0] ?? 0, 1] : [ns[0] ?? 0, ns[1] ?? 0, ns[2] ?? ((ns[0] ?? 0) <= (ns[1] ?? 0) ? 1 : -1)];
    if (step === 0) fail("range: step must not be zero");
    if ((limit - start) / step > LIMITS.collection) return site.exceeded("collection");
    const o = out(site, args);
    const items: TreeNode[] = [];
    for (let v = start; step > 0 ? v < limit : v > limit; v += step) items.push(o.num(v));
    return o.list(items);
  },
  reverse: (args, site) => out(site, args).list([...list(args[0])].reverse()),
  setintersection: (args, site) => {
    const [first, ...rest] = args.map(list);
    return out(site, args).list(setOf((first ?? []).filter((i) => rest.every((r) => r.some((x) => same(x, i))))));
  },
  setproduct: (args, site) => {
    const lists = args.map(list);
    if (lists.reduce((n, l) => n * l.length, 1) > LIMITS.collection) return site.exceeded("collection");
    const o = out(site, args);
    let product: TreeNode[][] = [[]];
    for (const l of lists) product = product.flatMap((p) => l.map((x) => [...p, x]));
    return o.list(lists.length === 0 ? [] : product.map((p) => o.list(p)));
  },
  setsubtract: (args, site) => {
    const b = list(args[1]);
    return out(site, args).list(setOf(list(args[0]).filter((i) => !b.some((x) => same(x, i)))));
  },
  setunion: (args, site) => out(site, args).list(setOf(args.flatMap(list))),
  slice: (args, site) => {
    const items = list(args[0]);
    const a = int(args[1]);
    const b = int(args[2]);
    if (a < 0 || b > items.length || a > b) fail("slice: index out of range");
    return out(site, args).list(items.slice(a, b));
  },
  sort: (args, site) => {
    const items = list(args[0]);
    return out(site, args).list([...items].sort((x, y) => (text(x) < text(y) ? -1 : text(x) > text(y) ? 1 : 0)));
  },
  sum: (args, site) => {
    const ns = list(args[0]).map(num);
    if (ns.length === 0) fail("sum: empty list");
    return out(site, args).num(ns.reduce((a, b) => a + b, 0));
  },
  transpose: (args, site) => {
    const o = out(site, args);
    const result = new Map<string, TreeNode[]>();
    for (const e of entries(args[0]))
      for (const v of list(e.value)) result.set(text(v), [...(result.get(text(v)) ?? []), o.str(e.key.value)]);
    return o.obj(
      [...result].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, vs]) => ({ key: o.key(k), value: o.list(vs) })),
    );
  },
  values: (args, site) =>
    out(site, args).list(
      [...entries(args[0])].sort((a, b) => (a.key.value < b.key.value ? -1 : 1)).map((e) => e.value),
    ),
  zipmap: (args, site) => {
    const ks = list(args[0]);
    const vs = list(args[1]);
    if (ks.length !== vs.length) fail("zipmap: lists of different lengths");
    const o = out(site, args);
    return o.obj(ks.map((k, i) => ({ key: { value: text(k), loc: k.loc }, value: vs[i] ?? o.null() })));
  },
  // Encoding
  base64decode: strings((s) => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail("base64decode: invalid base64");
    try {
      return new TextDecoder("utf-8", { fatal: true }).decode(Buffer.from(s, "base64"));
    } catch {
      fail("base64decode: the decoded bytes are not valid UTF-8");
    }
  }),
  base64encode: strings((s) => Buffer.from(s, "utf8").toString("base64")),
  csvdecode: (args, site) => {
    const [header, ...rows] = csv(text(args[0]));
    if (!header) fail("csvdecode: no header row");
    const o = out(site, args);
    return o.list(
      rows.map((r) => {
        if (r.length !== header.length) fail("csvdecode: wrong number of fields");
        return o.obj(header.map((h, i) => ({ key: o.key(h), value: o.str(r[i] ?? "") })));
      }),
    );
  },
  urlencode: strings((s) =>
    encodeURIComponent(s)
      .replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)
      .replace(/%20/g, "+"),
  ),
  yamldecode: (args, site) => {
    let v: unknown;
    try {
      v = parseYaml(text(args[0]), { maxAliasCount: 100 });
    } catch (e) {
      if (e instanceof Unknown || e instanceof CallError) throw e;
      fail("yamldecode: invalid YAML");
    }
    return fromPlain(v, site, args);
  },
  base64gzip: strings((s) => {
    // Go's gzip header: no modification time, operating system "unknown" (255). The compressed bytes come
    // from zlib and may differ from Go's compressor; they decompress to the same text.
    const gz = gzipSync(Buffer.from(s, "utf8"));
    gz[9] = 255;
    return gz.toString("base64");
  }),
  textencodebase64: strings((s, encoding = "") => Buffer.from(s, charset(encoding).node).toString("base64")),
  textdecodebase64: strings((s, encoding = "") => {
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(s) || s.length % 4 !== 0) fail("textdecodebase64: invalid base64");
    return Buffer.from(s, "base64").toString(charset(encoding).node);
  }),
  yamlencode: (args, site) => out(site, args).str(yamlText(plain(args[0] ?? fail("missing argument")), "")),
  // Date and time: timestamps are RFC 3339 strings; the clock (`timestamp`, `plantimestamp`) is unknown.
  formatdate: (args, site) => out(site, args).str(formatDate(text(args[0]), rfc3339(text(args[1])))),
  timeadd: (args, site) => {
    const t = rfc3339(text(args[0]));
    const ms = t.epochMs + duration(text(args[1]));
    return out(site, args).str(rfc3339Text(ms, t.offset));
  },
  timecmp: (args, site) => {
    const a = rfc3339(text(args[0])).epochMs;
    const b = rfc3339(text(args[1])).epochMs;
    return out(site, args).num(a < b ? -1 : a > b ? 1 : 0);
  },
  uuidv5: (args, site) => out(site, args).str(uuidV5(text(args[0]), text(args[1]))),
  // Filesystem paths (text only)
  basename: strings((s) => s.replace(/\/+$/, "").split("/").pop() ?? ""),
  dirname: strings((s) => (s.includes("/") ? s.slice(0, s.lastIndexOf("/")) || "/" : ".")),
  // Hash
  base64sha256: hash("sha256", "base64"),
  base64sha512: hash("sha512", "base64"),
  md5: hash("md5", "hex"),
  sha1: hash("sha1", "hex"),
  sha256: hash("sha256", "hex"),
  sha512: hash("sha512", "hex"),
  // IP network (IPv4 and IPv6; `cidrnetmask` is IPv4 only, as in Terraform)
  cidrhost: (args, site) => {
    const p = prefixOf(text(args[0]));
    const size = 1n << BigInt(p.width - p.bits);
    let n = BigInt(int(args[1]));
    if (n < 0n) n += size;
    if (n < 0n || n >= size) fail("cidrhost: host number out of range");
    return out(site, args).str(prefixText(networkOf(p) + n, p.width));
  },
  cidrnetmask: (args, site) => {
    const cidr = text(args[0]);
    if (cidr.includes(":")) fail("cidrnetmask: IPv6 addresses cannot have a netmask");
    return out(site, args).str(ipText(maskOf(ipv4(cidr).bits)));
  },
  cidrsubnet: (args, site) => {
    const p = prefixOf(text(args[0]));
    const newbits = int(args[1]);
    const netnum = BigInt(int(args[2]));
    if (newbits < 0 || p.bits + newbits > p.width || netnum < 0n || netnum >= 1n << BigInt(newbits))
      fail("cidrsubnet: out of range");
    const bits = p.bits + newbits;
    const addr = networkOf(p) + (netnum << BigInt(p.width - bits));
    return out(site, args).str(`${prefixText(addr, p.width)}/${String(bits)}`);
  },
  // Type conversion
  tobool: (args, site) =>
    args[0]?.kind === "scalar" && args[0].value === null ? args[0] : out(site, args).bool(bool(args[0])),
  tonumber: (args, site) =>
    args[0]?.kind === "scalar" && args[0].value === null ? args[0] : out(site, args).num(num(args[0])),
  tostring: (args, site) => {
    const a = args[0];
    if (!a) fail("missing argument");
    if (a.kind === "string" || a.kind === "unknown" || (a.kind === "scalar" && a.value === null)) return a;
    return out(site, args).str(text(a));
  },
  tolist: (args) => args[0] ?? fail("missing argument"),
  toset: (args, site) => out(site, args).list(setOf(list(args[0]))),
  tomap: (args) => {
    entries(args[0]);
    return args[0] ?? fail("missing argument");
  },
  nonsensitive: (args) => args[0] ?? fail("missing argument"),
  sensitive: (args) => args[0] ?? fail("missing argument"),
};

/** `jsonencode` keeps the tree (JSON read from the text sees its values where they were written). */
FUNCTIONS.jsonencode = (args) => {
  const a = args[0] ?? fail("missing argument");
  return a;
};

/** The names this library evaluates. */
export const BUILTIN_NAMES: ReadonlySet<string> = new Set(Object.keys(FUNCTIONS));

export type CallResult = { value: TreeNode } | { unknown: true } | { error: string } | undefined;

/** Calls a built-in; undefined for a name it does not know (a provider function, `timestamp()` …). */
export function callBuiltin(name: string, args: TreeNode[], site: CallSite): CallResult {
  const fn = FUNCTIONS[name];
  if (!fn) return undefined;
  try {
    return { value: fn(args, site) };
  } catch (e) {
    if (e instanceof Unknown) return { unknown: true };
    if (e instanceof CallError) return { error: `${name}(): ${e.message}` };
    if (e instanceof RangeError) return { error: `${name}(): ${e.message}` };
    throw e;
  }
}

/** For tests: encodes a known value the way Terraform's `jsonencode` writes it. */
export function encodeJson(n: TreeNode): string {
  return terraformJson(plain(n));
}

import { FAILSAFE_SCHEMA, load, type State as JsYamlState } from "js-yaml";
import { isAlias, isMap, isPair, isScalar, isSeq, type Document } from "yaml";

/**
 * The YAML tree the workflow and composite-action readers work on: every node keeps its start and end offset
 * (the same range the `yaml` package gives the node: scalars without trailing spaces or comments, a block
 * collection up to the end of its last value, a block scalar up to its last kept line break), plain scalars are
 * typed with the YAML 1.2 core schema (what `yaml` does by default: `on`, `yes` and `off` are strings, `0o17` is
 * 15), aliases stay aliases of the node their anchor names, and `<<` is an ordinary key (no merge). Locations
 * (line and column) are computed only for the nodes a reader keeps.
 *
 * Two builders give the same tree: `fastYamlTree`, from js-yaml 4's event listener (about a tenth of the cost
 * of `yaml`'s parseDocument), and `yamlDocumentTree`, from a `yaml` Document — the fallback for anything the
 * fast builder does not take (explicit tags, explicit `?` keys, directives, an alias
 * inside the node its anchor names, syntax errors), so a broken file still gets `yaml`'s message and place.
 * test/workflow-yaml-tree.test.ts holds the two to the same trees.
 */
export type YNode = YScalar | YMap | YSeq | YAlias;

export interface YScalar {
  kind: "scalar";
  value: string | number | boolean | null;
  start: number;
  end: number;
}

/** A pair's key or value is null when the source has no node there (`{a}`, `? a`); `a:` has an empty scalar. */
export interface YPair {
  key: YNode | null;
  value: YNode | null;
}

export interface YMap {
  kind: "map";
  pairs: YPair[];
  start: number;
  end: number;
}

export interface YSeq {
  kind: "seq";
  items: YNode[];
  start: number;
  end: number;
}

export interface YAlias {
  kind: "alias";
  target: YNode;
  start: number;
  end: number;
}

// ---------- core schema ----------

const INT = /^[-+]?[0-9]+$/;
const OCT = /^0o[0-7]+$/;
const HEX = /^0x[0-9a-fA-F]+$/;
const FLOAT = /^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$/;

/** The value of a plain (unquoted) scalar under the YAML 1.2 core schema. */
export function corePlainValue(s: string): string | number | boolean | null {
  const c = s.charCodeAt(0);
  // Only these first characters can start a non-string: digits, sign, `.`, `~`, n/N, t/T, f/F.
  if (!(c <= 57 || c === 126 || c === 110 || c === 78 || c === 116 || c === 84 || c === 102 || c === 70)) return s;
  switch (s) {
    case "":
    case "~":
    case "null":
    case "Null":
    case "NULL":
      return null;
    case "true":
    case "True":
    case "TRUE":
      return true;
    case "false":
    case "False":
    case "FALSE":
      return false;
    case ".inf":
    case ".Inf":
    case ".INF":
    case "+.inf":
    case "+.Inf":
    case "+.INF":
      return Infinity;
    case "-.inf":
    case "-.Inf":
    case "-.INF":
      return -Infinity;
    case ".nan":
    case ".NaN":
    case ".NAN":
      return NaN;
  }
  if (INT.test(s) || FLOAT.test(s)) return Number(s);
  if (OCT.test(s)) return parseInt(s.slice(2), 8);
  if (HEX.test(s)) return parseInt(s.slice(2), 16);
  return s;
}

// ---------- fast builder (js-yaml events) ----------

/** Thrown inside the listener for input the fast builder leaves to `yaml`. */
class Unsupported extends Error {}

/**
 * js-yaml's parser state as its listener sees it (tag and anchor are not in its published types; kind is null
 * for no node).
 */
type State = Omit<JsYamlState, "kind"> & { kind: string | null; tag: string | null; anchor: string | null };

/**
 * Where `yaml` ends things, beyond a node's own text (its `range[2]`, which is where the collection holding the
 * node ends): after a flow node, the spaces, comment and line break on its line, then comment lines indented
 * deeper than the collection (with the blank lines between them); after an empty node, nothing — or, when a
 * comment follows it, everything up to the next content; a block node ends where it ends. Comment lines after a
 * block collection's last value that are not taken so are `pending`: the innermost enclosing block collection
 * (other than the root) indented no deeper than one of those comments ends at the next content instead.
 */
interface Tail {
  /** `range[2]` of the node. */
  tail: number;
  /** Start of the comment and blank lines after it that no collection took yet, or -1. */
  pending: number;
  /** A flow node (scalar, alias, flow collection): deeper comment lines are added to its tail. */
  flow: boolean;
}

/** Tails are set in place (`setTail`, `copyTail`): one per frame and the one `build` sets, never a new one per node. */
const setTail = (t: Tail, tail: number, pending: number, flow: boolean): void => {
  t.tail = tail;
  t.pending = pending;
  t.flow = flow;
};
const copyTail = (to: Tail, from: Tail): void => {
  setTail(to, from.tail, from.pending, from.flow);
};

/** A node js-yaml opened and has not closed yet. Frames are reused by depth (`frames` in fastYamlTree). */
interface Frame {
  open: number;
  /** This node is a mapping value (a `:` precedes it). */
  isValue: boolean;
  kids: YNode[] | undefined;
  kidIsValue: boolean[] | undefined;
  /** The tail of the last kid. */
  last: Tail;
}

const isBlank = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13;

/**
 * The scans both tree builders (`fastYamlTree`, `plainYamlTree` in plain-yaml.ts) share: where `yaml` ends a node
 * and the collections holding it (see `Tail`), over one text.
 */
export function tailScanner(text: string) {
  const len = text.length;
  // Past the end (the scans below read one character beyond it) 0, not charCodeAt's NaN: a NaN in a comparison
  // V8 has only seen small integers in throws its optimised code away.
  const at = (i: number): number => text.charCodeAt(i) | 0;

  /** Where `yaml` places an empty node: after spaces and properties on the same line. */
  const emptyAt = (i: number): number => {
    for (;;) {
      const c = at(i);
      if (c === 32 || c === 9) i++;
      else if (c === 38) {
        while (i < len && !isBlank(at(i))) i++;
      } else return i;
    }
  };
  const trimEnd = (start: number, end: number): number => {
    while (end > start && isBlank(at(end - 1))) end--;
    return end;
  };
  /** After the spaces, comment and line break that follow a flow node on its line. */
  const lineTail = (i: number): number => {
    while (at(i) === 32 || at(i) === 9) i++;
    if (at(i) === 35) while (i < len && at(i) !== 10 && at(i) !== 13) i++;
    if (at(i) === 13 && at(i + 1) === 10) return i + 2;
    return at(i) === 10 ? i + 1 : Math.min(i, len);
  };
  /** After the next line break (or the end of the text). */
  const nextLine = (i: number): number => {
    const lf = text.indexOf("\n", i);
    return lf < 0 ? len : lf + 1;
  };
  /** From a line start: comment lines indented deeper than `indent` (and blank lines before them) are taken. */
  const deeperComments = (i: number, indent: number): number => {
    let taken = i;
    while (i < len) {
      let j = i;
      while (at(j) === 32) j++;
      const c = at(j);
      if (c === 10 || c === 13 || c === 9) i = nextLine(j);
      else if (c === 35 && j - i > indent) taken = i = nextLine(j);
      else break;
    }
    return taken;
  };
  /** Scans from `i` to the next content: where it is, and the deepest comment column on the way (-1: none). */
  let deepest = -1;
  const nextContent = (i: number): number => {
    deepest = -1;
    let lineStart = i;
    for (;;) {
      const c = at(i);
      if (i >= len) return len;
      if (c === 32 || c === 9 || c === 13) i++;
      else if (c === 10) lineStart = ++i;
      else if (c === 35) {
        if (i - lineStart > deepest) deepest = i - lineStart;
        i = nextLine(i);
        lineStart = i;
      } else return i;
    }
  };

  /** The tail of the node built last. */
  const out: Tail = { tail: 0, pending: -1, flow: false };

  /** A block collection starting at `start` whose last kid has the tail `k`: its end, and its own tail. */
  const blockTail = (start: number, k: Tail): number => {
    const indent = start === 0 ? 0 : start - text.lastIndexOf("\n", start - 1) - 1;
    let end = k.tail;
    let pending = k.pending;
    if (k.flow) pending = end = deeperComments(end, indent);
    if (pending < 0) setTail(out, end, -1, false);
    else {
      const q = nextContent(pending);
      if (deepest < 0) setTail(out, end, -1, false);
      else if (indent > 0 && deepest >= indent) setTail(out, q, -1, false);
      else setTail(out, end, pending, false);
    }
    return end;
  };

  /** The empty node `yaml` makes of `a:` or `-` with nothing after it, at `empty`; its tail is set in `out`. */
  const emptyNode = (empty: number): YScalar => {
    const q = nextContent(empty);
    setTail(out, deepest >= 0 ? q : empty, -1, false);
    return { kind: "scalar", value: null, start: empty, end: empty };
  };
  /** The tail of a flow node (scalar, alias, flow collection) ending at `end`. */
  const flowTail = (end: number): void => {
    setTail(out, lineTail(end), -1, true);
  };
  /** The tail of a block scalar ending at `end` (after its last kept line break). */
  const blockScalarTail = (end: number): void => {
    setTail(out, end, end, false);
  };
  return { at, emptyAt, trimEnd, flowTail, blockScalarTail, nextLine, nextContent, out, blockTail, emptyNode };
}

/**
 * The tree of one YAML document from js-yaml's open/close events, or undefined when js-yaml refuses the text or
 * the text uses something this builder leaves to `yaml` (see the file header). `null` for an empty document.
 */
export function fastYamlTree(source: string): YNode | null | undefined {
  // A directive can change the schema (`%YAML 1.1`); js-yaml drops a byte-order mark, so its offsets are one less:
  // `text` is what js-yaml reads.
  if (source.charCodeAt(0) === 37 || source.includes("\n%")) return undefined;
  const shift = source.charCodeAt(0) === 0xfeff ? 1 : 0;
  const text = shift === 0 ? source : source.slice(1);
  const len = text.length;
  const { at, emptyAt, trimEnd, flowTail, blockScalarTail, out, blockTail, emptyNode } = tailScanner(text);
  /** After whitespace, comments and node properties (`&anchor`; a tag is refused) from `i`. */
  const contentStart = (i: number): number => {
    for (;;) {
      const c = at(i);
      if (isBlank(c)) i++;
      else if (c === 35) {
        while (i < len && at(i) !== 10) i++;
      } else if (c === 38) {
        while (i < len && !isBlank(at(i))) i++;
      } else if (c === 33) throw new Unsupported();
      else return i;
    }
  };
  /** Whether the text between two events holds the `:` of a mapping value (comments and anchors skipped). */
  const colonBetween = (from: number, to: number): boolean => {
    let colon = false;
    for (let i = from; i < to; i++) {
      const c = at(i);
      if (c === 58) colon = true;
      else if (c === 35) {
        while (i < to && at(i) !== 10) i++;
      } else if (c === 38 || c === 33) {
        while (i < to && !isBlank(at(i))) i++;
      } else if (c === 63) throw new Unsupported(); // an explicit key
    }
    return colon;
  };
  /** A block scalar ends after the line break of its last non-blank line (`|+` keeps the blank lines too). */
  const blockScalarEnd = (start: number, close: number): number => {
    let keep = false;
    for (let h = start + 1; h < close; h++) {
      const c = at(h);
      if (c === 43) keep = true;
      else if (c !== 45 && (c < 48 || c > 57)) break;
    }
    if (keep) throw new Unsupported();
    let i = close - 1;
    while (i > start && isBlank(at(i))) i--;
    while (i < close && at(i) !== 10) i++;
    return Math.min(i + 1, len);
  };
  /** The open frames are `frames[0 .. depth - 1]`; the ones above are kept for reuse. */
  const frames: Frame[] = [];
  let depth = 0;
  const anchors = new Map<string, { node: YNode; result: unknown }>();
  let last = 0;
  let root: YNode | null = null;
  /**
   * A block sequence with entries that have nothing after their `-` and no deeper line (js-yaml gives them no
   * event): an empty node after each `-` found between the entries it did report (outside comments).
   */
  const withEmptyItems = (f: Frame, start: number, list: YNode[], close: number): YNode[] => {
    const items: YNode[] = [];
    let from = start;
    for (let k = 0; k <= list.length; k++) {
      const kid = list[k];
      const to = kid ? kid.start : close;
      let dash = -1;
      for (let i = from; i < to; i++) {
        const c = at(i);
        if (c === 35) while (i < to && at(i) !== 10) i++;
        else if (c === 45 && isBlank(at(i + 1))) {
          if (dash >= 0) items.push(emptyNode(emptyAt(dash + 1)));
          dash = i;
        }
      }
      if (!kid) {
        if (dash >= 0) {
          items.push(emptyNode(emptyAt(dash + 1)));
          copyTail(f.last, out);
        }
        break;
      }
      items.push(kid);
      from = kid.end;
    }
    return items;
  };

  const build = (f: Frame, s: State, close: number): YNode | null => {
    const kind = s.kind;
    const kids = f.kids;
    if (s.tag !== null && s.tag !== "?") throw new Unsupported();
    if (kind === "scalar") {
      const start = contentStart(f.open);
      // A kept result of a nested attempt to read a key (`a:\n  value`): the same node.
      const kid = kids?.length === 1 ? kids[0] : undefined;
      if (kid?.kind === "scalar" && kid.start === start && kid.end > start) {
        copyTail(out, f.last);
        return kid;
      }
      const c = at(start);
      if (c === 124 || c === 62) {
        const end = blockScalarEnd(start, close);
        blockScalarTail(end);
        return { kind: "scalar", value: s.result as string, start, end };
      }
      const end = trimEnd(start, close);
      flowTail(end);
      const value = c === 34 || c === 39 ? (s.result as string) : corePlainValue(s.result as string);
      return { kind: "scalar", value, start, end };
    }
    if (kind === "mapping" || kind === "sequence") {
      const start = contentStart(f.open);
      const list = kids ?? [];
      const first = list[0];
      if (list.length === 1 && first?.start === start && first.kind === (kind === "mapping" ? "map" : "seq")) {
        copyTail(out, f.last);
        return first;
      }
      const flow = at(start) === (kind === "mapping" ? 123 : 91) && first?.start !== start;
      let node: YMap | YSeq;
      if (kind === "sequence") {
        if (f.kidIsValue?.includes(true)) throw new Unsupported();
        const count = (s.result as unknown[]).length;
        const items = count === list.length ? list : withEmptyItems(f, start, list, close);
        if (items.length !== count || (flow && items !== list)) throw new Unsupported();
        node = { kind: "seq", items, start, end: 0 };
      } else {
        const pairs: YPair[] = [];
        const isValue = f.kidIsValue ?? [];
        for (let i = 0; i < list.length; i++) {
          const n = list[i] as YNode;
          if (isValue[i]) {
            const pair = pairs[pairs.length - 1];
            if (!pair || pair.value !== null) throw new Unsupported();
            pair.value = n;
          } else if (n.kind === "scalar" && n.value === null && n.start === n.end) {
            // A failed attempt at one more key (`...` after the last entry); an empty key with a value is refused.
            if (i !== list.length - 1) throw new Unsupported();
          } else pairs.push({ key: n, value: null });
        }
        if (!flow && pairs[pairs.length - 1]?.value === null) throw new Unsupported();
        node = { kind: "map", pairs, start, end: 0 };
      }
      if (flow) {
        node.end = trimEnd(start, close);
        flowTail(node.end);
      } else node.end = blockTail(start, f.last);
      return node;
    }
    // No kind: an alias (`*name`, possibly kept from a nested attempt to read a key) or an empty node.
    if (kids?.length === 1 && kids[0]?.kind === "alias") {
      copyTail(out, f.last);
      return kids[0];
    }
    const empty = emptyAt(f.open);
    const start = s.result === null ? empty : contentStart(f.open);
    if (at(start) === 42) {
      let end = start + 1;
      while (end < len && !isBlank(at(end)) && ",[]{}".indexOf(text[end] as string) < 0) end++;
      const entry = anchors.get(text.slice(start + 1, end));
      if (!entry || entry.result !== s.result) throw new Unsupported();
      flowTail(end);
      return { kind: "alias", target: entry.node, start, end };
    }
    if (s.result !== null) throw new Unsupported();
    return emptyNode(empty);
  };

  const listener = (event: "open" | "close", js: JsYamlState): void => {
    const s = js as State;
    const pos = s.position;
    if (pos < last) throw new Unsupported(); // js-yaml went back to read something again
    if (event === "open") {
      const isValue = depth > 0 && colonBetween(last, pos);
      const f = frames[depth];
      if (f) {
        f.open = pos;
        f.isValue = isValue;
        f.kids = f.kidIsValue = undefined;
        setTail(f.last, 0, -1, false);
      } else
        frames[depth] = {
          open: pos,
          isValue,
          kids: undefined,
          kidIsValue: undefined,
          last: { tail: 0, pending: -1, flow: false },
        };
      depth++;
      last = pos;
      return;
    }
    const f = frames[--depth] as Frame;
    last = pos;
    // js-yaml reads the text with a line break added at the end when it has none.
    const node = build(f, s, Math.min(pos, len));
    if (node && s.anchor !== null) anchors.set(s.anchor, { node, result: s.result });
    // js-yaml goes on to store this node's result in its parent's (an object keyed by the scalar that is the key,
    // an array): the tree has what it needs, so a constant goes there instead. Storing one key in every object is
    // far cheaper than a new key in each (a new object shape per key set), and the results become garbage early.
    // js-yaml reads a result only to store it (with `json: true` it never compares keys); anchors keep the real
    // one (stored before this event), so an alias still finds what `anchors` recorded.
    if (node && s.kind !== null) s.result = "";
    const parent = depth > 0 ? frames[depth - 1] : undefined;
    if (!parent) {
      root = node;
      return;
    }
    if (!node) return;
    copyTail(parent.last, out);
    (parent.kids ??= []).push(node);
    (parent.kidIsValue ??= []).push(f.isValue);
  };

  try {
    load(source, { schema: FAILSAFE_SCHEMA, json: true, listener });
  } catch {
    return undefined;
  }
  return shift === 0 ? root : shiftTree(root, shift);
}

/** Offsets of a tree read without a byte-order mark, moved onto the text with it. */
function shiftTree(root: YNode | null, by: number): YNode | null {
  const seen = new Set<YNode>();
  const move = (n: YNode | null): void => {
    if (!n || seen.has(n)) return;
    seen.add(n);
    n.start += by;
    n.end += by;
    if (n.kind === "map")
      for (const p of n.pairs) {
        move(p.key);
        move(p.value);
      }
    else if (n.kind === "seq") for (const i of n.items) move(i);
    else if (n.kind === "alias") move(n.target);
  };
  move(root);
  return root;
}

// ---------- from a `yaml` Document ----------

/** The same tree from a `yaml` Document (the fallback path, and the reference the fast builder is tested against). */
export function yamlDocumentTree(doc: Document.Parsed): YNode | null {
  const done = new Map<unknown, YNode>();
  const convert = (node: unknown): YNode | null => {
    if (node === null || node === undefined) return null;
    const known = done.get(node);
    if (known) return known;
    const range = (node as { range?: [number, number, number] }).range ?? [0, 0, 0];
    const [start, end] = range;
    if (isAlias(node)) {
      const target = convert(node.resolve(doc));
      if (!target) return { kind: "scalar", value: null, start, end };
      const out: YAlias = { kind: "alias", target, start, end };
      done.set(node, out);
      return out;
    }
    if (isScalar(node)) {
      const v = node.value;
      const value =
        typeof v === "string" || typeof v === "number" || typeof v === "boolean" || v === null
          ? v
          : (node.source ?? "");
      return { kind: "scalar", value, start, end };
    }
    if (isSeq(node)) {
      const out: YSeq = { kind: "seq", items: [], start, end };
      done.set(node, out);
      for (const i of node.items) {
        const item = convert(i);
        if (item) out.items.push(item);
      }
      return out;
    }
    if (isMap(node)) {
      const out: YMap = { kind: "map", pairs: [], start, end };
      done.set(node, out);
      for (const p of node.items) if (isPair(p)) out.pairs.push({ key: convert(p.key), value: convert(p.value) });
      return out;
    }
    return null;
  };
  return convert(doc.contents);
}

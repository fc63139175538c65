import { LineIndex, type SourceLocation } from "../../model/location.js";
import { knownText } from "../../model/value.js";
import type { Segment } from "../terraform/embedded-json.js";
import type { Arg, ClassDef, Expr, FunctionDef, Pattern, ProgramModule, Span, Stmt } from "./ir.js";
import { callExternal, externalMember, libMember, libMethod, type Definition } from "./libraries.js";
import {
  arr,
  concat,
  describeValue,
  field,
  locOf,
  original,
  relocateValue,
  str,
  textOf,
  unk,
  type CallArgs,
  type PEntry,
  type PValue,
} from "./values.js";

/**
 * A small static evaluator for programs lowered to the IR: constants, object and array literals,
 * spreads, templates and f-strings, concatenation, `.join`/`.map` over known arrays, local functions
 * and classes called with known arguments, imports of local modules. Nothing is executed for real:
 * whatever it cannot know (environment, context, config, parameters without known arguments,
 * packages outside the repository) is an explicit unknown. Every evaluation step counts against a
 * budget shared by the whole project; past it, values are unknown.
 */

export interface Budget {
  steps: number;
  exhausted: boolean;
  /** Where the evaluation was when the budget ran out: the finding that says so is placed there. */
  at?: SourceLocation;
}

export const MAX_STEPS = 400_000;
const MAX_CALL_DEPTH = 24;
const MAX_ITEMS = 2_000;
const MAX_STRING = 100_000;

/** Loads local modules for imports and keeps what the programs define. */
export interface ProgramHost {
  /** The evaluated module a local import names, or undefined when it is not a module of the repository. */
  importModule(fromFile: string, spec: string, language: ProgramModule["language"]): ModuleEval | undefined;
  record(def: Definition): void;
  budget: Budget;
}

interface Binding {
  value?: PValue;
  lazy?: () => PValue;
  /** Where a module-level constant was defined: values read through it are placed where used. */
  origin?: string;
}

class Scope {
  readonly vars = new Map<string, Binding>();
  constructor(readonly parent?: Scope) {}

  lookup(name: string): Binding | undefined {
    return this.vars.get(name) ?? this.parent?.lookup(name);
  }
}

interface Frame {
  scope: Scope;
  self?: PValue;
  /** The class whose constructor or method runs, for `super(...)`. */
  cls?: ClassValue;
  /** Nesting of branches whose test is unknown: assignments there make a variable unknown. */
  uncertain: number;
  depth: number;
}

interface ClassValue {
  def: ClassDef;
  frame: Frame;
  superClass?: PValue;
}

type Completion = { returned: PValue } | { maybeReturned: true } | undefined;

export class ModuleEval {
  readonly index: LineIndex;
  readonly scope = new Scope();
  private ran = false;
  /** Top-level functions and classes: those that nothing called or instantiated run once with unknown arguments. */
  readonly callables: (() => void)[] = [];
  private readonly classes = new Map<ClassDef, ClassValue>();
  private readonly calledDefs = new Set<FunctionDef | ClassDef>();
  private readonly fnDefs = new WeakMap<PValue, FunctionDef>();
  /** Functions being evaluated: a recursive call is unknown (over unknown data it would branch at every level). */
  private readonly active = new Set<FunctionDef>();
  private readonly sstGlobals: boolean;

  constructor(
    readonly mod: ProgramModule,
    private readonly host: ProgramHost,
  ) {
    this.index = new LineIndex(mod.file, mod.text);
    this.sstGlobals = mod.language === "typescript" && SST_MODULE.test(mod.text);
  }

  loc(span: Span): SourceLocation {
    return this.index.span(span.from, span.to);
  }

  source(span: Span): string {
    return this.mod.text.slice(span.from, span.to).replace(/\s+/g, " ");
  }

  /** Runs the module's top level once (imports are evaluated when first needed). */
  run(): void {
    if (this.ran) return;
    this.ran = true;
    const frame: Frame = { scope: this.scope, uncertain: 0, depth: 0 };
    this.hoist(this.mod.body, frame, true);
    this.execBlock(this.mod.body, frame, true);
  }

  /** A name this module exports, evaluated. */
  exported(name: string, loc: SourceLocation): PValue | undefined {
    this.run();
    if (this.mod.exports !== "all") {
      const local = this.mod.exports.get(name);
      if (local !== undefined) return this.read(local, this.scope, loc);
      for (const s of this.mod.body) {
        if (s.k !== "reexport") continue;
        const hit = s.names.length === 0 ? name : s.names.find((n) => n.exported === name)?.imported;
        if (hit === undefined) continue;
        const other = this.host.importModule(this.mod.file, s.module, this.mod.language);
        const v = other?.exported(hit, loc);
        if (v) return v;
      }
      return undefined;
    }
    return this.scope.vars.has(name) ? this.read(name, this.scope, loc) : undefined;
  }

  private read(name: string, scope: Scope, loc: SourceLocation): PValue {
    const b = scope.lookup(name);
    if (!b) {
      if (GLOBALS.has(name)) return { t: "ext", path: name, loc };
      const sst = this.sstGlobals ? SST_GLOBALS[name] : undefined;
      return sst !== undefined ? { t: "ext", path: sst, loc } : unk(name, loc);
    }
    if (b.value === undefined && b.lazy) {
      const lazy = b.lazy;
      b.lazy = undefined;
      b.value = unk(name, loc);
      b.value = lazy();
    }
    const v = b.value ?? unk(name, loc);
    if (b.origin === undefined) return v;
    return relocateValue(v, loc, b.origin);
  }

  private step(span: Span): boolean {
    const b = this.host.budget;
    if (b.exhausted) return false;
    if (--b.steps <= 0) {
      b.exhausted = true;
      b.at = this.loc(span);
      return false;
    }
    return true;
  }

  // ---- statements -------------------------------------------------------------------------------

  /** Function and class declarations are visible before their statement (JavaScript hoisting; Python reads names late too). */
  private hoist(body: Stmt[], frame: Frame, topLevel: boolean): void {
    for (const s of body) {
      if (s.k === "func" && s.fn.name) {
        const fn = this.makeFunction(s.fn, frame);
        frame.scope.vars.set(s.fn.name, { value: fn });
        if (topLevel)
          this.callables.push(() => {
            this.callUnknown(s.fn, fn);
          });
      } else if (s.k === "class") {
        const cls: ClassValue = { def: s.cls, frame };
        this.classes.set(s.cls, cls);
        frame.scope.vars.set(s.cls.name, { value: this.classValue(cls) });
        if (topLevel)
          this.callables.push(() => {
            this.instantiateUnknown(cls);
          });
      } else if (s.k === "import") {
        for (const n of s.names)
          frame.scope.vars.set(n.local, { lazy: () => this.importBinding(s.module, n.imported, this.loc(s.span)) });
      }
    }
  }

  private importBinding(module: string, imported: string, loc: SourceLocation): PValue {
    const local = this.host.importModule(this.mod.file, module, this.mod.language);
    const attribute = local && imported !== "*" ? local.exported(imported, loc) : undefined;
    if (attribute) return attribute;
    // Python's `from . import config` / `from pkg import module` names a module when the package (its
    // `__init__.py`, if any) does not define the name.
    if (this.mod.language === "python" && imported !== "*") {
      const sub = this.host.importModule(
        this.mod.file,
        module.endsWith(".") ? `${module}${imported}` : `${module}.${imported}`,
        "python",
      );
      if (sub) return { t: "inst", fields: new Map(), cls: `module ${imported}`, loc, ...{ module: sub } };
    }
    if (local) {
      if (imported === "*") return { t: "inst", fields: new Map(), cls: `module ${module}`, loc, ...{ module: local } };
      return unk(imported, loc);
    }
    return { t: "ext", path: imported === "*" ? module : `${module}.${imported}`, loc };
  }

  private execBlock(body: Stmt[], frame: Frame, hoisted = false): Completion {
    if (!hoisted) this.hoist(body, frame, false);
    let maybe = false;
    for (const s of body) {
      if (!this.step(s.span)) return undefined;
      const c = this.exec(s, frame);
      if (c && "returned" in c) return c;
      if (c) maybe = true;
    }
    return maybe ? { maybeReturned: true } : undefined;
  }

  private exec(s: Stmt, frame: Frame): Completion {
    switch (s.k) {
      case "let": {
        const v = s.init ? this.eval(s.init, frame) : unk("undefined", this.loc(s.span));
        const topLevel = frame.scope === this.scope && s.target.k === "name";
        this.bind(s.target, v, frame, topLevel);
        return undefined;
      }
      case "assign": {
        const v = frame.uncertain > 0 ? unk(this.source(s.target.span), this.loc(s.span)) : this.eval(s.value, frame);
        this.assign(s.target, v, frame);
        return undefined;
      }
      case "expr":
        this.eval(s.expr, frame);
        return undefined;
      case "return":
        return { returned: s.value ? this.eval(s.value, frame) : { t: "null", loc: this.loc(s.span) } };
      case "if": {
        const test = this.truth(this.eval(s.test, frame));
        if (test !== undefined)
          return this.execBlock(test ? s.then : s.else, { ...frame, scope: new Scope(frame.scope) });
        const inner: Frame = { ...frame, uncertain: frame.uncertain + 1 };
        const a = this.execBlock(s.then, { ...inner, scope: new Scope(frame.scope) });
        const b = this.execBlock(s.else, { ...inner, scope: new Scope(frame.scope) });
        return a || b ? { maybeReturned: true } : undefined;
      }
      case "for": {
        const iter = this.eval(s.iter, frame);
        const items = iter.t === "arr" && !iter.rest ? iter.items : undefined;
        if (!items) {
          const inner: Frame = { ...frame, uncertain: frame.uncertain + 1, scope: new Scope(frame.scope) };
          this.bind(s.target, unk(`item of ${this.source(s.iter.span)}`, this.loc(s.target.span)), inner, false);
          return this.execBlock(s.body, inner) ? { maybeReturned: true } : undefined;
        }
        for (const item of items.slice(0, MAX_ITEMS)) {
          const inner: Frame = { ...frame, scope: new Scope(frame.scope) };
          this.bind(s.target, item, inner, false);
          const c = this.execBlock(s.body, inner);
          if (c && "returned" in c) return c;
        }
        return undefined;
      }
      case "func":
      case "class":
      case "import":
      case "reexport":
        return undefined;
    }
  }

  private truth(v: PValue): boolean | undefined {
    switch (v.t) {
      case "bool":
        return v.v;
      case "null":
        return false;
      case "num":
        return v.v !== 0;
      case "str": {
        const t = knownText(v.v);
        return t === undefined
          ? v.v.parts.some((p) => typeof p === "string" && p !== "")
            ? true
            : undefined
          : t !== "";
      }
      case "unk":
      case "ext":
        return undefined;
      default:
        return true;
    }
  }

  private bind(target: Pattern, v: PValue, frame: Frame, topLevel: boolean): void {
    if (target.k === "name") {
      const b: Binding = { value: v };
      // Values read through a module-level constant are reported where used, naming the constant.
      if (topLevel && isPlainData(v)) b.origin = `\`${target.name}\` (${this.mod.file}:${this.loc(target.span).line})`;
      frame.scope.vars.set(target.name, b);
      return;
    }
    if (target.k === "objpat") {
      const used = new Set<string>();
      for (const p of target.props) {
        used.add(p.key);
        let pv = this.member(v, p.key, this.loc(p.target.span), `${describeValue(v)}.${p.key}`);
        if (p.init && (pv.t === "null" || (pv.t === "unk" && v.t === "obj" && !v.rest))) pv = this.eval(p.init, frame);
        this.bind(p.target, pv, frame, false);
      }
      if (target.rest !== undefined) {
        const rest: PValue =
          v.t === "obj"
            ? // A new object (not the one it was taken from, which `of` would name): the other keys.
              {
                t: "obj",
                entries: v.entries.filter((e) => !used.has(e.key)),
                loc: v.loc,
                ...(v.rest ? { rest: v.rest } : v.closed ? { closed: true } : {}),
              }
            : unk(target.rest, this.loc(target.span));
        frame.scope.vars.set(target.rest, { value: rest });
      }
      return;
    }
    target.items.forEach((p, i) => {
      if (!p) return;
      const item =
        v.t === "arr"
          ? (v.items[i] ?? unk(`${describeValue(v)}[${i}]`, this.loc(p.span)))
          : unk(`${describeValue(v)}[${i}]`, this.loc(p.span));
      this.bind(p, item, frame, false);
    });
  }

  private assign(target: Expr, v: PValue, frame: Frame): void {
    if (target.k === "name") {
      const b = frame.scope.lookup(target.name);
      if (b) {
        b.value = v;
        b.lazy = undefined;
        b.origin = undefined;
      } else frame.scope.vars.set(target.name, { value: v });
      return;
    }
    if (target.k === "member") {
      const o = original(this.eval(target.object, frame));
      if (o.t === "inst") o.fields.set(target.name, v);
      else if (o.t === "obj" && frame.uncertain === 0)
        o.entries.push({ key: target.name, keyLoc: this.loc(target.span), value: v });
      else if (o.t === "obj") delete o.closed;
      return;
    }
    if (target.k === "index") {
      const o = original(this.eval(target.object, frame));
      const key = textOf(this.eval(target.index, frame));
      if (o.t === "obj" && key !== undefined && frame.uncertain === 0)
        o.entries.push({ key, keyLoc: this.loc(target.index.span), value: v });
      else if (o.t === "obj") delete o.closed;
    }
  }

  // ---- expressions ------------------------------------------------------------------------------

  eval(e: Expr, frame: Frame): PValue {
    const loc = this.loc(e.span);
    if (!this.step(e.span)) return unk("evaluation budget exceeded", loc);
    switch (e.k) {
      case "str": {
        if (e.text.length > MAX_STRING) return unk("very long string", loc);
        return str(e.text, loc, [this.segment(e)]);
      }
      case "num":
        return { t: "num", v: e.value, loc };
      case "bool":
        return { t: "bool", v: e.value, loc };
      case "null":
        return { t: "null", loc };
      case "tpl":
        return concat(
          e.parts.map((p) => this.eval(p, frame)),
          loc,
          (v) => describeValue(v),
        );
      case "name":
        return this.read(e.name, frame.scope, loc);
      case "this":
        return frame.self ?? unk("this", loc);
      case "member":
        return this.member(this.eval(e.object, frame), e.name, loc, this.source(e.span), e.optional === true);
      case "index": {
        const o = this.eval(e.object, frame);
        const i = this.eval(e.index, frame);
        if (o.t === "arr" && i.t === "num") return o.items[i.v] ?? unk(this.source(e.span), loc);
        const key = textOf(i);
        if (key !== undefined) return this.member(o, key, loc, this.source(e.span));
        return unk(this.source(e.span), loc);
      }
      case "object":
        return this.object(e, frame, loc);
      case "array": {
        const items: PValue[] = [];
        let rest: PValue | undefined;
        for (const it of e.items) {
          if ("value" in it) items.push(this.eval(it.value, frame));
          else {
            const s = this.eval(it.spread, frame);
            if (s.t === "arr") {
              items.push(...s.items);
              if (s.rest) rest = { t: "unk", ...s.rest };
            } else rest = unk(this.source(it.spread.span), this.loc(it.spread.span));
          }
          if (items.length > MAX_ITEMS) return unk("very long list", loc);
        }
        const out: PValue = { t: "arr", items, loc };
        if (rest?.t === "unk") out.rest = { expr: rest.expr, loc: rest.loc };
        return out;
      }
      case "fn":
        return this.makeFunction(e.fn, frame);
      case "binary":
        return this.binary(e, frame, loc);
      case "cond": {
        const t = this.truth(this.eval(e.test, frame));
        if (t !== undefined) return this.eval(t ? e.then : e.else, frame);
        const out = unk(this.source(e.span), loc);
        // Both branches, when evaluating them runs nothing (no call): `repo ? \`repo:acme/${repo}:*\` : "repo:acme/*:*"`.
        if (plainExpr(e.then) && plainExpr(e.else) && out.t === "unk")
          out.branches = [this.eval(e.then, frame), this.eval(e.else, frame)];
        return out;
      }
      case "comp": {
        const iter = this.eval(e.iter, frame);
        if (iter.t !== "arr" || iter.rest) return unk(this.source(e.span), loc);
        const items = iter.items.slice(0, MAX_ITEMS).map((item) => {
          const inner: Frame = { ...frame, scope: new Scope(frame.scope) };
          this.bind(e.target, item, inner, false);
          return this.eval(e.element, inner);
        });
        return arr(items, loc);
      }
      case "tagged": {
        // `pulumi.interpolate` (the only tag the libraries use for strings) is a template.
        const tag = this.eval(e.tag, frame);
        if (tag.t === "ext" && /(^|[./])interpolate$/.test(tag.path)) return this.eval(e.template, frame);
        return unk(this.source(e.span), loc);
      }
      case "call":
        return this.call(e, frame, loc);
      case "opaque":
        return unk(this.source(e.span), loc);
    }
  }

  /** A literal's characters keep their positions (approximately where escapes shift them). */
  private segment(e: Extract<Expr, { k: "str" }>): Segment {
    const from = e.contentFrom;
    const index = this.index;
    const max = Math.max(from, e.span.to - 1);
    return { text: e.text, locate: (s, t) => index.span(Math.min(from + s, max), Math.min(from + t, max)) };
  }

  private object(e: Extract<Expr, { k: "object" }>, frame: Frame, loc: SourceLocation): PValue {
    const entries: PEntry[] = [];
    let rest: PValue | undefined;
    let closed = true;
    for (const en of e.entries) {
      if ("spread" in en) {
        const s = this.eval(en.spread, frame);
        if (s.t === "obj") {
          entries.push(...s.entries);
          if (s.rest) rest = { t: "unk", ...s.rest };
          if (!s.closed) closed = false;
        } else if (s.t !== "null") rest = unk(this.source(en.spread.span), this.loc(en.spread.span));
        continue;
      }
      const key = this.eval(en.key, frame);
      const k = key.t === "num" ? String(key.v) : textOf(key);
      const value = this.eval(en.value, frame);
      // A computed key that cannot be known makes the object's keys unknown.
      if (k === undefined) {
        rest = unk(this.source(en.key.span), this.loc(en.key.span));
        continue;
      }
      entries.push({ key: k, keyLoc: this.loc(en.key.span), value });
    }
    const out: PValue = { t: "obj", entries: dedupeKeys(entries), loc };
    if (rest?.t === "unk") out.rest = { expr: rest.expr, loc: rest.loc };
    else if (closed) out.closed = true;
    return out;
  }

  private binary(e: Extract<Expr, { k: "binary" }>, frame: Frame, loc: SourceLocation): PValue {
    const left = this.eval(e.left, frame);
    if (e.op === "??" || e.op === "||" || e.op === "or") {
      if (left.t === "null") return this.eval(e.right, frame);
      const t = e.op === "??" ? (left.t === "unk" || left.t === "ext" ? undefined : true) : this.truth(left);
      if (t === undefined) return unk(this.source(e.span), loc);
      return t ? left : this.eval(e.right, frame);
    }
    if (e.op === "&&" || e.op === "and") {
      const t = this.truth(left);
      if (t === undefined) return unk(this.source(e.span), loc);
      return t ? this.eval(e.right, frame) : left;
    }
    const right = this.eval(e.right, frame);
    if (e.op === "+") {
      if (left.t === "num" && right.t === "num") return { t: "num", v: left.v + right.v, loc };
      if (left.t === "arr" && right.t === "arr" && this.mod.language === "python")
        return arr([...left.items, ...right.items], loc);
      if (isStringy(left) || isStringy(right)) {
        const v = concat([left, right], loc, (x) => describeValue(x));
        return v.t === "str" && displayLength(v) > MAX_STRING ? unk("very long string", loc) : v;
      }
    }
    if (e.op === "==" || e.op === "===" || e.op === "!=" || e.op === "!==") {
      const a = scalarText(left);
      const b = scalarText(right);
      if (a === undefined || b === undefined) return unk(this.source(e.span), loc);
      return { t: "bool", v: (a === b) === (e.op === "==" || e.op === "==="), loc };
    }
    return unk(this.source(e.span), loc);
  }

  private member(o: PValue, name: string, loc: SourceLocation, expr: string, optional = false): PValue {
    switch (o.t) {
      case "null":
        // `props?.subject` where `props` was left out; `props.subject` would throw (unknown: nothing is claimed).
        return optional ? { t: "null", loc } : unk(expr, loc);
      case "obj": {
        const v = field(o, name);
        if (v) return v;
        // (Python raises on a missing key or attribute; its `dict.get` is a method, below.)
        return o.closed && this.mod.language !== "python" ? { t: "null", loc } : unk(expr, loc);
      }
      case "arr":
        if (name === "length" && !o.rest) return { t: "num", v: o.items.length, loc };
        return unk(expr, loc);
      case "ext":
        return externalMember(o.path, name, loc) ?? { t: "ext", path: `${o.path}.${name}`, loc };
      case "lib":
        return libMember(o.obj, name, loc) ?? unk(expr, loc);
      case "inst": {
        const mod = (o as unknown as { module?: ModuleEval }).module;
        if (mod) return mod.exported(name, loc) ?? unk(expr, loc);
        const v = o.fields.get(name);
        if (v) return v;
        return unk(expr, loc);
      }
      case "unk":
        return unk(expr, loc, o.origin);
      default:
        return unk(expr, loc);
    }
  }

  // ---- calls ------------------------------------------------------------------------------------

  private args(list: Arg[], frame: Frame): CallArgs {
    const out: CallArgs = { positional: [], keywords: new Map(), whole: true };
    for (const a of list) {
      const v = this.eval(a.value, frame);
      if (a.name !== undefined) out.keywords.set(a.name, v);
      else if (a.kwSpread) {
        if (v.t === "obj") for (const e of v.entries) out.keywords.set(e.key, e.value);
        else out.uncertain = true;
      } else if (a.spread) {
        if (v.t === "arr" && !v.rest) out.positional.push(...v.items);
        else out.uncertain = true;
      } else out.positional.push(v);
    }
    return out;
  }

  private call(e: Extract<Expr, { k: "call" }>, frame: Frame, loc: SourceLocation): PValue {
    const expr = this.source(e.span);
    // `super(...)` in a constructor: the parent class constructs the same object.
    if (e.callee.k === "name" && e.callee.name === "super") {
      const parent = frame.cls?.superClass;
      const args = this.args(e.args, frame);
      if (parent?.t === "fn") parent.call(frame.self ? { ...args, self: frame.self } : args, loc);
      else if (parent?.t === "ext")
        madeBy(frame.self, callExternal(parent.path, args, true, loc, expr, this.libHost(frame)));
      return { t: "null", loc };
    }
    if (e.callee.k === "member") {
      const target = this.eval(e.callee.object, frame);
      const method = e.callee.name;
      const builtin = this.builtinMethod(target, method, e.args, frame, loc, expr);
      if (builtin) return builtin;
      // A method oidclint does not model may change the object (`d.update(…)`, `d.setdefault(…)`).
      const changed = original(target);
      if (changed.t === "obj") delete changed.closed;
      if (target.t === "lib") {
        const args = this.args(e.args, frame);
        return libMethod(target.obj, method, args, loc, this.libHost(frame)) ?? unk(expr, loc);
      }
      const callee = this.member(target, method, this.loc(e.callee.span), this.source(e.callee.span));
      return this.invoke(callee, this.args(e.args, frame), e.isNew, loc, expr, frame);
    }
    const callee = this.eval(e.callee, frame);
    return this.invoke(callee, this.args(e.args, frame), e.isNew, loc, expr, frame);
  }

  private invoke(
    callee: PValue,
    args: CallArgs,
    isNew: boolean,
    loc: SourceLocation,
    expr: string,
    frame: Frame,
  ): PValue {
    if (frame.depth > MAX_CALL_DEPTH) return unk(expr, loc);
    if (callee.t === "fn") return callee.call({ ...args, depth: frame.depth }, loc);
    const modelled =
      callee.t === "ext" ? callExternal(callee.path, args, isNew, loc, expr, this.libHost(frame)) : undefined;
    if (modelled) return modelled;
    this.handToUnknownCode(args);
    return unk(expr, loc);
  }

  /**
   * Arguments handed to code oidclint does not model: functions among them (`$config({ run() {…} })`, a
   * framework's hook) may be called by it, so each runs once, later, with unknown arguments, unless the program
   * calls it itself; objects among them may gain keys there (`Object.assign(props, …)`), so they are open.
   */
  private handToUnknownCode(args: CallArgs): void {
    for (const v of [...args.positional, ...args.keywords.values()]) {
      const changed = original(v);
      if (changed.t === "obj") delete changed.closed;
      const fns = v.t === "fn" ? [v] : v.t === "obj" ? v.entries.map((e) => e.value).filter((x) => x.t === "fn") : [];
      for (const fn of fns) {
        const def = this.fnDefs.get(fn);
        if (!def) continue;
        this.callables.push(() => {
          this.callUnknown(def, fn);
        });
      }
    }
  }

  private libHost(frame: Frame): { record: (d: Definition) => void; uncertain: boolean } {
    return {
      record: (d) => {
        this.host.record(d);
      },
      uncertain: frame.uncertain > 0,
    };
  }

  /** Methods of plain values: arrays (`map`, `join`, …), strings, and Pulumi's `apply`/`then` on known values. */
  private builtinMethod(
    target: PValue,
    method: string,
    argExprs: Arg[],
    frame: Frame,
    loc: SourceLocation,
    expr: string,
  ): PValue | undefined {
    if (target.t === "ext" || target.t === "lib" || target.t === "inst") {
      if (method === "apply" || method === "then") {
        if (target.t !== "lib") return undefined;
      } else return undefined;
    }
    const fnArg = (i: number): PValue | undefined => {
      const a = argExprs[i];
      return a ? this.eval(a.value, frame) : undefined;
    };
    const callFn = (fn: PValue | undefined, args: PValue[]): PValue =>
      fn?.t === "fn" ? fn.call({ positional: args, keywords: new Map(), depth: frame.depth }, loc) : unk(expr, loc);
    if (method === "apply" || method === "then") {
      if (target.t === "unk") return unk(expr, loc);
      return callFn(fnArg(0), [target]);
    }
    if (target.t === "arr") {
      if (target.rest) return method === "join" || method === "map" ? unk(expr, loc) : undefined;
      switch (method) {
        case "map":
        case "flatMap": {
          const fn = fnArg(0);
          const items = target.items.map((item, i) => callFn(fn, [item, { t: "num", v: i, loc }]));
          if (method === "map") return arr(items, loc);
          return arr(
            items.flatMap((i) => (i.t === "arr" ? i.items : [i])),
            loc,
          );
        }
        case "forEach": {
          const fn = fnArg(0);
          target.items.forEach((item, i) => callFn(fn, [item, { t: "num", v: i, loc }]));
          return { t: "null", loc };
        }
        case "join": {
          const sep = fnArg(0) ?? str(",", loc);
          return joinValues(target.items, sep, loc);
        }
        case "concat": {
          const items = [...target.items];
          for (const a of argExprs) {
            const v = this.eval(a.value, frame);
            if (v.t === "arr" && !v.rest) items.push(...v.items);
            else if (v.t === "arr") return unk(expr, loc);
            else items.push(v);
          }
          return arr(items, loc);
        }
        default:
          return undefined;
      }
    }
    if (target.t === "obj" && method === "get" && this.mod.language === "python") {
      // `d.get(key, default)`: the default only where the dict is known to lack the key.
      const key = textOf(fnArg(0) ?? unk(expr, loc));
      const found = key === undefined ? undefined : field(target, key);
      if (found) return found;
      if (key === undefined || !target.closed) return unk(expr, loc);
      return fnArg(1) ?? { t: "null", loc };
    }
    if (target.t === "str") {
      const text = knownText(target.v);
      switch (method) {
        case "join": {
          const list = fnArg(0);
          if (list?.t !== "arr" || list.rest) return unk(expr, loc);
          return joinValues(list.items, target, loc);
        }
        case "toLowerCase":
        case "lower":
          return text === undefined ? unk(expr, loc) : str(text.toLowerCase(), loc);
        case "toUpperCase":
        case "upper":
          return text === undefined ? unk(expr, loc) : str(text.toUpperCase(), loc);
        case "trim":
        case "strip":
          return text === undefined ? unk(expr, loc) : str(text.trim(), loc);
        case "toString":
          return target;
        case "format":
          return this.pythonFormat(target, argExprs, frame, loc, expr);
        default:
          return undefined;
      }
    }
    return undefined;
  }

  /** Python's `"repo:{}/{}".format(owner, repo)` with positional or named fields. */
  private pythonFormat(
    template: Extract<PValue, { t: "str" }>,
    argExprs: Arg[],
    frame: Frame,
    loc: SourceLocation,
    expr: string,
  ): PValue {
    const text = knownText(template.v);
    if (text === undefined) return unk(expr, loc);
    const args = this.args(argExprs, frame);
    const pieces: PValue[] = [];
    let auto = 0;
    let last = 0;
    for (const m of text.matchAll(/\{([A-Za-z_0-9]*)\}/g)) {
      pieces.push(str(text.slice(last, m.index), loc));
      const name = m[1] ?? "";
      const v =
        name === ""
          ? args.positional[auto++]
          : /^\d+$/.test(name)
            ? args.positional[Number(name)]
            : args.keywords.get(name);
      pieces.push(v ?? unk(expr, loc));
      last = m.index + m[0].length;
    }
    pieces.push(str(text.slice(last), loc));
    return concat(pieces, loc, (v) => describeValue(v));
  }

  // ---- functions and classes --------------------------------------------------------------------

  private makeFunction(def: FunctionDef, closure: Frame): PValue {
    const loc = this.loc(def.span);
    const fn: PValue = {
      t: "fn",
      name: def.name ?? "function",
      loc,
      call: (args, callLoc) => {
        this.calledDefs.add(def);
        const depth = (args.depth ?? closure.depth) + 1;
        if (depth > MAX_CALL_DEPTH || this.active.has(def)) return unk(`${def.name ?? "function"}(…)`, callLoc);
        this.active.add(def);
        try {
          return this.callBody(def, args, closure, depth, callLoc);
        } finally {
          this.active.delete(def);
        }
      },
    };
    this.fnDefs.set(fn, def);
    return fn;
  }

  private callBody(def: FunctionDef, args: CallArgs, closure: Frame, depth: number, callLoc: SourceLocation): PValue {
    const self = args.self ?? closure.self;
    const frame: Frame = {
      scope: new Scope(closure.scope),
      uncertain: 0,
      depth,
      ...(self ? { self } : {}),
      ...(closure.cls ? { cls: closure.cls } : {}),
    };
    this.bindParams(def, args, frame);
    if (!Array.isArray(def.body)) return this.eval(def.body, frame);
    const c = this.execBlock(def.body, frame);
    if (c && "returned" in c) return this.atCall(def, c.returned, callLoc);
    return c ? unk(`${def.name ?? "function"}(…)`, callLoc) : { t: "null", loc: callLoc };
  }

  /**
   * A value a named helper builds from its arguments (`github_subject("lib", "tag:v*")`) is reported at the
   * call, where the arguments that make it are written, naming the helper.
   */
  private atCall(def: FunctionDef, v: PValue, callLoc: SourceLocation): PValue {
    if (def.name === undefined || def.name === "lambda" || callLoc.file !== this.mod.file) return v;
    const at = locOf(v);
    const defLoc = this.loc(def.span);
    const inside =
      at.file === defLoc.file &&
      (at.line > defLoc.line || (at.line === defLoc.line && at.column >= defLoc.column)) &&
      (at.line < defLoc.endLine || (at.line === defLoc.endLine && at.column <= defLoc.endColumn));
    if (!inside || (v.t !== "str" && v.t !== "arr" && v.t !== "obj")) return v;
    return relocateValue(v, callLoc, `\`${def.name}(…)\` (${this.mod.file}:${defLoc.line})`);
  }

  private bindParams(def: FunctionDef, args: CallArgs, frame: Frame): void {
    let i = 0;
    const used = new Set<string>();
    for (const p of def.params) {
      const name = p.target.k === "name" ? p.target.name : undefined;
      if (p.rest) {
        const items = args.positional.slice(i);
        const v: PValue = args.uncertain
          ? unk(name ?? "args", this.loc(p.target.span))
          : arr(items, this.loc(p.target.span));
        this.bind(p.target, v, frame, false);
        i = args.positional.length;
        continue;
      }
      if (p.kwRest) {
        const entries = [...args.keywords].filter(([k]) => !used.has(k));
        const v: PValue = args.uncertain
          ? unk(name ?? "kwargs", this.loc(p.target.span))
          : {
              t: "obj",
              entries: entries.map(([key, value]) => ({ key, keyLoc: locOf(value), value })),
              loc: this.loc(p.target.span),
            };
        this.bind(p.target, v, frame, false);
        continue;
      }
      let v: PValue | undefined;
      if (name !== undefined && args.keywords.has(name)) {
        v = args.keywords.get(name);
        used.add(name);
      } else if (i < args.positional.length) v = args.positional[i++];
      else if (args.uncertain) v = unk(name ?? "argument", this.loc(p.target.span));
      else if (p.init) v = this.eval(p.init, frame);
      // Left out of the call: `undefined` in TypeScript and JavaScript (`scope ?? "*"`); Python refuses such a call.
      else if (args.whole === true && this.mod.language !== "python") v = { t: "null", loc: this.loc(p.target.span) };
      this.bind(p.target, v ?? unk(name ?? "argument", this.loc(p.target.span)), frame, false);
    }
  }

  /** Runs a function nobody called, every parameter unknown. */
  private callUnknown(def: FunctionDef, fn: PValue): void {
    if (this.calledDefs.has(def) || fn.t !== "fn") return;
    fn.call({ positional: [], keywords: new Map(), uncertain: true }, this.loc(def.span));
  }

  private classValue(cls: ClassValue): PValue {
    const loc = this.loc(cls.def.span);
    return {
      t: "fn",
      name: cls.def.name,
      loc,
      call: (args, callLoc) => this.instantiate(cls, args, callLoc),
    };
  }

  private instantiate(cls: ClassValue, args: CallArgs, loc: SourceLocation): PValue {
    this.calledDefs.add(cls.def);
    if (cls.def.superClass && !cls.superClass) cls.superClass = this.eval(cls.def.superClass, cls.frame);
    const given = args.self;
    const self: PValue = given ?? { t: "inst", fields: new Map(), cls: cls.def.name, loc };
    const depth = (args.depth ?? 0) + 1;
    if (depth > MAX_CALL_DEPTH) return self;
    const frame: Frame = { scope: new Scope(cls.frame.scope), self, cls, uncertain: 0, depth };
    if (self.t === "inst") {
      for (const m of cls.def.methods) {
        if (m.name && !self.fields.has(m.name)) self.fields.set(m.name, this.makeFunction(m, frame));
      }
      for (const f of cls.def.fields) self.fields.set(f.name, this.eval(f.value, frame));
    }
    if (cls.def.ctor) {
      const ctor = this.makeFunction(cls.def.ctor, frame);
      if (ctor.t === "fn") ctor.call({ ...args, self, depth }, loc);
    } else if (cls.superClass?.t === "fn") {
      cls.superClass.call({ ...args, self, depth }, loc);
    } else if (cls.superClass?.t === "ext") {
      madeBy(self, callExternal(cls.superClass.path, args, true, loc, cls.def.name, this.libHost(frame)));
    }
    // Methods that the constructor did not call run once with unknown arguments.
    if (self.t === "inst") {
      for (const m of cls.def.methods) {
        if (this.calledDefs.has(m)) continue;
        const fn = self.fields.get(m.name ?? "");
        if (fn?.t === "fn") {
          this.calledDefs.add(m);
          fn.call({ positional: [], keywords: new Map(), uncertain: true, self, depth }, loc);
        }
      }
    }
    return self.t === "inst" && self.made ? self.made : self;
  }

  private instantiateUnknown(cls: ClassValue): void {
    if (this.calledDefs.has(cls.def)) return;
    this.instantiate(cls, { positional: [], keywords: new Map(), uncertain: true }, this.loc(cls.def.span));
  }
}

/**
 * A class extending a principal or OIDC provider class of the library (`class RepoPrincipal extends
 * iam.OpenIdConnectPrincipal`, `class GitHubProvider extends iam.OpenIdConnectProvider`) is that principal or
 * provider: what its `super(…)` made is what `new` of the class gives (its ARN and issuer are then known). Other
 * library classes (stacks, constructs, roles) make nothing the instance stands for: their effects (a role recorded)
 * are all there is, and the instance keeps its own fields and methods.
 */
function madeBy(self: PValue | undefined, made: PValue | undefined): void {
  if (self?.t === "inst" && made?.t === "lib" && (made.obj.kind === "principal" || made.obj.kind === "provider"))
    self.made = made;
}

/** Globals that name library-like objects (`JSON.stringify`). Others (`process`, `os`) are unknown. */
const GLOBALS = new Set(["JSON"]);

/**
 * SST (v3, built on Pulumi) runs `sst.config.ts` and the modules it imports with the Pulumi providers and
 * helpers as globals: `aws.iam.Role` there is `@pulumi/aws`'s, `$interpolate` is `pulumi.interpolate`.
 */
const SST_GLOBALS: Record<string, string> = {
  aws: "@pulumi/aws",
  $interpolate: "@pulumi/pulumi.interpolate",
  $jsonStringify: "@pulumi/pulumi.jsonStringify",
};
/** SST's own names, or the reference to its platform types every SST module starts with (`infra/*.ts`). */
const SST_MODULE =
  /\$config\s*\(|\$app\b|\bsst\.aws\.|\$jsonStringify\s*\(|\$interpolate\s*`|<reference\s+path=["'][^"']*\.sst\/platform\/config\.d\.ts["']/;

/** Data that is the same wherever it is read (not functions, classes, library objects or imports). */
/** An expression whose evaluation calls nothing (so evaluating both branches of a `cond` defines nothing). */
function plainExpr(e: Expr, depth = 0): boolean {
  if (depth > 20) return false;
  switch (e.k) {
    case "str":
    case "num":
    case "bool":
    case "null":
    case "name":
    case "this":
      return true;
    case "tpl":
      return e.parts.every((p) => plainExpr(p, depth + 1));
    case "member":
      return plainExpr(e.object, depth + 1);
    case "array":
      return e.items.every((i) => "value" in i && plainExpr(i.value, depth + 1));
    case "binary":
      return plainExpr(e.left, depth + 1) && plainExpr(e.right, depth + 1);
    case "cond":
      return plainExpr(e.test, depth + 1) && plainExpr(e.then, depth + 1) && plainExpr(e.else, depth + 1);
    default:
      return false;
  }
}

function isPlainData(v: PValue): boolean {
  return v.t === "str" || v.t === "num" || v.t === "bool" || v.t === "arr" || v.t === "obj";
}

function isStringy(v: PValue): boolean {
  return v.t === "str" || v.t === "unk";
}

function displayLength(v: Extract<PValue, { t: "str" }>): number {
  return v.v.parts.reduce((n, p) => n + (typeof p === "string" ? p.length : 8), 0);
}

function scalarText(v: PValue): string | undefined {
  if (v.t === "str") return knownText(v.v);
  if (v.t === "num" || v.t === "bool") return `${typeof v.v}:${String(v.v)}`;
  if (v.t === "null") return "null";
  return undefined;
}

function joinValues(items: PValue[], sep: PValue, loc: SourceLocation): PValue {
  const pieces: PValue[] = [];
  items.forEach((item, i) => {
    if (i > 0) pieces.push(sep);
    pieces.push(item);
  });
  return concat(pieces, loc, (v) => describeValue(v));
}

/** A later key replaces an earlier one (spreads then overrides), keeping the later position. */
function dedupeKeys(entries: PEntry[]): PEntry[] {
  const last = new Map<string, number>();
  entries.forEach((e, i) => last.set(e.key, i));
  return entries.filter((e, i) => last.get(e.key) === i);
}

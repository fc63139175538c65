/** A span in a source file. Lines and columns are 1-based; the end is exclusive of the last column + 1 (ESLint style). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
  /**
   * For a place in a file that is no input by itself (a Terraform template file): the place in an input
   * that reads it (the `templatefile()` call), which a finding here names as a related location, and
   * through which it is reported.
   */
  via?: { message: string; loc: SourceLocation };
}

/** Any value of the model together with where it was written. */
export interface Located<T> {
  value: T;
  loc: SourceLocation;
}

/**
 * Converts offsets of one text into 1-based line/column pairs. Its line starts are found as far as the
 * offsets asked reach (a parser that reads a few blocks of a long file does not index the rest).
 */
export class LineIndex {
  /** The offsets where lines start, in order: every one up to `known`. */
  private readonly starts: number[] = [0];
  /** Every line break before this offset is in `starts` (Infinity once the whole text is). */
  private known = 0;

  constructor(
    readonly file: string,
    readonly text: string,
  ) {}

  /** Finds the line breaks before `offset` not found yet. */
  private reach(offset: number): void {
    const text = this.text;
    while (this.known < offset) {
      const nl = text.indexOf("\n", this.known);
      if (nl < 0) {
        this.known = Infinity;
        return;
      }
      this.starts.push(nl + 1);
      this.known = nl + 1;
    }
  }

  /** Finds line starts until the `count`-th one is known, or the text ends. */
  private reachLine(count: number): void {
    while (this.starts.length < count && this.known !== Infinity) this.reach(this.known + 1);
  }

  position(offset: number): { line: number; column: number } {
    const lo = this.lineAt(offset);
    return { line: lo + 1, column: offset - (this.starts[lo] ?? 0) + 1 };
  }

  /** The 0-based line holding an offset. */
  private lineAt(offset: number): number {
    this.reach(offset);
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.starts[mid] ?? 0) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Offset of a 1-based line/column. */
  offset(line: number, column: number): number {
    this.reachLine(line);
    return (this.starts[line - 1] ?? this.text.length) + column - 1;
  }

  span(start: number, end: number): SourceLocation {
    const stop = Math.max(start, end);
    // (Without the two position objects: parsers ask this of every node.)
    const a = this.lineAt(start);
    const b = stop === start ? a : this.lineAt(stop);
    return {
      file: this.file,
      line: a + 1,
      column: start - (this.starts[a] ?? 0) + 1,
      endLine: b + 1,
      endColumn: stop - (this.starts[b] ?? 0) + 1,
    };
  }

  /**
   * The text of one 1-based line without its line break (`\n` or `\r\n`), as `text.split(/\r?\n/)` gives it: a
   * `\r` ends a line only before a `\n` (the last line keeps a final lone `\r`); "" past the end.
   */
  lineText(line: number): string {
    this.reachLine(line + 1);
    const start = this.starts[line - 1];
    if (start === undefined) return "";
    const next = this.starts[line];
    if (next === undefined) return this.text.slice(start);
    const end = next > start + 1 && this.text.charCodeAt(next - 2) === 13 ? next - 2 : next - 1;
    return this.text.slice(start, end);
  }

  get lineCount(): number {
    this.reach(Infinity);
    return this.starts.length;
  }
}

/** A location covering the start of a file, for findings about a file as a whole. */
export function fileStart(file: string): SourceLocation {
  return { file, line: 1, column: 1, endLine: 1, endColumn: 1 };
}

export function formatLocation(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

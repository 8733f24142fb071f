// A JSON tree that remembers how each number was written.
//
// Lambda event filtering compares numbers by their text, not their value: "For numbers, Lambda
// also uses string representation. For example, 300, 300.0, and 3.0e2 are not considered equal."
// (https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html, "Filter rule
// syntax"). JSON.parse loses that text, so patterns and record values are parsed here instead.
// The grammar is RFC 8259 (no comments, no trailing commas, no NaN), the whole input must be one
// value, and a repeated object key keeps its last value, as JSON.parse and Jackson do.
import { WorkshopError } from '../../labs/workshop-error.ts';

export type JsonNode =
  | { readonly type: 'null' }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'string'; readonly value: string }
  /** `text` is the number exactly as written; `value` is its IEEE-754 double. */
  | { readonly type: 'number'; readonly text: string; readonly value: number }
  | { readonly type: 'array'; readonly items: readonly JsonNode[] }
  | { readonly type: 'object'; readonly entries: ReadonlyMap<string, JsonNode> };

export class JsonSyntaxError extends WorkshopError {
  constructor(
    readonly reason: string,
    /** Offset, in UTF-16 code units, of the character that broke the grammar. */
    readonly position: number,
  ) {
    super(`${reason} at position ${position}`, { category: 'badInput' });
    this.name = 'JsonSyntaxError';
  }
}

const NUMBER = /-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/y;
const MAX_DEPTH = 512;

/** Parses `text` as exactly one JSON value (whitespace around it allowed). */
export function parseJson(text: string): JsonNode {
  const parser = new Parser(text);
  parser.skipWhitespace();
  const node = parser.value(0);
  parser.skipWhitespace();
  if (parser.pos < text.length) parser.fail('unexpected text after the JSON value');
  return node;
}

/** True when `text` is one well-formed JSON value. */
export function isJson(text: string): boolean {
  try {
    parseJson(text);
    return true;
  } catch (error) {
    if (error instanceof JsonSyntaxError) return false;
    throw error;
  }
}

class Parser {
  pos = 0;
  constructor(private readonly text: string) {}

  fail(reason: string): never {
    throw new JsonSyntaxError(reason, this.pos);
  }

  skipWhitespace(): void {
    const text = this.text;
    while (this.pos < text.length) {
      const c = text.charCodeAt(this.pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) this.pos++;
      else break;
    }
  }

  value(depth: number): JsonNode {
    if (depth > MAX_DEPTH) this.fail(`nesting deeper than ${MAX_DEPTH} levels`);
    const c = this.text[this.pos];
    switch (c) {
      case '{':
        return this.object(depth);
      case '[':
        return this.array(depth);
      case '"':
        return { type: 'string', value: this.string() };
      case 't':
        return this.literal('true', { type: 'boolean', value: true });
      case 'f':
        return this.literal('false', { type: 'boolean', value: false });
      case 'n':
        return this.literal('null', { type: 'null' });
      case undefined:
        return this.fail('unexpected end of input');
      default:
        if (c === '-' || (c >= '0' && c <= '9')) return this.number();
        return this.fail(`unexpected character ${JSON.stringify(c)}`);
    }
  }

  private literal(word: string, node: JsonNode): JsonNode {
    if (!this.text.startsWith(word, this.pos)) this.fail(`expected ${word}`);
    this.pos += word.length;
    return node;
  }

  private number(): JsonNode {
    NUMBER.lastIndex = this.pos;
    const match = NUMBER.exec(this.text);
    if (match === null) this.fail('malformed number');
    const text = match[0];
    this.pos += text.length;
    const next = this.text[this.pos];
    if (next !== undefined && /[0-9.eE+-]/.test(next)) this.fail('malformed number');
    return { type: 'number', text, value: Number(text) };
  }

  private string(): string {
    const text = this.text;
    this.pos++; // opening quote
    let out = '';
    let runStart = this.pos;
    while (true) {
      if (this.pos >= text.length) this.fail('unterminated string');
      const c = text.charCodeAt(this.pos);
      if (c === 0x22) {
        out += text.slice(runStart, this.pos);
        this.pos++;
        return out;
      }
      if (c < 0x20) this.fail('control character in string (escape it)');
      if (c !== 0x5c) {
        this.pos++;
        continue;
      }
      out += text.slice(runStart, this.pos);
      const escape = text[this.pos + 1];
      switch (escape) {
        case '"':
        case '\\':
        case '/':
          out += escape;
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'n':
          out += '\n';
          break;
        case 'r':
          out += '\r';
          break;
        case 't':
          out += '\t';
          break;
        case 'u': {
          const hex = text.slice(this.pos + 2, this.pos + 6);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('malformed \\u escape');
          out += String.fromCharCode(parseInt(hex, 16));
          this.pos += 4;
          break;
        }
        default:
          this.fail('malformed escape');
      }
      this.pos += 2;
      runStart = this.pos;
    }
  }

  private array(depth: number): JsonNode {
    this.pos++; // [
    const items: JsonNode[] = [];
    this.skipWhitespace();
    if (this.text[this.pos] === ']') {
      this.pos++;
      return { type: 'array', items };
    }
    while (true) {
      this.skipWhitespace();
      items.push(this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c === ']') {
        this.pos++;
        return { type: 'array', items };
      } else this.fail("expected ',' or ']'");
    }
  }

  private object(depth: number): JsonNode {
    this.pos++; // {
    const entries = new Map<string, JsonNode>();
    this.skipWhitespace();
    if (this.text[this.pos] === '}') {
      this.pos++;
      return { type: 'object', entries };
    }
    while (true) {
      this.skipWhitespace();
      if (this.text[this.pos] !== '"') this.fail('expected a quoted key');
      const key = this.string();
      this.skipWhitespace();
      if (this.text[this.pos] !== ':') this.fail("expected ':'");
      this.pos++;
      this.skipWhitespace();
      entries.delete(key); // a repeated key keeps its last value (and its last position)
      entries.set(key, this.value(depth + 1));
      this.skipWhitespace();
      const c = this.text[this.pos];
      if (c === ',') this.pos++;
      else if (c === '}') {
        this.pos++;
        return { type: 'object', entries };
      } else this.fail("expected ',' or '}'");
    }
  }
}

/**
 * The JsonNode for a JavaScript value built from JSON types. A number's text is what
 * JSON.stringify writes for it (so 300.0 in source code becomes "300"). Throws a TypeError
 * naming the path of anything JSON cannot hold.
 */
export function fromJs(value: unknown, path = '(root)'): JsonNode {
  if (value === null) return { type: 'null' };
  switch (typeof value) {
    case 'boolean':
      return { type: 'boolean', value };
    case 'string':
      return { type: 'string', value };
    case 'number':
      if (!Number.isFinite(value)) throw new TypeError(`${path}: ${value} is not a JSON number`);
      return { type: 'number', text: JSON.stringify(value), value };
    case 'object':
      if (Array.isArray(value)) return { type: 'array', items: value.map((item, i) => fromJs(item, `${path}[${i}]`)) };
      {
        const proto = Object.getPrototypeOf(value);
        if (proto !== Object.prototype && proto !== null) {
          throw new TypeError(`${path}: a ${proto?.constructor?.name ?? 'non-plain'} object is not JSON`);
        }
        const entries = new Map<string, JsonNode>();
        for (const [key, child] of Object.entries(value)) entries.set(key, fromJs(child, `${path}.${key}`));
        return { type: 'object', entries };
      }
    default:
      throw new TypeError(`${path}: a ${typeof value} is not JSON`);
  }
}

/** Compact JSON text for a node, numbers as written. */
export function stringifyJson(node: JsonNode): string {
  switch (node.type) {
    case 'null':
      return 'null';
    case 'boolean':
      return String(node.value);
    case 'string':
      return JSON.stringify(node.value);
    case 'number':
      return node.text;
    case 'array':
      return `[${node.items.map(stringifyJson).join(',')}]`;
    case 'object':
      return `{${[...node.entries].map(([k, v]) => `${JSON.stringify(k)}:${stringifyJson(v)}`).join(',')}}`;
  }
}

/** How a node reads in an error message: its JSON, shortened. */
export function describeJson(node: JsonNode): string {
  const kind = node.type === 'object' ? 'an object' : node.type === 'array' ? 'an array' : `the ${node.type}`;
  let text = stringifyJson(node);
  if (text.length > 60) text = `${text.slice(0, 57)}...`;
  return `${kind} ${text}`;
}

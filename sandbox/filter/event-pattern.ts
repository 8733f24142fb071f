// EventBridge event patterns: compile (with validation) and match, as Lambda event source mapping
// filtering applies them.
//
// No maintained npm package implements EventBridge pattern matching (the registry list has SDK
// clients, CDK constructs and a Serverless-offline plugin, no standalone matcher), so this is
// written from the documentation. Sources, in order of authority for the sandbox:
//   1. Lambda: https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
//      "Filter rule syntax": Lambda "supports the Amazon EventBridge rules and uses the same syntax",
//      and its table lists the operators available for Lambda event filtering.
//   2. EventBridge: https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
//      and https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
//   3. aws/event-ruler (the open-source matcher behind EventBridge): README and JsonRuleCompiler,
//      for details the guides leave out (numeric limits, $or expansion, wildcard escapes).
//
// Where Lambda and EventBridge differ, Lambda wins:
//   - Operators: the default dialect 'lambda' accepts only the operators in Lambda's table; the
//     EventBridge-only ones (prefix/suffix with equals-ignore-case, anything-but with prefix,
//     suffix, equals-ignore-case or wildcard, wildcard, cidr) are implemented but need
//     { dialect: 'eventbridge' }.
//   - Exact numbers compare by their text ("300, 300.0, and 3.0e2 are not considered equal");
//     the numeric operator compares values.
//
// Semantics (EventBridge "Creating event patterns" and event-ruler README):
//   - A pattern is an object. Every field it names must match (AND); a field's array lists
//     alternatives (OR). Fields the pattern does not name are ignored.
//   - Operators apply to leaf values only (strings, numbers, booleans, null). An object in the
//     event is not a leaf: "exists" does not see it, and nothing else matches it.
//   - Arrays in the event: a leaf array matches if any element matches; arrays of objects are
//     "crushed" so nested fields match inside any element, but all fields of one rule that sit
//     under the same array must come from the same element (event-ruler's array consistency).
//   - "$or": [ {...}, {...}, ... ] (at least 2 objects) ORs whole sub-patterns; like event-ruler,
//     a pattern with $or is expanded into AND-only rules and matches if any rule does.

import { WorkshopError } from '../../labs/workshop-error.ts';
import { describeJson, fromJs, type JsonNode, JsonSyntaxError, parseJson } from './json.ts';

export type PatternDialect = 'lambda' | 'eventbridge';

export interface CompileOptions {
  /** 'lambda' (default) accepts Lambda's documented operators; 'eventbridge' all of EventBridge's. */
  dialect?: PatternDialect;
}

export const DOCS = {
  lambdaSyntax: 'https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax',
  patterns: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html',
  operators: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html',
  arrays: 'https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html',
  ruler: 'https://github.com/aws/event-ruler#readme',
} as const;

/** A malformed pattern: where, what was wrong, and what is allowed there. */
export class EventPatternError extends WorkshopError {
  constructor(
    /** Path of the offending key, e.g. `value.price[0].numeric`; "(pattern)" for the whole. */
    readonly path: string,
    readonly problem: string,
    readonly expected: string,
    readonly doc: string,
  ) {
    super(`Invalid filter pattern at ${path}: ${problem}. Expected ${expected}. See ${doc}`, { category: 'badInput' });
    this.name = 'EventPatternError';
  }
}

/** A value matcher for one element of a leaf array. */
type Matcher =
  | { readonly kind: 'exists'; readonly exists: boolean }
  | { readonly kind: 'value'; readonly op: string; readonly test: (value: JsonNode) => boolean };

interface Leaf {
  readonly matchers: readonly Matcher[];
  /** True when every matcher is { "exists": false }. */
  readonly absenceOnly: boolean;
}

/** One field of an AND-only rule: its own leaf test (if any) and its nested fields. */
interface FieldNode {
  leaf?: Leaf;
  readonly children: Map<string, FieldNode>;
  /** True when every leaf under `children` only tests absence. */
  childrenAbsenceOnly: boolean;
}

export interface CompiledPattern {
  /** The pattern as parsed (numbers keep their text). */
  readonly source: JsonNode;
  readonly dialect: PatternDialect;
  /** The AND-only rules the pattern expands to; it matches if any of them does. */
  readonly rules: readonly FieldNode[];
}

// ---------------------------------------------------------------------------------------------
// Compiling
// ---------------------------------------------------------------------------------------------

/** Field names event-ruler reserves: none may be a field name inside $or (Constants.java). */
const RESERVED_IN_OR = new Set([
  'exactly',
  'equals-ignore-case',
  'prefix',
  'suffix',
  'anything-but',
  'exists',
  'wildcard',
  'numeric',
  'cidr',
  '=',
  '<',
  '<=',
  '>',
  '>=',
  'regex',
  'not-wildcard',
  'not-equals-ignore-case',
  'date-after',
  'date-on-or-after',
  'date-before',
  'date-on-or-before',
  'in-date-range',
  'ip-address-in-range',
  'ip-address-not-in-range',
]);

const LAMBDA_OPERATORS = ['equals-ignore-case', 'anything-but', 'numeric', 'exists', 'prefix', 'suffix'];
const EVENTBRIDGE_OPERATORS = [...LAMBDA_OPERATORS, 'wildcard', 'cidr'];

/** Parses (when given text) and compiles a pattern, or throws EventPatternError. */
export function compileEventPattern(pattern: string | object | JsonNode, options: CompileOptions = {}): CompiledPattern {
  const source = toNode(pattern);
  return compileNode(source, options);
}

/** Compiles an already-parsed pattern node. */
export function compileNode(source: JsonNode, options: CompileOptions = {}): CompiledPattern {
  const ctx: Ctx = { dialect: options.dialect ?? 'lambda' };
  if (source.type !== 'object') {
    throw new EventPatternError(
      '(pattern)',
      `the pattern is ${describeJson(source)}`,
      'a JSON object such as {"value": {"status": ["CONFIRMED"]}}',
      DOCS.patterns,
    );
  }
  const flat: FlatRule[] = [];
  parseObject(flat, [], [], source, false, ctx);
  return { source, dialect: ctx.dialect, rules: flat.map(toTree) };
}

function toNode(pattern: string | object | JsonNode): JsonNode {
  if (typeof pattern === 'string') {
    try {
      return parseJson(pattern);
    } catch (error) {
      if (error instanceof JsonSyntaxError) {
        throw new EventPatternError('(pattern)', `the pattern is not valid JSON (${error.message})`, 'a JSON object', DOCS.patterns);
      }
      throw error;
    }
  }
  if (isJsonNode(pattern)) return pattern;
  try {
    return fromJs(pattern);
  } catch (error) {
    if (error instanceof TypeError) throw new EventPatternError('(pattern)', error.message, 'plain JSON data', DOCS.patterns);
    throw error;
  }
}

function isJsonNode(value: object): value is JsonNode {
  const v = value as { type?: unknown; entries?: unknown; items?: unknown };
  return (v.type === 'object' && v.entries instanceof Map) || (v.type === 'array' && Array.isArray(v.items));
}

interface Ctx {
  dialect: PatternDialect;
}

/** An AND-only rule as event-ruler holds it: leaf path -> leaf, in document order. */
type FlatRule = Map<string, { path: string[]; leaf: Leaf }>;

function showPath(path: readonly string[]): string {
  if (path.length === 0) return '(pattern)';
  return path.map((step, i) => (step.startsWith('[') || i === 0 ? step : `.${step}`)).join('');
}

// Mirrors JsonRuleCompiler.parseObject / parseIntoOrRelationship / writeRules: fields before a
// $or are copied into each of its branches, fields after it are added to every branch, and a
// leaf written twice at the same path keeps the last one. `path` is where fields land in the
// event; `shown` is where they sit in the pattern text (it includes "$or[i]"), for messages.
function parseObject(rules: FlatRule[], path: string[], shown: string[], node: JsonNode & { type: 'object' }, insideOr: boolean, ctx: Ctx): void {
  if (node.entries.size === 0) {
    throw new EventPatternError(showPath(shown), 'the object is empty', 'at least one field, e.g. {"status": ["CONFIRMED"]}', DOCS.patterns);
  }
  for (const [key, child] of node.entries) {
    const childPath = [...path, key];
    const childShown = [...shown, key];
    if (key === '$or') {
      parseOr(rules, path, childShown, child, ctx);
      continue;
    }
    if (insideOr && RESERVED_IN_OR.has(key)) {
      throw new EventPatternError(
        showPath(childShown),
        `"${key}" is an operator name, which cannot be a field name inside $or`,
        'operators inside a field\'s array, e.g. {"$or": [{"a": [{"prefix": "x"}]}, {"b": [1]}]}',
        DOCS.ruler,
      );
    }
    if (child.type === 'object') {
      parseObject(rules, childPath, childShown, child, insideOr, ctx);
    } else if (child.type === 'array') {
      const leaf = compileLeaf(child, childShown, ctx);
      if (rules.length === 0) rules.push(new Map());
      const id = JSON.stringify(childPath);
      for (const rule of rules) {
        rule.delete(id);
        rule.set(id, { path: childPath, leaf });
      }
    } else {
      const hint = isOperatorName(key) ? ` ("${key}" is an operator: operators go inside a field's array, e.g. "field": [{"${key}": ...}])` : '';
      throw new EventPatternError(
        showPath(childShown),
        `the value is ${describeJson(child)}, not an array or object${hint}`,
        'an array of match values such as ["CONFIRMED"], or an object of nested fields',
        DOCS.patterns,
      );
    }
  }
}

// Or (multiple fields): "$or": [ { "Location": [ "New York" ] }, { "Day": [ "Monday" ] } ]
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
// At least 2 objects (event-ruler); the fields of each object sit at the $or's own level.
/**
 * Each "$or" multiplies the combinations a pattern expands to; past this many the pattern is
 * refused (AWS documents no number, but refuses patterns it deems too complex) rather than
 * compiled for seconds or overflowing the stack.
 */
export const MAX_PATTERN_COMBINATIONS = 256;

function parseOr(rules: FlatRule[], path: string[], shown: string[], node: JsonNode, ctx: Ctx): void {
  const expected = 'an array of at least 2 objects, e.g. "$or": [{"a": ["x"]}, {"b": ["y"]}]';
  if (node.type !== 'array') throw new EventPatternError(showPath(shown), `$or is ${describeJson(node)}`, expected, DOCS.lambdaSyntax);
  if (node.items.length < 2) throw new EventPatternError(showPath(shown), `$or has ${node.items.length} object(s)`, expected, DOCS.lambdaSyntax);
  const before = rules.map((rule) => new Map(rule));
  rules.length = 0;
  node.items.forEach((item, i) => {
    const itemShown = [...shown, `[${i}]`];
    if (item.type !== 'object') throw new EventPatternError(showPath(itemShown), `the $or element is ${describeJson(item)}`, expected, DOCS.lambdaSyntax);
    const branch = before.length === 0 ? [new Map() as FlatRule] : before.map((rule) => new Map(rule));
    parseObject(branch, path, itemShown, item, true, ctx);
    for (const rule of branch) rules.push(rule);
    if (rules.length > MAX_PATTERN_COMBINATIONS) {
      throw new EventPatternError(
        showPath(shown),
        `the $or elements expand the pattern to more than ${MAX_PATTERN_COMBINATIONS} combinations`,
        'fewer or smaller $or lists; split the pattern into several filters',
        DOCS.lambdaSyntax,
      );
    }
  });
}

function isOperatorName(key: string): boolean {
  return EVENTBRIDGE_OPERATORS.includes(key);
}

function toTree(rule: FlatRule): FieldNode {
  const root: FieldNode = { children: new Map(), childrenAbsenceOnly: true };
  for (const { path, leaf } of rule.values()) {
    let node = root;
    for (const step of path) {
      let next = node.children.get(step);
      if (next === undefined) {
        next = { children: new Map(), childrenAbsenceOnly: true };
        node.children.set(step, next);
      }
      node = next;
    }
    node.leaf = leaf;
  }
  markAbsence(root);
  return root;
}

function markAbsence(node: FieldNode): boolean {
  let absenceOnly = true;
  for (const child of node.children.values()) {
    if (!markAbsence(child)) absenceOnly = false;
  }
  node.childrenAbsenceOnly = absenceOnly;
  return absenceOnly && (node.leaf === undefined || node.leaf.absenceOnly);
}

// --- leaves -----------------------------------------------------------------------------------

function compileLeaf(node: JsonNode & { type: 'array' }, path: string[], ctx: Ctx): Leaf {
  // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
  // "the value to match is in a JSON array"; an empty array is refused (event-ruler: "Empty arrays are not allowed").
  if (node.items.length === 0) {
    throw new EventPatternError(showPath(path), 'the array is empty', 'at least one match value, e.g. ["CONFIRMED"] or [{"exists": true}]', DOCS.patterns);
  }
  const matchers = node.items.map((item, i) => compileMatchValue(item, [...path, `[${i}]`], ctx));
  return { matchers, absenceOnly: matchers.every((m) => m.kind === 'exists' && !m.exists) };
}

function compileMatchValue(item: JsonNode, path: string[], ctx: Ctx): Matcher {
  switch (item.type) {
    // Equals / Empty: "Name": [ "Alice" ], "LastName": [""]. Strings match character by
    // character, without case folding or normalization.
    // https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
    case 'string': {
      const expected = item.value;
      return { kind: 'value', op: 'equals', test: (v) => v.type === 'string' && v.value === expected };
    }
    // Equals on a number: "For numbers, Lambda also uses string representation. For example,
    // 300, 300.0, and 3.0e2 are not considered equal." (same page, note under the table)
    case 'number': {
      const text = item.text;
      return { kind: 'value', op: 'equals', test: (v) => v.type === 'number' && v.text === text };
    }
    // Equals on true / false; Null: "UserID": [ null ] matches a null value, not a missing field.
    // https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html
    case 'boolean': {
      const expected = item.value;
      return { kind: 'value', op: 'equals', test: (v) => v.type === 'boolean' && v.value === expected };
    }
    case 'null':
      return { kind: 'value', op: 'equals', test: (v) => v.type === 'null' };
    case 'array':
      throw new EventPatternError(
        showPath(path),
        `a match value is ${describeJson(item)}`,
        'a string, number, true, false, null or an operator object such as {"prefix": "AB"}',
        DOCS.patterns,
      );
    case 'object':
      return compileOperator(item, path, ctx);
  }
}

function compileOperator(node: JsonNode & { type: 'object' }, path: string[], ctx: Ctx): Matcher {
  const ops = ctx.dialect === 'lambda' ? LAMBDA_OPERATORS : EVENTBRIDGE_OPERATORS;
  if (node.entries.size !== 1) {
    const problem =
      node.entries.size === 0 ? 'the operator object is empty' : `the operator object has ${node.entries.size} keys (${[...node.entries.keys()].join(', ')})`;
    throw new EventPatternError(
      showPath(path),
      problem,
      `exactly one operator per object, one of ${ops.join(', ')}; list alternatives as separate array elements, e.g. [{"prefix": "a"}, {"suffix": "b"}]`,
      DOCS.operators,
    );
  }
  const [op, arg] = [...node.entries][0];
  const at = [...path, op];
  switch (op) {
    case 'prefix':
    case 'suffix':
      return compilePrefixSuffix(op, arg, at, ctx);
    case 'equals-ignore-case':
      return compileEqualsIgnoreCase(arg, at);
    case 'anything-but':
      return compileAnythingBut(arg, at, ctx);
    case 'numeric':
      return compileNumeric(arg, at);
    case 'exists':
      return compileExists(arg, at);
    case 'wildcard':
      requireEventBridge(ctx, at, 'wildcard', '"wildcard"');
      return compileWildcard(arg, at);
    case 'cidr':
      requireEventBridge(ctx, at, 'cidr', '"cidr" (IP address matching)');
      return compileCidr(arg, at);
    default:
      throw new EventPatternError(
        showPath(at),
        `"${op}" is not a known operator`,
        `one of ${ops.join(', ')}`,
        ctx.dialect === 'lambda' ? DOCS.lambdaSyntax : DOCS.operators,
      );
  }
}

function requireEventBridge(ctx: Ctx, path: string[], op: string, what: string): void {
  if (ctx.dialect === 'eventbridge') return;
  throw new EventPatternError(
    showPath(path),
    `${what} is an EventBridge operator that Lambda's filter rule syntax table does not list`,
    `one of Lambda's operators (${LAMBDA_OPERATORS.join(', ')}), or compile with { dialect: 'eventbridge' } to allow "${op}"`,
    DOCS.lambdaSyntax,
  );
}

// Begins with: "Region": [ {"prefix": "us-" } ]; Ends with: "FileName": [ { "suffix": ".png" } ]
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
// Begins/Ends with (ignore case): {"prefix": {"equals-ignore-case": "eventb"}} (EventBridge only)
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
// String values only: a number, boolean or null never matches.
function compilePrefixSuffix(op: 'prefix' | 'suffix', arg: JsonNode, path: string[], ctx: Ctx): Matcher {
  if (arg.type === 'string') {
    const s = arg.value;
    const test = op === 'prefix' ? (v: JsonNode) => v.type === 'string' && v.value.startsWith(s) : (v: JsonNode) => v.type === 'string' && v.value.endsWith(s);
    return { kind: 'value', op, test };
  }
  if (arg.type === 'object' && arg.entries.size === 1 && arg.entries.has('equals-ignore-case')) {
    requireEventBridge(ctx, [...path, 'equals-ignore-case'], op, `"${op}" with "equals-ignore-case"`);
    const inner = arg.entries.get('equals-ignore-case')!;
    if (inner.type !== 'string') {
      throw new EventPatternError(showPath([...path, 'equals-ignore-case']), `the value is ${describeJson(inner)}`, 'a string', DOCS.operators);
    }
    const folded = foldPattern(inner.value);
    const test =
      op === 'prefix'
        ? (v: JsonNode) => v.type === 'string' && foldedMatchAt(Array.from(v.value), folded, 0)
        : (v: JsonNode) => {
            if (v.type !== 'string') return false;
            const cps = Array.from(v.value);
            return foldedMatchAt(cps, folded, cps.length - folded.length);
          };
    return { kind: 'value', op: `${op}-equals-ignore-case`, test };
  }
  const allowed =
    ctx.dialect === 'eventbridge' ? `a string, e.g. {"${op}": "us-"}, or {"${op}": {"equals-ignore-case": "us-"}}` : `a string, e.g. {"${op}": "us-"}`;
  throw new EventPatternError(showPath(path), `the value is ${describeJson(arg)}`, allowed, ctx.dialect === 'eventbridge' ? DOCS.operators : DOCS.lambdaSyntax);
}

// Equals (ignore case): "Name": [ { "equals-ignore-case": "alice" } ]
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
// Strings only. Case is folded one code point at a time (upper and lower case of each), as
// event-ruler's EqualsIgnoreCaseParser does, so lengths never change ("ß" does not match "SS").
function compileEqualsIgnoreCase(arg: JsonNode, path: string[]): Matcher {
  if (arg.type !== 'string') {
    throw new EventPatternError(showPath(path), `the value is ${describeJson(arg)}`, 'a string, e.g. {"equals-ignore-case": "alice"}', DOCS.lambdaSyntax);
  }
  const folded = foldPattern(arg.value);
  return { kind: 'value', op: 'equals-ignore-case', test: (v) => v.type === 'string' && foldedEquals(v.value, folded) };
}

type Folded = readonly (readonly string[])[];

function foldPattern(s: string): Folded {
  return Array.from(s, (cp) => {
    const variants = new Set([cp]);
    for (const other of [cp.toLowerCase(), cp.toUpperCase()]) {
      if (Array.from(other).length === 1) variants.add(other);
    }
    return [...variants];
  });
}

function foldedMatchAt(cps: readonly string[], folded: Folded, start: number): boolean {
  if (start < 0 || start + folded.length > cps.length) return false;
  for (let i = 0; i < folded.length; i++) {
    if (!folded[i].includes(cps[start + i])) return false;
  }
  return true;
}

function foldedEquals(value: string, folded: Folded): boolean {
  const cps = Array.from(value);
  return cps.length === folded.length && foldedMatchAt(cps, folded, 0);
}

// Not: "Weather": [ { "anything-but": [ "Raining" ] } ]; also a single string or number, and a
// list of numbers (all strings or all numbers, event-ruler refuses mixed lists).
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html#eb-filtering-anything-but
// EventBridge only: {"anything-but": {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": ...}}
// (#eb-filtering-anything-but-prefix, -suffix, -ignore-case, -wildcard), each a string or a list.
// It matches any present leaf value that is not excluded (so a number passes a string list);
// a missing field never matches it. Excluded numbers compare by value, like "numeric".
function compileAnythingBut(arg: JsonNode, path: string[], ctx: Ctx): Matcher {
  const expected =
    ctx.dialect === 'eventbridge'
      ? 'a string, a number, a non-empty list of all strings or all numbers, or an object {"prefix" | "suffix" | "equals-ignore-case" | "wildcard": string or list of strings}'
      : 'a string, a number, or a non-empty list of all strings or all numbers, e.g. {"anything-but": ["Raining"]}';
  const doc = ctx.dialect === 'eventbridge' ? DOCS.operators : DOCS.lambdaSyntax;
  if (arg.type === 'string' || arg.type === 'number') return anythingButValues([arg], path);
  if (arg.type === 'array') {
    if (arg.items.length === 0) throw new EventPatternError(showPath(path), 'the list is empty', expected, doc);
    arg.items.forEach((item, i) => {
      if (item.type !== 'string' && item.type !== 'number') {
        throw new EventPatternError(showPath([...path, `[${i}]`]), `the list holds ${describeJson(item)}`, expected, doc);
      }
    });
    const kinds = new Set(arg.items.map((item) => item.type));
    if (kinds.size > 1) throw new EventPatternError(showPath(path), 'the list mixes strings and numbers', expected, doc);
    return anythingButValues(arg.items, path);
  }
  if (arg.type === 'object' && arg.entries.size === 1) {
    const [sub, value] = [...arg.entries][0];
    const subPath = [...path, sub];
    if (sub === 'prefix' || sub === 'suffix' || sub === 'equals-ignore-case' || sub === 'wildcard') {
      requireEventBridge(ctx, subPath, sub, `"anything-but" with "${sub}"`);
      const strings = stringOrStringList(value, subPath, `a string or a non-empty list of strings, e.g. {"anything-but": {"${sub}": "init"}}`, DOCS.operators);
      if ((sub === 'prefix' || sub === 'suffix') && strings.includes('')) {
        throw new EventPatternError(showPath(subPath), `an empty ${sub}`, `a non-empty string (event-ruler: "Null prefix/suffix not allowed")`, DOCS.ruler);
      }
      let excluded: (s: string) => boolean;
      if (sub === 'prefix') excluded = (s) => strings.some((p) => s.startsWith(p));
      else if (sub === 'suffix') excluded = (s) => strings.some((p) => s.endsWith(p));
      else if (sub === 'equals-ignore-case') {
        const folded = strings.map(foldPattern);
        excluded = (s) => folded.some((f) => foldedEquals(s, f));
      } else {
        const globs = strings.map((s, i) => parseWildcard(s, Array.isArray(value) ? [...subPath, `[${i}]`] : subPath));
        excluded = (s) => globs.some((g) => g(s));
      }
      return { kind: 'value', op: `anything-but-${sub}`, test: (v) => !(v.type === 'string' && excluded(v.value)) };
    }
  }
  throw new EventPatternError(showPath(path), `the value is ${describeJson(arg)}`, expected, doc);
}

function anythingButValues(items: readonly JsonNode[], path: string[]): Matcher {
  const strings = new Set<string>();
  const numbers = new Set<number>();
  items.forEach((item, i) => {
    if (item.type === 'string') strings.add(item.value);
    else if (item.type === 'number') numbers.add(comparableOrThrow(item, items.length > 1 ? [...path, `[${i}]`] : path));
  });
  return {
    kind: 'value',
    op: 'anything-but',
    test: (v) => {
      if (v.type === 'string') return !strings.has(v.value);
      if (v.type === 'number') {
        const c = comparable(v.value);
        return c === undefined || !numbers.has(c);
      }
      return true;
    },
  };
}

function stringOrStringList(value: JsonNode, path: string[], expected: string, doc: string): string[] {
  if (value.type === 'string') return [value.value];
  if (value.type === 'array' && value.items.length > 0) {
    return value.items.map((item, i) => {
      if (item.type !== 'string') throw new EventPatternError(showPath([...path, `[${i}]`]), `the list holds ${describeJson(item)}`, expected, doc);
      return item.value;
    });
  }
  throw new EventPatternError(showPath(path), `the value is ${describeJson(value)}`, expected, doc);
}

// Numeric (equals): "Price": [ { "numeric": [ "=", 100 ] } ]
// Numeric (range): "Price": [ { "numeric": [ ">", 10, "<=", 20 ] } ]
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
// Grammar (event-ruler JsonRuleCompiler): ["=", n] | ["<" | "<=", n] | [">" | ">=", n] |
// [">" | ">=", n, "<" | "<=", m]. Matches JSON numbers only (not numeric strings), by value,
// within -5.0e9..5.0e9 and to six decimal places (event-ruler ComparableNumber; EventBridge
// "Numeric matching"). A number outside that range in the pattern is refused; in the event it
// never matches.
function compileNumeric(arg: JsonNode, path: string[]): Matcher {
  const expected =
    'an array ["=", n], ["<", n], ["<=", n], [">", n], [">=", n] or a range [">" | ">=", n, "<" | "<=", m], e.g. {"numeric": [">", 10, "<=", 20]}';
  const fail = (problem: string, at: string[] = path): never => {
    throw new EventPatternError(showPath(at), problem, expected, DOCS.lambdaSyntax);
  };
  if (arg.type !== 'array') return fail(`the value is ${describeJson(arg)}`);
  const items = arg.items;
  const opAt = (i: number): string => {
    const item = items[i];
    if (item === undefined) return fail(`an operator is missing at position ${i}`);
    if (item.type !== 'string' || !['=', '<', '<=', '>', '>='].includes(item.value)) {
      return fail(`${describeJson(item)} is not a numeric operator`, [...path, `[${i}]`]);
    }
    return item.value;
  };
  const numAt = (i: number, op: string): number => {
    const item = items[i];
    if (item === undefined) return fail(`"${op}" has no number after it`);
    if (item.type !== 'number') return fail(`the value of "${op}" is ${describeJson(item)}, not a number`, [...path, `[${i}]`]);
    return comparableOrThrow(item, [...path, `[${i}]`]);
  };
  const first = opAt(0);
  const a = numAt(1, first);
  let low: { c: number; open: boolean } | undefined;
  let high: { c: number; open: boolean } | undefined;
  if (first === '=') {
    low = { c: a, open: false };
    high = { c: a, open: false };
    if (items.length > 2) fail('"=" takes exactly one number');
  } else if (first === '<' || first === '<=') {
    high = { c: a, open: first === '<' };
    if (items.length > 2) fail(`"${first}" is an upper bound: put the lower bound first, e.g. [">", 0, "${first}", 10]`);
  } else {
    low = { c: a, open: first === '>' };
    if (items.length > 2) {
      const second = opAt(2);
      if (second !== '<' && second !== '<=') fail(`a range's second operator must be "<" or "<=", not "${second}"`, [...path, '[2]']);
      high = { c: numAt(3, second), open: second === '<' };
      if (items.length > 4) fail('too many elements in the numeric expression');
      if (low.c >= high.c) fail('the lower bound is not below the upper bound');
    }
  }
  return {
    kind: 'value',
    op: 'numeric',
    test: (v) => {
      if (v.type !== 'number') return false;
      const c = comparable(v.value);
      if (c === undefined) return false;
      if (low && (low.open ? c <= low.c : c < low.c)) return false;
      if (high && (high.open ? c >= high.c : c > high.c)) return false;
      return true;
    },
  };
}

const FIVE_BILLION = 5e9;

/** event-ruler ComparableNumber: (long) (1e6 * (5e9 + f)), defined for -5e9 <= f <= 5e9. */
function comparable(value: number): number | undefined {
  if (!(value >= -FIVE_BILLION && value <= FIVE_BILLION)) return undefined;
  return Math.trunc(1e6 * (FIVE_BILLION + value));
}

function comparableOrThrow(node: JsonNode & { type: 'number' }, path: string[]): number {
  const c = comparable(node.value);
  if (c === undefined) {
    throw new EventPatternError(
      showPath(path),
      `${node.text} is out of range`,
      'a number between -5.0e9 and 5.0e9 inclusive (event-ruler numeric limit)',
      DOCS.ruler,
    );
  }
  return c;
}

// Exists / Does not exist: "ProductName": [ { "exists": true } ], [ { "exists": false } ]
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html#filtering-syntax
// Leaf nodes only: a field whose value is an object (or an array of objects only) does not
// "exist" for this operator.
function compileExists(arg: JsonNode, path: string[]): Matcher {
  if (arg.type !== 'boolean') {
    throw new EventPatternError(showPath(path), `the value is ${describeJson(arg)}`, 'true or false, e.g. {"exists": true}', DOCS.lambdaSyntax);
  }
  return { kind: 'exists', exists: arg.value };
}

// Wildcard (EventBridge only): "FileName": [ { "wildcard": "dir/*.png" } ]
// https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
// "*" matches any run of characters; "\*" is a literal asterisk and "\\" a literal backslash;
// consecutive "*" and any other escape are refused (event-ruler README, "Wildcard matching").
function compileWildcard(arg: JsonNode, path: string[]): Matcher {
  if (arg.type !== 'string') {
    throw new EventPatternError(showPath(path), `the value is ${describeJson(arg)}`, 'a string such as "dir/*.png"', DOCS.operators);
  }
  const glob = parseWildcard(arg.value, path);
  return { kind: 'value', op: 'wildcard', test: (v) => v.type === 'string' && glob(v.value) };
}

function parseWildcard(pattern: string, path: string[]): (s: string) => boolean {
  const expected = 'a string where "*" stands for any characters, "\\\\*" for a literal "*" and "\\\\\\\\" for a literal "\\\\", with no two "*" in a row';
  const segments: string[] = [];
  let current = '';
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      const next = pattern[i + 1];
      if (next !== '*' && next !== '\\') {
        throw new EventPatternError(showPath(path), `invalid escape at character ${i} of ${JSON.stringify(pattern)}`, expected, DOCS.ruler);
      }
      current += next;
      i++;
    } else if (c === '*') {
      if (pattern[i + 1] === '*') {
        throw new EventPatternError(showPath(path), `consecutive wildcards at character ${i} of ${JSON.stringify(pattern)}`, expected, DOCS.ruler);
      }
      segments.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  segments.push(current);
  if (segments.length === 1) {
    const exact = segments[0];
    return (s) => s === exact;
  }
  const first = segments[0];
  const last = segments[segments.length - 1];
  const middle = segments.slice(1, -1);
  return (s) => {
    if (s.length < first.length + last.length || !s.startsWith(first) || !s.endsWith(last)) return false;
    let pos = first.length;
    const end = s.length - last.length;
    for (const segment of middle) {
      const at = s.indexOf(segment, pos);
      if (at < 0 || at + segment.length > end) return false;
      pos = at + segment.length;
    }
    return true;
  };
}

// IP address matching (EventBridge only): "sourceIPAddress": [ { "cidr": "10.0.0.0/24" } ],
// IPv4 and IPv6. https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
// Matches string values that are IP addresses of the same family inside the block.
function compileCidr(arg: JsonNode, path: string[]): Matcher {
  const expected = 'a CIDR block string such as "10.0.0.0/24" or "2001:db8::/32"';
  if (arg.type !== 'string') throw new EventPatternError(showPath(path), `the value is ${describeJson(arg)}`, expected, DOCS.operators);
  const slash = arg.value.indexOf('/');
  const ip = slash < 0 ? undefined : parseIp(arg.value.slice(0, slash));
  const bitsText = slash < 0 ? '' : arg.value.slice(slash + 1);
  const width = ip?.family === 4 ? 32 : 128;
  const bits = /^[0-9]{1,3}$/.test(bitsText) ? Number(bitsText) : NaN;
  if (ip === undefined || !(bits >= 0 && bits <= width)) {
    throw new EventPatternError(showPath(path), `${JSON.stringify(arg.value)} is not a CIDR block`, expected, DOCS.operators);
  }
  const hostBits = BigInt(width - bits);
  const start = (ip.value >> hostBits) << hostBits;
  const end = start + (1n << hostBits) - 1n;
  const family = ip.family;
  return {
    kind: 'value',
    op: 'cidr',
    test: (v) => {
      if (v.type !== 'string') return false;
      const candidate = parseIp(v.value);
      return candidate !== undefined && candidate.family === family && candidate.value >= start && candidate.value <= end;
    },
  };
}

function parseIp(text: string): { family: 4 | 6; value: bigint } | undefined {
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return { family: 4, value: v4 };
  const v6 = parseIpv6(text);
  return v6 === undefined ? undefined : { family: 6, value: v6 };
}

function parseIpv4(text: string): bigint | undefined {
  const m = /^([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})\.([0-9]{1,3})$/.exec(text);
  if (m === null) return undefined;
  let value = 0n;
  for (const part of m.slice(1)) {
    const n = Number(part);
    if (n > 255) return undefined;
    value = (value << 8n) | BigInt(n);
  }
  return value;
}

function parseIpv6(text: string): bigint | undefined {
  if (!/^[0-9a-fA-F:.]+$/.test(text)) return undefined;
  let head = text;
  let tailV4: bigint | undefined;
  const lastColon = text.lastIndexOf(':');
  if (text.includes('.')) {
    tailV4 = parseIpv4(text.slice(lastColon + 1));
    if (tailV4 === undefined) return undefined;
    head = `${text.slice(0, lastColon + 1)}0:0`; // two groups stand in for the IPv4 tail
  }
  const halves = head.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const groups = s.split(':');
    if (groups.some((g) => !/^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
    return groups.map((g) => parseInt(g, 16));
  };
  const left = parseGroups(halves[0]);
  const right = halves.length === 2 ? parseGroups(halves[1]) : [];
  if (left === undefined || right === undefined) return undefined;
  const missing = 8 - left.length - right.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...left, ...new Array<number>(halves.length === 2 ? missing : 0).fill(0), ...right];
  let value = 0n;
  for (const g of groups) value = (value << 16n) | BigInt(g);
  if (tailV4 !== undefined) value = ((value >> 32n) << 32n) | tailV4;
  return value;
}

// ---------------------------------------------------------------------------------------------
// Matching
// ---------------------------------------------------------------------------------------------

const NO_FIELDS: ReadonlyMap<string, JsonNode> = new Map();

/** True if `event` (an object node) matches the compiled pattern. */
export function matchesPattern(pattern: CompiledPattern, event: JsonNode): boolean {
  return pattern.rules.some((rule) => matchChildren(rule, event));
}

function matchChildren(node: FieldNode, value: JsonNode | undefined): boolean {
  const entries = value?.type === 'object' ? value.entries : NO_FIELDS;
  for (const [key, child] of node.children) {
    if (!matchField(child, entries.get(key))) return false;
  }
  return true;
}

function matchField(node: FieldNode, value: JsonNode | undefined): boolean {
  if (node.leaf !== undefined && !matchLeaf(node.leaf, value)) return false;
  if (node.children.size === 0) return true;
  if (value?.type !== 'array') return matchChildren(node, value);
  // Nested fields under an array: all of them from one element (event-ruler array consistency,
  // https://github.com/aws/event-ruler#json-array-matching). A sub-pattern that only tests
  // absence holds when no element has the field.
  const elements = flatten(value);
  return node.childrenAbsenceOnly ? elements.every((e) => matchChildren(node, e)) : elements.some((e) => matchChildren(node, e));
}

function matchLeaf(leaf: Leaf, value: JsonNode | undefined): boolean {
  const values = leafValues(value);
  return leaf.matchers.some((m) => (m.kind === 'exists' ? m.exists === values.length > 0 : values.some(m.test)));
}

/** The leaf values at a field: a scalar, the scalars of an array, or none (missing or object). */
function leafValues(value: JsonNode | undefined): JsonNode[] {
  if (value === undefined || value.type === 'object') return [];
  if (value.type !== 'array') return [value];
  return flatten(value).filter((e) => e.type !== 'object');
}

function flatten(value: JsonNode & { type: 'array' }): JsonNode[] {
  const out: JsonNode[] = [];
  const walk = (items: readonly JsonNode[]) => {
    for (const item of items) {
      if (item.type === 'array') walk(item.items);
      else out.push(item);
    }
  };
  walk(value.items);
  return out;
}

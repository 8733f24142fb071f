// EventBridge pattern operators as Lambda event filtering applies them. Examples come from
// https://docs.aws.amazon.com/lambda/latest/dg/invocation-eventfiltering.html ("Filter rule
// syntax"), https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html
// and the aws/event-ruler README, where those give one.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { compileEventPattern, EventPatternError, matchesPattern, type PatternDialect } from '../../../sandbox/filter/event-pattern.ts';
import { parseJson } from '../../../sandbox/filter/json.ts';

function matches(pattern: string | object, event: string | object, dialect: PatternDialect = 'lambda'): boolean {
  const compiled = compileEventPattern(pattern, { dialect });
  return matchesPattern(compiled, parseJson(typeof event === 'string' ? event : JSON.stringify(event)));
}

/** The EventPatternError a pattern raises; fails the test when it compiles. */
function rejection(pattern: string | object, dialect: PatternDialect = 'lambda'): EventPatternError {
  try {
    compileEventPattern(pattern, { dialect });
  } catch (error) {
    if (error instanceof EventPatternError) return error;
    throw error;
  }
  assert.unreachable(`pattern compiled: ${typeof pattern === 'string' ? pattern : JSON.stringify(pattern)}`);
  throw new Error('unreachable');
}

test('Equals: "Name": [ "Alice" ] matches the exact string only', () => {
  const p = { Name: ['Alice'] };
  assert.ok(matches(p, { Name: 'Alice' }));
  assert.not.ok(matches(p, { Name: 'alice' }), 'no case folding');
  assert.not.ok(matches(p, { Name: 'Alice ' }), 'no normalization');
  assert.not.ok(matches(p, { name: 'Alice' }), 'field names are case-sensitive');
  assert.not.ok(matches(p, {}), 'a missing field never equals');
  assert.ok(matches({ flag: [true] }, { flag: true }));
  assert.not.ok(matches({ flag: [true] }, { flag: 'true' }), 'true is not the string "true"');
  assert.not.ok(matches({ n: ['1'] }, { n: 1 }), 'a string pattern does not match a number');
});

test('Null: "UserID": [ null ] matches a null value, not a missing field', () => {
  const p = { UserID: [null] };
  assert.ok(matches(p, { UserID: null }));
  assert.not.ok(matches(p, {}));
  assert.not.ok(matches(p, { UserID: '' }));
  assert.not.ok(matches(p, { UserID: 'null' }));
});

test('Empty: "LastName": [""] matches the empty string only', () => {
  const p = { LastName: [''] };
  assert.ok(matches(p, { LastName: '' }));
  assert.not.ok(matches(p, { LastName: 'Doe' }));
  assert.not.ok(matches(p, { LastName: null }));
  assert.not.ok(matches(p, {}));
});

test('And: every field of the pattern must match; other event fields are ignored', () => {
  const p = { Location: ['New York'], Day: ['Monday'] };
  assert.ok(matches(p, { Location: 'New York', Day: 'Monday', Weather: 'Sunny' }));
  assert.not.ok(matches(p, { Location: 'New York', Day: 'Tuesday' }));
  assert.not.ok(matches(p, { Location: 'New York' }));
});

test('Or: "PaymentType": [ "Credit", "Debit" ] matches any listed value', () => {
  const p = { PaymentType: ['Credit', 'Debit'] };
  assert.ok(matches(p, { PaymentType: 'Credit' }));
  assert.ok(matches(p, { PaymentType: 'Debit' }));
  assert.not.ok(matches(p, { PaymentType: 'Cash' }));
  // The console example: { "a" : [ 1, 2 ] } processes records where a is 1 or 2.
  assert.ok(matches('{ "a" : [ 1, 2 ] }', '{"a": 2}'));
  assert.not.ok(matches('{ "a" : [ 1, 2 ] }', '{"a": 3}'));
});

test('Or (multiple fields): "$or" matches if any of its objects matches', () => {
  const p = { $or: [{ Location: ['New York'] }, { Day: ['Monday'] }] };
  assert.ok(matches(p, { Location: 'New York', Day: 'Tuesday' }));
  assert.ok(matches(p, { Location: 'Los Angeles', Day: 'Monday' }));
  assert.not.ok(matches(p, { Location: 'Los Angeles', Day: 'Tuesday' }));

  // event-ruler README, "Or has an And inside": source && (metricName || (metricType && namespace) || scope)
  const nested = {
    source: ['aws.cloudwatch'],
    $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2', 'AWS/ES'] }, { scope: ['Service'] }],
  };
  assert.ok(matches(nested, { source: 'aws.cloudwatch', metricName: 'ReadLatency' }));
  assert.ok(matches(nested, { source: 'aws.cloudwatch', metricType: 'MetricType', namespace: 'AWS/ES' }));
  assert.not.ok(matches(nested, { source: 'aws.cloudwatch', metricType: 'MetricType' }), 'the inner And needs both fields');
  assert.not.ok(matches(nested, { source: 'aws.ec2', scope: 'Service' }), 'the outer And still applies');

  // $or inside a nested object: its fields sit at that level.
  const inDetail = { detail: { $or: [{ state: ['running'] }, { count: [{ numeric: ['>', 5] }] }] } };
  assert.ok(matches(inDetail, { detail: { count: 6 } }));
  assert.not.ok(matches(inDetail, { detail: { state: 'stopped', count: 5 } }));
});

test('Not: "Weather": [ { "anything-but": [ "Raining" ] } ] and its single-value and numeric forms', () => {
  const p = { Weather: [{ 'anything-but': ['Raining'] }] };
  assert.ok(matches(p, { Weather: 'Sunny' }));
  assert.not.ok(matches(p, { Weather: 'Raining' }));
  assert.not.ok(matches(p, {}), 'anything-but needs the field to be present');
  assert.ok(matches(p, { Weather: 7 }), 'a number is not one of the excluded strings');

  // EventBridge "Anything-but matching": a single string, a list of strings, numbers.
  assert.not.ok(matches({ state: [{ 'anything-but': 'initializing' }] }, { state: 'initializing' }));
  assert.ok(matches({ state: [{ 'anything-but': 'initializing' }] }, { state: 'running' }));
  assert.not.ok(matches({ state: [{ 'anything-but': ['stopped', 'overloaded'] }] }, { state: 'overloaded' }));
  const numbers = { 'x-limit': [{ 'anything-but': [100, 200, 300] }] };
  assert.ok(matches(numbers, '{"x-limit": 150}'));
  assert.not.ok(matches(numbers, '{"x-limit": 200}'));
  assert.not.ok(matches(numbers, '{"x-limit": 200.0}'), 'excluded numbers compare by value');
  assert.ok(matches(numbers, '{"x-limit": "200"}'), 'the string "200" is not the number 200');
  assert.not.ok(matches({ 'x-limit': [{ 'anything-but': 123 }] }, '{"x-limit": 123}'));
});

test('Numeric (equals): "Price": [ { "numeric": [ "=", 100 ] } ] compares values', () => {
  const p = { Price: [{ numeric: ['=', 100] }] };
  assert.ok(matches(p, '{"Price": 100}'));
  assert.ok(matches(p, '{"Price": 100.0}'));
  assert.ok(matches(p, '{"Price": 1e2}'));
  assert.not.ok(matches(p, '{"Price": 101}'));
  assert.not.ok(matches(p, '{"Price": "100"}'), 'numeric matches JSON numbers only');
  // EventBridge example: "x-limit": [ { "numeric": [ "=", 3.018e2 ] } ] matches 301.8.
  assert.ok(matches('{"x-limit": [{"numeric": ["=", 3.018e2]}]}', '{"x-limit": 301.8}'));
});

test('Numeric (range): "Price": [ { "numeric": [ ">", 10, "<=", 20 ] } ] and one-sided bounds', () => {
  const p = { Price: [{ numeric: ['>', 10, '<=', 20] }] };
  assert.not.ok(matches(p, { Price: 10 }));
  assert.ok(matches(p, { Price: 10.5 }));
  assert.ok(matches(p, { Price: 20 }));
  assert.not.ok(matches(p, { Price: 20.5 }));
  assert.not.ok(matches(p, { Price: null }));
  // Lambda's Kinesis example: Temperature > 50 and <= 60.
  const t = { Temperature: [{ numeric: ['>', 50, '<=', 60] }] };
  assert.ok(matches(t, { Temperature: 55 }));
  assert.not.ok(matches(t, { Temperature: 50 }));
  // EventBridge example with >, <=, < together.
  const detail = { detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }] } };
  assert.ok(matches(detail, { detail: { 'c-count': 5, 'd-count': 3 } }));
  assert.not.ok(matches(detail, { detail: { 'c-count': 5, 'd-count': 10 } }));
  assert.ok(matches({ n: [{ numeric: ['>=', -3] }] }, { n: -3 }));
  assert.ok(matches({ n: [{ numeric: ['<', 0] }] }, { n: -0.5 }));
  // Six digits after the decimal point: 0.0000001 is not above 0 (event-ruler ComparableNumber).
  assert.not.ok(matches({ n: [{ numeric: ['>', 0] }] }, { n: 0.0000001 }));
  assert.ok(matches({ n: [{ numeric: ['>', 0] }] }, { n: 0.000001 }));
  // Beyond +-5e9 an event number never matches.
  assert.not.ok(matches({ n: [{ numeric: ['>', 0] }] }, { n: 6e9 }));
});

test('Exists: "ProductName": [ { "exists": true } ] needs a leaf value', () => {
  const p = { ProductName: [{ exists: true }] };
  assert.ok(matches(p, { ProductName: 'Widget' }));
  assert.ok(matches(p, { ProductName: null }), 'null is a value');
  assert.ok(matches(p, { ProductName: '' }));
  assert.not.ok(matches(p, {}));
  // Lambda's example: address is an intermediate node, so exists finds no match.
  const person = { person: { name: 'John Doe', age: 30, address: { street: '123 Main St', city: 'Anytown', country: 'USA' } } };
  assert.not.ok(matches({ person: { address: [{ exists: true }] } }, person));
  assert.ok(matches({ person: { name: [{ exists: true }] } }, person));
  assert.not.ok(matches(p, { ProductName: [] }), 'an empty array holds no value');
});

test('Does not exist: "ProductName": [ { "exists": false } ] holds when there is no leaf', () => {
  const p = { ProductName: [{ exists: false }] };
  assert.ok(matches(p, {}));
  assert.not.ok(matches(p, { ProductName: 'Widget' }));
  assert.not.ok(matches(p, { ProductName: null }));
  // EventBridge "Exists matching": c-count is not a leaf here, so it "does not exist".
  const cCount = { detail: { 'c-count': [{ exists: false }] } };
  assert.ok(matches(cCount, { detail: { state: 'running' } }));
  assert.ok(matches(cCount, { detail: { state: 'running', 'c-count': { c1: 100 } } }));
  assert.not.ok(matches(cCount, { detail: { 'c-count': 5 } }));
  assert.ok(matches(cCount, {}), 'a missing parent means a missing leaf');
});

test('Begins with: "Region": [ {"prefix": "us-" } ] matches string values only', () => {
  const p = { Region: [{ prefix: 'us-' }] };
  assert.ok(matches(p, { Region: 'us-east-1' }));
  assert.not.ok(matches(p, { Region: 'eu-west-1' }));
  assert.not.ok(matches(p, { Region: 'US-EAST-1' }), 'case-sensitive');
  assert.not.ok(matches({ code: [{ prefix: '12' }] }, { code: 123 }), 'numbers are not strings');
  // EventBridge example: "time" starting with "2017-10-02".
  assert.ok(matches({ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' }));
});

test('Ends with: "FileName": [ { "suffix": ".png" } ]', () => {
  const p = { FileName: [{ suffix: '.png' }] };
  assert.ok(matches(p, { FileName: 'image.png' }));
  assert.not.ok(matches(p, { FileName: 'image.png.jpg' }));
  assert.not.ok(matches(p, { FileName: 'image.PNG' }));
  assert.ok(matches({ source: [{ suffix: 'ec2' }] }, { source: 'aws.ec2' }));
});

test('Equals (ignore case): "Name": [ { "equals-ignore-case": "alice" } ]', () => {
  const p = { Name: [{ 'equals-ignore-case': 'alice' }] };
  assert.ok(matches(p, { Name: 'Alice' }));
  assert.ok(matches(p, { Name: 'ALICE' }));
  assert.not.ok(matches(p, { Name: 'Alicia' }));
  assert.not.ok(matches(p, { Name: 'alice ' }));
  assert.ok(matches({ s: [{ 'equals-ignore-case': 'ÉCOLE' }] }, { s: 'école' }), 'non-ASCII letters fold too');
  assert.not.ok(matches({ s: [{ 'equals-ignore-case': 'straße' }] }, { s: 'STRASSE' }), 'folding is per character');
});

test('Numbers in Equals compare by their text: 300, 300.0 and 3.0e2 are not equal', () => {
  const p = '{"Price": [300]}';
  assert.ok(matches(p, '{"Price": 300}'));
  assert.not.ok(matches(p, '{"Price": 300.0}'));
  assert.not.ok(matches(p, '{"Price": 3.0e2}'));
  assert.ok(matches('{"Price": [3.0e2]}', '{"Price": 3.0e2}'));
  assert.not.ok(matches(p, '{"Price": "300"}'));
});

test('Nested objects: multi-level patterns follow the event structure', () => {
  // Lambda's DynamoDB example.
  const p = { dynamodb: { Keys: { Number: { N: ['4567'] } } } };
  assert.ok(matches(p, { dynamodb: { Keys: { ID: { S: 'ABCD' }, Number: { N: '4567' } } } }));
  assert.not.ok(matches(p, { dynamodb: { Keys: { Number: { N: '1234' } } } }));
  assert.not.ok(matches(p, { dynamodb: { Keys: { Number: '4567' } } }), 'a leaf where the pattern expects an object');
  assert.not.ok(matches({ a: ['x'] }, { a: { b: 'x' } }), 'an object where the pattern expects a leaf');
});

test('Arrays in the event: a field matches if any element matches, per element for objects', () => {
  // event-ruler README: "resources" intersects with the event array.
  assert.ok(matches({ resources: ['arn:2'] }, { resources: ['arn:1', 'arn:2'] }));
  assert.not.ok(matches({ resources: ['arn:3'] }, { resources: ['arn:1', 'arn:2'] }));
  assert.ok(matches({ state: [{ prefix: 'run' }] }, { state: ['initializing', 'running'] }));
  assert.ok(matches({ tag: [{ 'anything-but': 'a' }] }, { tag: ['a', 'b'] }), 'one element that is not excluded suffices');
  assert.not.ok(matches({ tag: [{ 'anything-but': 'a' }] }, { tag: ['a'] }));

  // event-ruler README, "JSON Array Matching".
  const employees = {
    employees: [
      { firstName: 'John', lastName: 'Doe' },
      { firstName: 'Anna', lastName: 'Smith' },
      { firstName: 'Peter', lastName: 'Jones' },
    ],
  };
  assert.ok(matches({ employees: { firstName: ['Anna'] } }, employees));
  assert.ok(matches({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees));
  assert.not.ok(matches({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees), 'fields from different elements do not combine');
  // Multi-level arrays are crushed too.
  const nested = { employees: [[{ firstName: 'John' }, { firstName: 'Anna' }], [{ firstName: 'Peter' }]] };
  assert.ok(matches({ employees: { firstName: ['Peter'] } }, nested));
  // Absence under an array: no element may have the field.
  assert.ok(matches({ items: { discount: [{ exists: false }] } }, { items: [{ sku: 'a' }, { sku: 'b' }] }));
  assert.not.ok(matches({ items: { discount: [{ exists: false }] } }, { items: [{ sku: 'a' }, { sku: 'b', discount: 5 }] }));
  assert.ok(
    matches({ items: { sku: ['b'], discount: [{ exists: false }] } }, { items: [{ sku: 'a', discount: 5 }, { sku: 'b' }] }),
    'absence checked in the element that matched',
  );
});

test('EventBridge-only operators work with dialect "eventbridge" and are refused for Lambda', () => {
  const cases: Array<{ pattern: object; yes: object; no: object }> = [
    // Begins with / Ends with (ignore case), eb-create-pattern-operators.html
    { pattern: { service: [{ prefix: { 'equals-ignore-case': 'eventb' } }] }, yes: { service: 'EventBridge' }, no: { service: 'Events' } },
    { pattern: { service: [{ suffix: { 'equals-ignore-case': 'tbridge' } }] }, yes: { service: 'EVENTBRIDGE' }, no: { service: 'bridges' } },
    // Anything-but (begins with / ends with / ignore case / wildcard)
    { pattern: { Region: [{ 'anything-but': { prefix: 'us-' } }] }, yes: { Region: 'eu-west-1' }, no: { Region: 'us-east-1' } },
    { pattern: { FileName: [{ 'anything-but': { suffix: '.png' } }] }, yes: { FileName: 'a.jpg' }, no: { FileName: 'a.png' } },
    { pattern: { state: [{ 'anything-but': { 'equals-ignore-case': 'initializing' } }] }, yes: { state: 'running' }, no: { state: 'INITIALIZING' } },
    { pattern: { FilePath: [{ 'anything-but': { wildcard: '*/lib/*' } }] }, yes: { FilePath: '/usr/bin/tool' }, no: { FilePath: '/usr/lib/tool' } },
    { pattern: { FilePath: [{ 'anything-but': { wildcard: ['*/lib/*', '*/bin/*'] } }] }, yes: { FilePath: '/etc/tool' }, no: { FilePath: '/usr/bin/tool' } },
    { pattern: { state: [{ 'anything-but': { prefix: ['init', 'stop'] } }] }, yes: { state: 'running' }, no: { state: 'stopped' } },
    // Wildcard
    { pattern: { FileName: [{ wildcard: 'dir/*.png' }] }, yes: { FileName: 'dir/image.png' }, no: { FileName: 'dir/image.jpg' } },
    { pattern: { source: [{ wildcard: 'Simple*Service' }] }, yes: { source: 'SimpleQueueService' }, no: { source: 'SimpleQueue' } },
    { pattern: { s: [{ wildcard: 'a\\*b' }] }, yes: { s: 'a*b' }, no: { s: 'axb' } },
    { pattern: { s: [{ wildcard: '*a*a*' }] }, yes: { s: 'banana' }, no: { s: 'bnn' } },
    // IP address matching
    { pattern: { 'source-ip': [{ cidr: '10.0.0.0/24' }] }, yes: { 'source-ip': '10.0.0.33' }, no: { 'source-ip': '10.0.1.33' } },
    { pattern: { ip: [{ cidr: '2001:db8::/32' }] }, yes: { ip: '2001:db8:0:0:1::ff' }, no: { ip: '2001:db9::1' } },
  ];
  for (const { pattern, yes, no } of cases) {
    const label = JSON.stringify(pattern);
    assert.ok(matches(pattern, yes, 'eventbridge'), `${label} should match ${JSON.stringify(yes)}`);
    assert.not.ok(matches(pattern, no, 'eventbridge'), `${label} should not match ${JSON.stringify(no)}`);
    const error = rejection(pattern, 'lambda');
    assert.match(error.problem, /EventBridge operator that Lambda's filter rule syntax table does not list/, label);
    assert.match(error.expected, /dialect: 'eventbridge'/);
  }
  assert.not.ok(matches({ ip: [{ cidr: '10.0.0.0/8' }] }, { ip: 167772161 }, 'eventbridge'), 'cidr needs a string');
  assert.ok(matches({ ip: [{ cidr: '10.0.0.5/24' }] }, { ip: '10.0.0.200' }, 'eventbridge'), 'host bits are masked');
});

test('validation: each malformed pattern names the key, the problem and the allowed form', () => {
  const cases: Array<[pattern: string | object, path: string, problem: RegExp, dialect?: PatternDialect]> = [
    ['{"status": "CONFIRMED"}', 'status', /the string "CONFIRMED", not an array or object/],
    ['{"status": 5}', 'status', /not an array or object/],
    ['{"status": {"prefix": "C"}}', 'status.prefix', /"prefix" is an operator: operators go inside a field's array/],
    ['{"status": []}', 'status', /the array is empty/],
    ['{"status": {}}', 'status', /the object is empty/],
    ['{}', '(pattern)', /the object is empty/],
    ['["a"]', '(pattern)', /the pattern is an array/],
    ['{"status": ["A",}', '(pattern)', /not valid JSON/],
    ['{"status": [["A"]]}', 'status[0]', /a match value is an array/],
    ['{"status": [{"regex": "A.*"}]}', 'status[0].regex', /"regex" is not a known operator/],
    ['{"status": [{}]}', 'status[0]', /the operator object is empty/],
    ['{"status": [{"prefix": "A", "suffix": "B"}]}', 'status[0]', /has 2 keys \(prefix, suffix\)/],
    ['{"status": [{"prefix": 5}]}', 'status[0].prefix', /the value is the number 5/],
    ['{"status": [{"equals-ignore-case": ["a"]}]}', 'status[0].equals-ignore-case', /an array/],
    ['{"status": [{"exists": "yes"}]}', 'status[0].exists', /the string "yes"/],
    ['{"status": [{"anything-but": []}]}', 'status[0].anything-but', /the list is empty/],
    ['{"status": [{"anything-but": ["a", 1]}]}', 'status[0].anything-but', /mixes strings and numbers/],
    ['{"status": [{"anything-but": [null]}]}', 'status[0].anything-but[0]', /the list holds the null/],
    ['{"status": [{"anything-but": true}]}', 'status[0].anything-but', /the boolean true/],
    ['{"p": [{"numeric": [">", "10"]}]}', 'p[0].numeric[1]', /not a number/],
    ['{"p": [{"numeric": ["!=", 10]}]}', 'p[0].numeric[0]', /not a numeric operator/],
    ['{"p": [{"numeric": [">", 10, ">", 20]}]}', 'p[0].numeric[2]', /second operator must be "<" or "<="/],
    ['{"p": [{"numeric": ["<", 10, ">", 0]}]}', 'p[0].numeric', /upper bound: put the lower bound first/],
    ['{"p": [{"numeric": [">", 20, "<", 10]}]}', 'p[0].numeric', /lower bound is not below the upper bound/],
    ['{"p": [{"numeric": ["=", 1, 2]}]}', 'p[0].numeric', /exactly one number/],
    ['{"p": [{"numeric": [">"]}]}', 'p[0].numeric', /no number after it/],
    ['{"p": [{"numeric": [">", 6e9]}]}', 'p[0].numeric[1]', /6e9 is out of range/],
    ['{"p": [{"numeric": 5}]}', 'p[0].numeric', /the value is the number 5/],
    ['{"$or": [{"a": ["x"]}]}', '$or', /\$or has 1 object/],
    ['{"$or": {"a": ["x"]}}', '$or', /\$or is an object/],
    ['{"$or": [{"a": ["x"]}, "b"]}', '$or[1]', /the \$or element is the string/],
    ['{"$or": [{"a": ["x"]}, {"numeric": [1]}]}', '$or[1].numeric', /operator name, which cannot be a field name inside \$or/],
    ['{"$or": [{"a": ["x"]}, {"b": "y"}]}', '$or[1].b', /not an array or object/],
    ['{"f": [{"wildcard": "a**b"}]}', 'f[0].wildcard', /consecutive wildcards/, 'eventbridge'],
    ['{"f": [{"wildcard": "a\\\\b"}]}', 'f[0].wildcard', /invalid escape/, 'eventbridge'],
    ['{"f": [{"cidr": "10.0.0.0"}]}', 'f[0].cidr', /is not a CIDR block/, 'eventbridge'],
    ['{"f": [{"cidr": "10.0.0.0/33"}]}', 'f[0].cidr', /is not a CIDR block/, 'eventbridge'],
    ['{"f": [{"anything-but": {"prefix": ""}}]}', 'f[0].anything-but.prefix', /an empty prefix/, 'eventbridge'],
    ['{"f": [{"anything-but": {"contains": "x"}}]}', 'f[0].anything-but', /the value is an object/, 'eventbridge'],
  ];
  for (const [pattern, path, problem, dialect] of cases) {
    const error = rejection(pattern, dialect);
    assert.is(error.path, path, `path for ${pattern}`);
    assert.match(error.problem, problem, `problem for ${pattern}`);
    assert.ok(error.expected.length > 0, `allowed form for ${pattern}`);
    assert.match(error.doc, /^https:\/\//, `doc link for ${pattern}`);
    assert.match(error.message, /^Invalid filter pattern at .+: .+\. Expected .+\. See https:\/\//, `message for ${pattern}`);
  }
});

test('a repeated leaf keeps the last value, and fields after $or join every branch (event-ruler)', () => {
  assert.ok(matches('{"a": ["x"], "a": ["y"]}', { a: 'y' }));
  assert.not.ok(matches('{"a": ["x"], "a": ["y"]}', { a: 'x' }));
  const p = { $or: [{ a: ['1'] }, { b: ['2'] }], c: ['3'] };
  assert.ok(matches(p, { b: '2', c: '3' }));
  assert.not.ok(matches(p, { b: '2' }));
});

test.run();

// The JSON reader behind filtering: strict RFC 8259, numbers keep the text they were written as.
import { test } from 'uvu';
import * as assert from 'uvu/assert';
import { fromJs, isJson, JsonSyntaxError, parseJson, stringifyJson } from '../../../sandbox/filter/json.ts';

test('numbers keep their text and value', () => {
  const node = parseJson('{"a": 300.0, "b": 3.0e2, "c": -0, "d": 1E-7}');
  assert.is(stringifyJson(node), '{"a":300.0,"b":3.0e2,"c":-0,"d":1E-7}');
  if (node.type !== 'object') throw new Error('expected an object');
  const a = node.entries.get('a');
  assert.equal(a, { type: 'number', text: '300.0', value: 300 });
});

test('strings, escapes and literals', () => {
  assert.equal(parseJson('"a\\u00e9\\n\\"\\/"'), { type: 'string', value: 'aé\n"/' });
  assert.equal(parseJson(' [true, false, null] '), {
    type: 'array',
    items: [{ type: 'boolean', value: true }, { type: 'boolean', value: false }, { type: 'null' }],
  });
  assert.equal(parseJson('"\\ud83d\\ude00"'), { type: 'string', value: '😀' });
});

test('a repeated key keeps its last value', () => {
  assert.is(stringifyJson(parseJson('{"a": 1, "b": 2, "a": 3}')), '{"b":2,"a":3}');
});

test('malformed JSON is refused with a position', () => {
  for (const bad of ['', '{', '{"a":1,}', '[1,]', "{'a':1}", '01', '1.', '.5', '+1', 'NaN', '{"a":1} x', '"tab\there"', '"\\x"', 'tru', '{"a" 1}', '[1 2]']) {
    assert.not.ok(isJson(bad), JSON.stringify(bad));
  }
  try {
    parseJson('{"a": [1, 2,]}');
    assert.unreachable('parsed');
  } catch (error) {
    assert.instance(error, JsonSyntaxError);
    assert.is((error as JsonSyntaxError).position, 12);
  }
});

test('fromJs converts plain data and names what JSON cannot hold', () => {
  assert.equal(fromJs({ a: [1.5, 'x', null, true] }), parseJson('{"a":[1.5,"x",null,true]}'));
  assert.throws(() => fromJs({ a: { b: undefined } }), /\(root\)\.a\.b: a undefined is not JSON/);
  assert.throws(() => fromJs({ n: Number.NaN }), /NaN is not a JSON number/);
  assert.throws(() => fromJs({ d: new Date(0) }), /a Date object is not JSON/);
});

test.run();

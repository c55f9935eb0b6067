import { MAX_JSON_DEPTH, maxJsonValues, shapeProblem } from './json-body.parser.js';

describe(shapeProblem.name, () => {
  const nested = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

  it('accepts nesting up to MAX_JSON_DEPTH and refuses one level more', () => {
    expect(shapeProblem(nested(MAX_JSON_DEPTH), 100)).toBeUndefined();
    expect(shapeProblem(nested(MAX_JSON_DEPTH + 1), 100)).toBe('nested deeper than 16 levels');
    expect(shapeProblem('{"a":'.repeat(MAX_JSON_DEPTH + 1), 100)).toBe('nested deeper than 16 levels');
  });

  it('counts the root and every [, { and , as a value, and refuses one more than the limit', () => {
    expect(shapeProblem('[1,2,3]', 4)).toBeUndefined(); // root, [, and two commas
    expect(shapeProblem('[1,2,3,4]', 4)).toBe('more than 4 values');
    expect(shapeProblem(nested(3), 3)).toBe('more than 3 values');
  });

  it('ignores brackets and commas inside strings, escaped quotes included', () => {
    expect(shapeProblem(JSON.stringify({ data: '[[[[,,,,{{{{' }), 3)).toBeUndefined();
    expect(shapeProblem(JSON.stringify({ data: 'a"[[[[[,,,"b' }), 3)).toBeUndefined();
    // An even run of backslashes escapes itself, so the quote after it closes the string.
    expect(shapeProblem(JSON.stringify({ data: 'a\\\\' }) + ',,,,', 3)).toBe('more than 3 values');
  });

  it('leaves malformed JSON to the parser', () => {
    expect(shapeProblem('{"data": "never closed [[[[', 3)).toBeUndefined();
    expect(shapeProblem(']]]]', 3)).toBeUndefined();
  });

  it('lets a full batch through: 3 values per entry and a few for the envelope', () => {
    const batch = (entries: number) => JSON.stringify({ messages: Array.from({ length: entries }, () => ({ subject: 'a', data: 'x' })) });
    expect(shapeProblem(batch(1000), maxJsonValues(1000))).toBeUndefined();
    expect(shapeProblem(batch(1338), maxJsonValues(1000))).toBeUndefined();
    expect(shapeProblem(batch(1339), maxJsonValues(1000))).toBe('more than 4016 values');
  });

  it('lets a full list of seqs through, even with a small batch size', () => {
    const ack = JSON.stringify({ subject: 'a', id: 'b', seqs: Array.from({ length: 1000 }, (_, i) => i + 1) });
    expect(shapeProblem(ack, maxJsonValues(1000, 1000))).toBeUndefined();
    expect(shapeProblem(ack, maxJsonValues(1, 1000))).toBeUndefined();
    expect(shapeProblem(ack, maxJsonValues(1))).toBe('more than 20 values');
  });
});

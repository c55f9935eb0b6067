import { isValidSubject } from './subject.js';

describe(isValidSubject.name, () => {
  it.each(['a', 'a.b', 'orders.eu-west.created', 'load.test', '*', 'a>b', 'ünïcode.ok', '1.2.3'])('accepts %j', (subject) => {
    expect(isValidSubject(subject)).toBe(true);
  });

  it.each(['', '.', 'a..b', '.a', 'a.', 'a b', 'a\tb', 'a\rb', 'a\nb', ' a'])('refuses %j', (subject) => {
    expect(isValidSubject(subject)).toBe(false);
  });

  it('accepts up to 256 characters, counted as code points', () => {
    expect(isValidSubject('a'.repeat(256))).toBe(true);
    expect(isValidSubject('a'.repeat(257))).toBe(false);
    expect(isValidSubject('😀'.repeat(256))).toBe(true); // 512 UTF-16 units
    expect(isValidSubject('😀'.repeat(257))).toBe(false);
  });

  it.each([undefined, null, 1, ['a'], {}])('refuses the non-string %j', (subject) => {
    expect(isValidSubject(subject)).toBe(false);
  });
});

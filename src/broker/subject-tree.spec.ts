import { subjectMatches } from '../auth/subject-pattern.js';
import { isPattern, SubjectTree } from './subject-tree.js';

describe(SubjectTree.name, () => {
  const patterns = ['a.b', 'a.*', 'a.>', '*.b', '>', 'a.*.c', 'a.b.>', 'x.y.z', '*.*'];
  const subjects = ['a', 'a.b', 'a.c', 'a.b.c', 'a.x.c', 'b.b', 'x.y.z', 'x.y', 'a.b.c.d', 'q'];

  it('finds exactly the patterns a subject matches', () => {
    const sut = new SubjectTree<string>();
    for (const pattern of patterns) sut.set(pattern, pattern);
    expect(sut.size).toBe(patterns.length);
    for (const subject of subjects) {
      expect([subject, sut.match(subject).sort()]).toEqual([subject, patterns.filter((pattern) => subjectMatches(pattern, subject)).sort()]);
    }
  });

  it('forgets deleted patterns, and what is left still matches', () => {
    const sut = new SubjectTree<string>();
    for (const pattern of patterns) sut.set(pattern, pattern);
    const kept = patterns.filter((_, i) => i % 2 === 0);
    for (const pattern of patterns) if (!kept.includes(pattern)) expect(sut.delete(pattern)).toBe(true);
    expect(sut.delete('not.there')).toBe(false);
    expect(sut.delete('a.b')).toBe(true);
    expect(sut.delete('a.b')).toBe(false);
    const left = kept.filter((pattern) => pattern !== 'a.b');
    expect(sut.size).toBe(left.length);
    for (const subject of subjects) expect(sut.match(subject).sort()).toEqual(left.filter((pattern) => subjectMatches(pattern, subject)).sort());
    for (const pattern of left) sut.delete(pattern);
    expect(sut.size).toBe(0);
    expect(sut.match('a.b')).toEqual([]);
  });

  it('keeps one value per pattern', () => {
    const sut = new SubjectTree<number>();
    sut.set('a.*', 1);
    sut.set('a.*', 2);
    expect([sut.size, sut.get('a.*'), sut.match('a.b')]).toEqual([1, 2, [2]]);
  });
});

describe(isPattern.name, () => {
  it.each(['*', '>', 'a.*', '*.a', 'a.*.b', 'a.>', 'a.>.b'])('%j has a wildcard token', (subject) => expect(isPattern(subject)).toBe(true));
  it.each(['a', 'a.b', 'a*', 'a.b*', '*a.b', 'a.b>', '>a', 'a.**'])('%j has none', (subject) => expect(isPattern(subject)).toBe(false));
});

import { globalBase, subjectBase, subjectTag } from './redis-keys.js';

describe('Redis key names', () => {
  it('leaves an ordinary subject as it is', () => {
    expect(subjectBase('gophermq:', 'orders.created')).toBe('gophermq:{orders.created}');
  });

  it('puts every subject inside its own hash tag, whatever it holds', () => {
    for (const subject of ['a}b', '{a}', 'x}:s:y', '}}{{', 'a%7Db', '~', 'ü.🙂']) {
      const base = subjectBase('p:', subject);
      const open = base.indexOf('{');
      const close = base.indexOf('}', open);
      expect(close).toBe(base.length - 1); // the tag Redis Cluster hashes is the whole encoded subject
    }
  });

  it('maps different subjects to different tags, and none to the broker-wide tag', () => {
    const subjects = ['a}b', 'a%7Db', 'a%7db', 'a%b', 'a%25b', '~', '%7E', 'a{b', 'a%7Bb', 'a:b', 'a%3Ab'];
    const tags = subjects.map(subjectTag);
    expect(new Set(tags).size).toBe(subjects.length);
    expect(subjects.map((subject) => subjectBase('p:', subject))).not.toContain(globalBase('p:'));
  });
});

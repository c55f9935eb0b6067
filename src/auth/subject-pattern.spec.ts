import { isValidSubjectPattern, patternCovers, SubjectPatterns, subjectMatches } from './subject-pattern.js';

describe(subjectMatches.name, () => {
  it.each([
    ['orders.created', 'orders.created'],
    ['orders.*', 'orders.created'],
    ['*.created', 'orders.created'],
    ['*', 'orders'],
    ['*.*', 'a.b'],
    ['orders.>', 'orders.created'],
    ['orders.>', 'orders.eu.created'],
    ['orders.*.>', 'orders.eu.created.late'],
    ['>', 'orders'],
    ['>', 'a.b.c.d'],
    ['orders.*', 'orders.*'], // a subject may hold a `*` token; the wildcard matches it like any token
  ])('%j matches %j', (pattern, subject) => {
    expect(subjectMatches(pattern, subject)).toBe(true);
  });

  it.each([
    ['orders.created', 'orders.paid'],
    ['orders.created', 'orders.created.late'],
    ['orders.*', 'orders'], // `*` needs exactly one token
    ['orders.*', 'orders.eu.created'],
    ['*', 'a.b'],
    ['orders.>', 'orders'], // `>` needs at least one token
    ['orders.*.>', 'orders.eu'],
    ['orders.>', 'ordersx.created'],
    ['orders', 'orders.created'],
    ['orders.created', 'orders'],
  ])('%j does not match %j', (pattern, subject) => {
    expect(subjectMatches(pattern, subject)).toBe(false);
  });
});

describe(isValidSubjectPattern.name, () => {
  it.each(['a', 'a.b', '*', '>', 'a.*', 'a.>', '*.b.>', '*.*'])('accepts %j', (pattern) => {
    expect(isValidSubjectPattern(pattern)).toBe(true);
  });

  it.each(['', 'a..b', '.a', 'a.', 'a b', '>.a', 'a.>.b', '>.>', 'ord*', 'a.*b', 'a>', 'a.b>', 'x'.repeat(257), 3, null])('refuses %j', (pattern) => {
    expect(isValidSubjectPattern(pattern)).toBe(false);
  });
});

describe(SubjectPatterns.name, () => {
  it('matches a subject that one of its patterns matches, literal or wildcard', () => {
    const sut = new SubjectPatterns(['billing.invoices', 'orders.*', 'audit.>']);
    expect(['billing.invoices', 'orders.paid', 'audit.a.b'].map((s) => sut.matches(s))).toEqual([true, true, true]);
    expect(['billing', 'orders.eu.paid', 'audit', 'other'].map((s) => sut.matches(s))).toEqual([false, false, false, false]);
  });

  it('gives the same answers when it asks again (remembered answers)', () => {
    const sut = new SubjectPatterns(['orders.*']);
    for (let i = 0; i < 10_000; i++) expect(sut.matches(`orders.${i % 5000}`)).toBe(true);
    expect(sut.matches('orders.1.x')).toBe(false);
    expect(sut.matches('orders.1.x')).toBe(false);
  });

  it('matches nothing without patterns, everything with `>`', () => {
    expect(new SubjectPatterns([]).matches('a')).toBe(false);
    expect(new SubjectPatterns(['>']).matches('any.thing')).toBe(true);
  });

  it('refuses an invalid pattern', () => {
    expect(() => new SubjectPatterns(['orders.>.x'])).toThrow('invalid subject pattern "orders.>.x"');
  });
});

describe(patternCovers.name, () => {
  it.each([
    ['orders.*', 'orders.*'],
    ['orders.*', 'orders.eu'],
    ['orders.>', 'orders.*'],
    ['orders.>', 'orders.>'],
    ['orders.>', 'orders.*.late'],
    ['>', '>'],
    ['>', '*.*'],
    ['*.*', 'orders.*'],
    ['orders.*.>', 'orders.eu.>'],
  ])('%j covers %j', (outer, inner) => expect(patternCovers(outer, inner)).toBe(true));

  it.each([
    ['orders.*', 'orders.>'],
    ['orders.*', '>'],
    ['orders.*', '*.eu'],
    ['orders.eu', 'orders.*'],
    ['orders.>', 'orders'],
    ['orders.>', '>'],
    ['orders.*.>', 'orders.>'],
    ['*', '>'],
    ['*.*', '*'],
  ])('%j does not cover %j', (outer, inner) => expect(patternCovers(outer, inner)).toBe(false));

  it('SubjectPatterns.covers: a pattern needs a permission covering all of it', () => {
    const sut = new SubjectPatterns(['orders.*', 'billing.eu']);
    expect(['orders.*', 'orders.eu', 'orders.>', '>', 'billing.eu', 'billing.*'].map((pattern) => sut.covers(pattern))).toEqual([true, true, false, false, true, false]);
    expect(new SubjectPatterns(['>']).covers('>')).toBe(true);
  });
});

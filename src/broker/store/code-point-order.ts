/**
 * Compares strings by code point, which is the order of their UTF-8 bytes: the order of Redis's
 * lexicographic ranges (ZRANGE BYLEX), so both stores list subjects the same way. JavaScript's `<`
 * compares UTF-16 units instead, which puts U+E000..U+FFFF after the characters beyond U+FFFF.
 */
export function compareCodePoints(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return unitRank(x) - unitRank(y);
  }
  return a.length - b.length;
}

/** Surrogates (D800..DFFF) above E000..FFFF, as the code points they encode are. */
function unitRank(unit: number): number {
  if (unit < 0xd800) return unit;
  return unit < 0xe000 ? unit + 0x2000 : unit - 0x800;
}

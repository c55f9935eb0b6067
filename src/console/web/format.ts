/** 1234567 → "1,234,567". */
export function count(value: number | undefined): string {
  return value === undefined ? '–' : value.toLocaleString('en-US');
}

/** Bytes in the unit that reads best. */
export function bytes(value: number | undefined): string {
  if (value === undefined) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let unit = 0;
  let scaled = value;
  while (scaled >= 1024 && unit < units.length - 1) {
    scaled /= 1024;
    unit += 1;
  }
  return `${unit === 0 ? scaled : scaled.toFixed(1)} ${units[unit]}`;
}

/** Change per second between two reads, or '–' before the second. */
export function rate(now: number | undefined, before: number | undefined, seconds: number): string {
  if (now === undefined || before === undefined || seconds <= 0) return '–';
  const perSecond = (now - before) / seconds;
  if (perSecond === 0) return '0/s';
  return `${perSecond > 0 ? '+' : ''}${Math.abs(perSecond) < 10 ? perSecond.toFixed(1) : Math.round(perSecond).toLocaleString('en-US')}/s`;
}

/** A subject in a URL fragment. */
export function subjectHref(page: 'subject' | 'tail' | 'publish', subject: string): string {
  return `#/${page}/${encodeURIComponent(subject)}`;
}

import { useRef } from 'preact/hooks';
import { admin } from '../api.js';
import { bytes, count, rate } from '../format.js';
import { html } from '../html.js';
import { usePoll } from '../use-poll.js';

const REFRESH_MS = 2000;

type Flat = Map<string, number | string>;

/** How a figure reads: its label, and bytes or a plain count. */
interface Figure {
  label: string;
  bytes?: boolean;
}

/**
 * The sections of the overview, from GET /api/admin/stats: each figure by its path in the answer.
 * Totals (since this instance started) also show their rate between two reads. A figure the
 * broker answers that is not listed here is shown under "Other", by its name.
 */
const SECTIONS: Array<{ title: string; figures: Record<string, Figure>; rates?: boolean }> = [
  { title: 'Broker', figures: { version: { label: 'Version' }, store: { label: 'Store' }, uptimeSeconds: { label: 'Uptime, s' }, instances: { label: 'Instances' } } },
  {
    title: 'Requests',
    rates: true,
    figures: {
      'totals.requests': { label: 'Requests' },
      'totals.clientErrors': { label: 'Client errors (4xx)' },
      'totals.serverErrors': { label: 'Server errors (5xx)' },
      'totals.denied': { label: 'Denied (auth, rate limit)' },
    },
  },
  {
    title: 'Messages',
    rates: true,
    figures: {
      'totals.published': { label: 'Published' },
      'totals.delivered': { label: 'Delivered' },
      'totals.refusedNoSubscriber': { label: 'Refused: no subscriber' },
      'totals.refusedOverflow': { label: 'Refused: overflow' },
      'totals.purged': { label: 'Purged' },
      'totals.expiredSubscribers': { label: 'Subscribers expired' },
    },
  },
  {
    title: 'Messages held',
    figures: {
      'counts.messagesHeld': { label: 'Messages' },
      'counts.bytesHeld': { label: 'Bytes', bytes: true },
      'counts.inFlight': { label: 'In flight' },
      'counts.retained': { label: 'Retained' },
      'counts.retainedBytes': { label: 'Retained bytes', bytes: true },
      'counts.subscribers': { label: 'Subscribers' },
      'counts.subjects': { label: 'Subjects' },
    },
  },
  {
    title: 'Limits',
    figures: {
      'limits.maxPending': { label: 'Pending messages' },
      'limits.maxPendingBytes': { label: 'Pending bytes', bytes: true },
      'limits.maxPendingPerSubject': { label: 'Pending per subject' },
      'limits.maxPendingBytesPerSubject': { label: 'Pending bytes per subject', bytes: true },
      'limits.maxSubscribers': { label: 'Subscribers' },
      'limits.maxInFlight': { label: 'In flight' },
    },
  },
];
const KNOWN = new Set(SECTIONS.flatMap((section) => Object.keys(section.figures)));

/** Broker-wide counts, limits, request rate and errors: what the broker says of itself. */
export function OverviewPage() {
  const [polled] = usePoll((signal) => admin.stats(signal), REFRESH_MS, []);
  const previous = useRef<{ at: number; values: Flat }>({ at: 0, values: new Map() });
  const values = flatten(polled.value ?? {});
  const seconds = (polled.at - previous.current.at) / 1000;
  const before = previous.current.values;
  if (polled.value && polled.at !== previous.current.at) previous.current = { at: polled.at, values };
  const other = [...values.keys()].filter((name) => !KNOWN.has(name));
  const sections = [...SECTIONS, { title: 'Other', figures: Object.fromEntries(other.map((name) => [name, { label: name }])), rates: false }];

  const figure = (name: string, { label, bytes: isBytes }: Figure, rates?: boolean) => {
    const value = values.get(name);
    if (value === undefined) return null;
    const old = before.get(name);
    const shown = typeof value === 'number' ? (isBytes ? bytes(value) : count(value)) : value;
    return html`<div data-stat=${name}>
      <dt>${label}</dt>
      <dd>${shown}${rates && typeof value === 'number' && typeof old === 'number' ? html` <small>${rate(value, old, seconds)}</small>` : null}</dd>
    </div>`;
  };

  return html`
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      ${polled.error ? html`<p role="alert" class="error">${polled.error}</p>` : null}
      ${polled.value
        ? sections
            .filter((section) => Object.keys(section.figures).some((name) => values.has(name)))
            .map(({ title, figures, rates }) => html`
              <section aria-label=${title} class="group">
                <h2>${title}</h2>
                <dl class="counts">${Object.entries(figures).map(([name, shown]) => figure(name, shown, rates))}</dl>
              </section>`)
        : null}
      <p class="notice">Refreshed every ${REFRESH_MS / 1000} s; rates are per second between two reads. Totals are this instance's since it started.</p>
    </section>
  `;
}

function flatten(value: Record<string, unknown>, prefix = '', into: Flat = new Map()): Flat {
  for (const [name, item] of Object.entries(value)) {
    const full = prefix === '' ? name : `${prefix}.${name}`;
    if (typeof item === 'number' || typeof item === 'string') into.set(full, item);
    else if (typeof item === 'boolean') into.set(full, String(item));
    else if (item === null) into.set(full, '–');
    else if (typeof item === 'object' && !Array.isArray(item)) flatten(item as Record<string, unknown>, full, into);
  }
  return into;
}

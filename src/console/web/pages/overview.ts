import { useRef } from 'preact/hooks';
import { admin } from '../api.js';
import { count, rate } from '../format.js';
import { html } from '../html.js';
import { usePoll } from '../use-poll.js';

const REFRESH_MS = 2000;

type Flat = Map<string, number | string>;

/**
 * Broker-wide counts and limits (GET /api/admin/stats), every number it answers; the totals it
 * keeps since start (requests, errors, …: names ending in `Total`) also as a rate between reads.
 */
export function OverviewPage() {
  const [polled] = usePoll((signal) => admin.stats(signal), REFRESH_MS, []);
  const previous = useRef<{ at: number; values: Flat }>({ at: 0, values: new Map() });
  const values = flatten(polled.value ?? {});
  const seconds = (polled.at - previous.current.at) / 1000;
  const before = previous.current.values;
  if (polled.value && polled.at !== previous.current.at) previous.current = { at: polled.at, values };
  const groups = new Map<string, Array<[string, number | string]>>();
  for (const [name, value] of values) {
    const dot = name.indexOf('.');
    const group = dot < 0 ? 'broker' : name.slice(0, dot);
    groups.set(group, [...(groups.get(group) ?? []), [dot < 0 ? name : name.slice(dot + 1), value]]);
  }
  return html`
    <section aria-labelledby="overview-title">
      <h1 id="overview-title">Overview</h1>
      ${polled.error ? html`<p role="alert" class="error">${polled.error}</p>` : null}
      ${[...groups].map(([group, entries]) => html`
        <section aria-label=${group} class="group">
          <h2>${group}</h2>
          <dl class="counts">
            ${entries.map(([name, value]) => {
              const full = group === 'broker' ? name : `${group}.${name}`;
              const old = before.get(full);
              return html`<div data-stat=${full}>
                <dt>${name}</dt>
                <dd>${typeof value === 'number' ? count(value) : value}${typeof value === 'number' && isTotal(name) && typeof old === 'number' ? html` <small>${rate(value, old, seconds)}</small>` : null}</dd>
              </div>`;
            })}
          </dl>
        </section>`)}
    </section>
  `;
}

function isTotal(name: string): boolean {
  return /total$/i.test(name);
}

function flatten(value: Record<string, unknown>, prefix = '', into: Flat = new Map()): Flat {
  for (const [name, item] of Object.entries(value)) {
    const full = prefix === '' ? name : `${prefix}.${name}`;
    if (typeof item === 'number' || typeof item === 'string') into.set(full, item);
    else if (typeof item === 'boolean') into.set(full, String(item));
    else if (item !== null && typeof item === 'object' && !Array.isArray(item)) flatten(item as Record<string, unknown>, full, into);
  }
  return into;
}

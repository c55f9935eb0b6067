import { useRef, useState } from 'preact/hooks';
import { admin, type SubjectPage as Page, type SubjectRow } from '../api.js';
import { bytes, count, rate, subjectHref } from '../format.js';
import { html } from '../html.js';
import { usePoll } from '../use-poll.js';
import { NewSubscriberForm } from './new-subscriber.js';

const REFRESH_MS = 2000;

/** Every subject, a live table: the first page of 100 refreshed every 2 s, more on demand. */
export function SubjectsPage() {
  const [prefix, setPrefix] = useState('');
  const [more, setMore] = useState<SubjectRow[]>([]);
  const [next, setNext] = useState<string | null>(null);
  const previous = useRef<{ at: number; pending: Map<string, number> }>({ at: 0, pending: new Map() });
  const [polled, reload] = usePoll<Page>(
    async (signal) => {
      const page = await admin.subjects(prefix, undefined, signal);
      if (more.length === 0) setNext(page.next);
      return page;
    },
    REFRESH_MS,
    [prefix, more.length],
  );
  const rows = [...(polled.value?.subjects ?? []), ...more];
  const seconds = (polled.at - previous.current.at) / 1000;
  const before = previous.current.pending;
  if (polled.value && polled.at !== previous.current.at) {
    previous.current = { at: polled.at, pending: new Map(rows.map((row) => [row.subject, row.pending])) };
  }
  const loadMore = async () => {
    if (next === null) return;
    const page = await admin.subjects(prefix, next);
    setMore([...more, ...page.subjects]);
    setNext(page.next);
  };
  return html`
    <section aria-labelledby="subjects-title">
      <h1 id="subjects-title">Subjects</h1>
      <form class="inline" onSubmit=${(e: Event) => e.preventDefault()}>
        <label for="prefix">Subjects starting with</label>
        <input id="prefix" type="search" value=${prefix} onInput=${(e: Event) => { setMore([]); setPrefix((e.target as HTMLInputElement).value); }} />
      </form>
      ${polled.error ? html`<p role="alert" class="error">${polled.error}</p>` : null}
      <div class="table">
        <table>
          <caption>Refreshed every ${REFRESH_MS / 1000} s${rows.length === 0 && polled.value ? ': no subject yet' : ''}</caption>
          <thead><tr><th scope="col">Subject</th><th scope="col">Subscribers</th><th scope="col">Pending</th><th scope="col">Pending bytes</th><th scope="col">In flight</th><th scope="col">Retained</th><th scope="col">Pending change</th></tr></thead>
          <tbody>
            ${rows.map((row) => html`
              <tr key=${row.subject} data-subject=${row.subject}>
                <th scope="row"><a href=${subjectHref('subject', row.subject)}>${row.subject}</a></th>
                <td data-count="subscribers">${count(row.subscribers)}</td><td data-count="pending">${count(row.pending)}</td><td>${bytes(row.pendingBytes)}</td>
                <td data-count="inFlight">${count(row.inFlight)}</td><td data-count="retained">${count(row.retained)}</td><td>${rate(row.pending, before.get(row.subject), seconds)}</td>
              </tr>`)}
          </tbody>
        </table>
      </div>
      ${next !== null ? html`<button type="button" onClick=${loadMore}>More subjects</button>` : null}
      <${NewSubscriberForm} onMade=${reload} />
    </section>
  `;
}

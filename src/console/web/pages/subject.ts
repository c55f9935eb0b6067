import { useState } from 'preact/hooks';
import { admin, type PeekedMessage, type SubjectDetail, type SubscriberRow } from '../api.js';
import { bytes, count, subjectHref } from '../format.js';
import { html } from '../html.js';
import { messageOf, usePoll } from '../use-poll.js';

const REFRESH_MS = 2000;

/** One subject: its counts, its subscribers with their settings and backlogs, peek, purge, forced unsubscribe. */
export function SubjectPage({ subject }: { subject: string }) {
  const [polled, reload] = usePoll<SubjectDetail>((signal) => admin.subject(subject, signal), REFRESH_MS, [subject]);
  const [notice, setNotice] = useState<{ text: string; error?: boolean }>();
  const [peeked, setPeeked] = useState<{ of: string; messages: PeekedMessage[] }>();
  const [confirming, setConfirming] = useState<{ action: 'purge' | 'unsubscribe'; id?: string }>();
  const detail = polled.value;

  const act = async (run: () => Promise<string>) => {
    try {
      setNotice({ text: await run() });
    } catch (error) {
      setNotice({ text: messageOf(error), error: true });
    }
    setConfirming(undefined);
    reload();
  };
  const peek = (id?: string) =>
    act(async () => {
      const { messages } = await admin.peek(subject, id);
      setPeeked({ of: id ?? 'the subject', messages });
      return `${messages.length} message${messages.length === 1 ? '' : 's'} shown, none taken`;
    });
  const purge = (id?: string) => act(async () => `${count((await admin.purge(subject, id)).purged)} messages purged`);
  const unsubscribe = (id: string) => act(async () => (await admin.unsubscribe(subject, id), `subscriber ${id} removed`));

  const confirmation = (action: 'purge' | 'unsubscribe', id: string | undefined, run: () => void) =>
    confirming?.action === action && confirming.id === id
      ? html`<span class="confirm" role="group" aria-label="Confirm">
          <span>${action === 'purge' ? `Drop every pending message of ${id ?? 'this subject'}?` : `Remove subscriber ${id}?`}</span>
          <button type="button" class="danger" onClick=${run}>${action === 'purge' ? 'Purge' : 'Unsubscribe'}</button>
          <button type="button" onClick=${() => setConfirming(undefined)}>Cancel</button>
        </span>`
      : html`<button type="button" class=${action === 'purge' ? 'danger' : ''} onClick=${() => setConfirming({ action, id })}>${action === 'purge' ? 'Purge…' : 'Unsubscribe…'}</button>`;

  return html`
    <section aria-labelledby="subject-title">
      <h1 id="subject-title"><span class="muted">Subject</span> ${subject}</h1>
      <p class="links"><a href=${subjectHref('publish', subject)}>Publish to it</a> · <a href=${subjectHref('tail', subject)}>Tail it</a> · <a href="#/subjects">All subjects</a></p>
      ${polled.error ? html`<p role="alert" class="error">${polled.error}</p>` : null}
      ${notice ? html`<p role="status" class=${notice.error ? 'error' : 'notice'}>${notice.text}</p>` : null}
      ${detail
        ? html`
          <dl class="counts">
            <div><dt>Pending</dt><dd>${count(detail.pending)}</dd></div>
            <div><dt>Pending bytes</dt><dd>${bytes(detail.pendingBytes)}</dd></div>
            <div><dt>In flight</dt><dd>${count(detail.inFlight)}</dd></div>
            <div><dt>Retained</dt><dd>${count(detail.retained)}</dd></div>
            <div><dt>Subscribers</dt><dd>${count(detail.subscribers.length)}</dd></div>
          </dl>
          <div class="actions">
            <button type="button" onClick=${() => peek()}>Peek</button>
            ${confirmation('purge', undefined, () => purge())}
          </div>
          <div class="table">
            <table>
              <caption>Subscribers</caption>
              <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Settings</th><th scope="col">Pending</th><th scope="col">In flight</th><th scope="col">Last active</th><th scope="col">Actions</th></tr></thead>
              <tbody>
                ${detail.subscribers.map((s) => html`
                  <tr key=${s.id} data-id=${s.id}>
                    <th scope="row"><code>${s.id}</code></th><td>${s.name ?? ''}</td><td>${settingsOf(s)}</td>
                    <td>${count(s.pending)}</td><td>${count(s.inFlight)}</td><td>${s.lastActiveAt ?? ''}</td>
                    <td class="actions">
                      <button type="button" onClick=${() => peek(s.id)}>Peek</button>
                      ${confirmation('purge', s.id, () => purge(s.id))}
                      ${confirmation('unsubscribe', s.id, () => unsubscribe(s.id))}
                    </td>
                  </tr>`)}
              </tbody>
            </table>
          </div>`
        : null}
      ${peeked
        ? html`<section aria-labelledby="peek-title">
            <h2 id="peek-title">Next messages of ${peeked.of}</h2>
            ${peeked.messages.length === 0 ? html`<p>Nothing pending.</p>` : null}
            <ol class="messages peek">
              ${peeked.messages.map((m) => html`<li key=${m.seq}><span class="seq">#${m.seq}</span>${m.time ? html` <time>${m.time}</time>` : null}<pre>${m.data}</pre></li>`)}
            </ol>
          </section>`
        : null}
    </section>
  `;
}

function settingsOf(s: SubscriberRow): string {
  if (s.ackWaitMs === undefined) return 'at most once';
  const parts = [`ack wait ${s.ackWaitMs} ms`];
  if (s.maxDeliveries !== undefined) parts.push(`max deliveries ${s.maxDeliveries}`);
  if (s.deadLetterSubject !== undefined) parts.push(`dead letters → ${s.deadLetterSubject}`);
  return parts.join(', ');
}

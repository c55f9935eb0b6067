import { useState } from 'preact/hooks';
import { ConfirmButton } from '../confirm-button.js';
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
  const detail = polled.value;

  const act = async (run: () => Promise<string>) => {
    try {
      setNotice({ text: await run() });
    } catch (error) {
      setNotice({ text: messageOf(error), error: true });
    }
    reload();
  };
  const peek = (id?: string) =>
    act(async () => {
      const { messages } = await admin.peek(subject, id);
      setPeeked({ of: id ?? 'the subject', messages });
      return `${messages.length} message${messages.length === 1 ? '' : 's'} shown, none taken`;
    });
  const purge = (id?: string) =>
    act(async () => {
      const { purged } = await admin.purge(subject, id);
      return `${count(purged)} message${purged === 1 ? '' : 's'} purged`;
    });
  const unsubscribe = (id: string) => act(async () => (await admin.unsubscribe(subject, id), `subscriber ${id} removed`));

  return html`
    <section aria-labelledby="subject-title">
      <h1 id="subject-title"><span class="muted">Subject</span> ${subject}</h1>
      <p class="links"><a href=${subjectHref('publish', subject)}>Publish to it</a> · <a href=${subjectHref('tail', subject)}>Tail it</a> · <a href="#/subjects">All subjects</a></p>
      ${polled.error ? html`<p role="alert" class="error">${polled.error}</p>` : null}
      ${notice ? html`<p role="status" class=${notice.error ? 'error' : 'notice'}>${notice.text}</p>` : null}
      ${detail
        ? html`
          <dl class="counts">
            <div data-count="pending"><dt>Pending</dt><dd>${count(detail.pending)}</dd></div>
            <div data-count="pendingBytes"><dt>Pending bytes</dt><dd>${bytes(detail.pendingBytes)}</dd></div>
            <div data-count="inFlight"><dt>In flight</dt><dd>${count(detail.inFlight)}</dd></div>
            <div data-count="retained"><dt>Retained</dt><dd>${count(detail.retained)}</dd></div>
            <div data-count="subscribers"><dt>Subscribers</dt><dd>${count(detail.subscriberCount)}</dd></div>
          </dl>
          <div class="actions">
            <button type="button" onClick=${() => peek()}>Peek</button>
            <${ConfirmButton} label="Purge…" question="Drop every pending message of this subject?" confirm="Purge" onConfirm=${() => purge()} />
          </div>
          <div class="table">
            <table>
              <caption>Subscribers</caption>
              <thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Settings</th><th scope="col">Pending</th><th scope="col">In flight</th><th scope="col">Last active</th><th scope="col">Streams</th><th scope="col">Actions</th></tr></thead>
              <tbody>
                ${detail.subscribers.map((s) => html`
                  <tr key=${s.id} data-id=${s.id}>
                    <th scope="row"><code>${s.id}</code></th><td>${s.name ?? ''}</td><td>${settingsOf(s)}</td>
                    <td data-count="pending">${count(s.pending)}</td><td data-count="inFlight">${count(s.inFlight)}</td><td>${s.lastActiveAt ?? ''}</td><td data-count="streams">${count(s.streams)}</td>
                    <td class="actions">
                      <button type="button" aria-label=${`Peek ${s.id}`} onClick=${() => peek(s.id)}>Peek</button>
                      <${ConfirmButton} label="Purge…" name=${`Purge ${s.id}…`} question=${`Drop every pending message of ${s.id}?`} confirm="Purge" onConfirm=${() => purge(s.id)} />
                      <${ConfirmButton} label="Unsubscribe…" name=${`Unsubscribe ${s.id}…`} question=${`Remove subscriber ${s.id}?`} confirm="Unsubscribe" onConfirm=${() => unsubscribe(s.id)} />
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

import { useState } from 'preact/hooks';
import { call } from '../api.js';
import { subjectHref } from '../format.js';
import { html } from '../html.js';
import { messageOf } from '../use-poll.js';

/**
 * Makes a subscriber, and so its subject (a subject exists while something reads it): a name makes
 * it durable, an ack wait makes it acknowledged. POST /api/subscribe, as a client would.
 */
export function NewSubscriberForm({ onMade }: { onMade: () => void }) {
  const [subject, setSubject] = useState('');
  const [name, setName] = useState('');
  const [ackWaitMs, setAckWaitMs] = useState('');
  const [result, setResult] = useState<{ text: string; subject?: string; error?: boolean }>();
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      const body: Record<string, unknown> = { subject: subject.trim() };
      if (name.trim() !== '') body.name = name.trim();
      if (ackWaitMs.trim() !== '') body.ackWaitMs = Number(ackWaitMs);
      const { id } = await call<{ id: string }>('POST', '/api/subscribe', body);
      setResult({ text: `subscribed to ${body.subject as string}: id ${id}`, subject: body.subject as string });
      onMade();
    } catch (error) {
      setResult({ text: messageOf(error), error: true });
    }
    setBusy(false);
  };
  const input = (set: (value: string) => void) => (e: Event) => set((e.target as HTMLInputElement).value);

  return html`
    <section class="new-subscriber" aria-labelledby="new-subscriber-title">
      <h2 id="new-subscriber-title">New subscriber</h2>
      <form id="new-subscriber" onSubmit=${submit}>
        <div class="fields">
          <div><label for="new-subject">Subject</label><input id="new-subject" required value=${subject} onInput=${input(setSubject)} /></div>
          <div><label for="new-name">Name <span class="muted">(optional: durable)</span></label><input id="new-name" value=${name} onInput=${input(setName)} /></div>
          <div><label for="new-ack-wait">Ack wait, ms <span class="muted">(optional: acknowledged)</span></label><input id="new-ack-wait" inputmode="numeric" pattern="[0-9]*" value=${ackWaitMs} onInput=${input(setAckWaitMs)} /></div>
        </div>
        <div class="actions"><button type="submit" disabled=${busy}>Subscribe</button></div>
        ${result
          ? html`<p role="status" class=${result.error ? 'error' : 'notice'}>${result.text}${result.subject ? html` · <a href=${subjectHref('subject', result.subject)}>open it</a>` : null}</p>`
          : html`<p role="status" class="notice"></p>`}
      </form>
    </section>
  `;
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { call } from '../api.js';
import { html } from '../html.js';
import { messageOf } from '../use-poll.js';

/** Most messages the page keeps; older ones scroll away. */
const KEEP = 500;
const WAIT_MS = 20_000;

interface Tailed {
  key: number;
  data: string;
  seq?: number;
  time?: string;
}

/**
 * A live view of a subject's new messages: a subscriber of its own, made when the tail starts and
 * removed when it stops (or the page is left), read by long-polling fetches.
 */
export function TailPage({ subject: initial }: { subject: string }) {
  const [subject, setSubject] = useState(initial);
  const [running, setRunning] = useState<string>();
  const [messages, setMessages] = useState<Tailed[]>([]);
  const [error, setError] = useState<string>();
  const keys = useRef(0);

  useEffect(() => {
    if (running === undefined) return;
    const controller = new AbortController();
    let id: string | undefined;
    const loop = async () => {
      try {
        ({ id } = await call<{ id: string }>('POST', '/api/subscribe', { subject: running }, controller.signal));
        setError(undefined);
        while (!controller.signal.aborted) {
          const answer = await call<{ data: string[]; messages?: Array<{ seq: number; time?: string }> }>(
            'POST', '/api/fetch', { subject: running, id, max: 100, waitMs: WAIT_MS }, controller.signal,
          );
          if (answer.data.length === 0) continue;
          const fresh = answer.data.map((data, i) => ({ key: ++keys.current, data, seq: answer.messages?.[i]?.seq, time: answer.messages?.[i]?.time }));
          setMessages((old) => [...fresh.reverse(), ...old].slice(0, KEEP));
        }
      } catch (caught) {
        if (!controller.signal.aborted) {
          setError(messageOf(caught));
          setRunning(undefined);
        }
      }
    };
    void loop();
    return () => {
      controller.abort();
      if (id !== undefined) void call('POST', '/api/unsubscribe', { subject: running, id }).catch(() => undefined);
    };
  }, [running]);

  const submit = (event: Event) => {
    event.preventDefault();
    if (running !== undefined) setRunning(undefined);
    else if (subject !== '') {
      setMessages([]);
      setRunning(subject);
    }
  };

  return html`
    <section aria-labelledby="tail-title">
      <h1 id="tail-title">Tail</h1>
      <form class="inline" onSubmit=${submit}>
        <label for="tail-subject">Subject</label>
        <input id="tail-subject" required value=${subject} disabled=${running !== undefined} onInput=${(e: Event) => setSubject((e.target as HTMLInputElement).value)} />
        <button type="submit">${running === undefined ? 'Start' : 'Stop'}</button>
      </form>
      ${error ? html`<p role="alert" class="error">${error}</p>` : null}
      ${running !== undefined ? html`<p role="status" class="notice">Tailing ${running}: new messages appear first.</p>` : null}
      <ol class="messages tail" aria-live="polite" aria-label="Messages">
        ${messages.map((m) => html`<li key=${m.key}>${m.seq !== undefined ? html`<span class="seq">#${m.seq}</span>` : null}${m.time ? html` <time>${m.time}</time>` : null}<pre>${m.data}</pre></li>`)}
      </ol>
    </section>
  `;
}

import { useEffect, useRef, useState } from 'preact/hooks';
import { call, query, savedToken } from '../api.js';
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

type Received = Omit<Tailed, 'key'>;

/** How the tail reads: what it calls with each message, and how it tells it is reading or failed. */
interface TailHandlers {
  onOpen: (how: 'stream' | 'long-poll') => void;
  onMessages: (messages: Received[]) => void;
  onError: (message: string) => void;
}

/**
 * Over the event stream (GET /api/stream): its own ephemeral subscriber, which the broker removes
 * when the stream closes. EventSource sends no header, so the token goes in the URL (the only place
 * the console puts it). Resolves false when the stream never opened (the broker refused it, or it
 * has no stream): the caller falls back to long-polling, whose answers carry the broker's message.
 */
function streamTail(subject: string, handlers: TailHandlers, signal: AbortSignal): Promise<boolean> {
  return new Promise((resolve) => {
    const token = savedToken();
    const source = new EventSource(`/api/stream${query({ subject, access_token: token === '' ? undefined : token })}`);
    let opened = false;
    const stop = () => source.close();
    signal.addEventListener('abort', () => {
      stop();
      resolve(true); // stopped: nothing to fall back to
    });
    source.addEventListener('open', (event) => {
      // The browser's own open event has no data; the broker's carries the subscriber.
      if ((event as MessageEvent).data === undefined || opened) return;
      opened = true;
      handlers.onOpen('stream');
      resolve(true);
    });
    source.addEventListener('message', (event) => {
      const { data, seq, time } = JSON.parse((event as MessageEvent<string>).data) as Received;
      handlers.onMessages([{ data, seq, time }]);
    });
    source.addEventListener('close', (event) => {
      stop();
      const { reason } = JSON.parse((event as MessageEvent<string>).data) as { reason?: string };
      handlers.onError(`the broker ended the tail (${reason ?? 'closed'})`);
    });
    source.addEventListener('error', () => {
      if (opened) return; // EventSource reconnects by itself, with a new subscriber.
      stop();
      resolve(false);
    });
  });
}

/** By long-polling fetches of a subscriber of its own, removed when the tail stops. */
async function pollTail(subject: string, handlers: TailHandlers, signal: AbortSignal): Promise<void> {
  let id: string | undefined;
  const unsubscribe = () => {
    if (id !== undefined) void call('POST', '/api/unsubscribe', { subject, id }).catch(() => undefined);
  };
  signal.addEventListener('abort', unsubscribe);
  ({ id } = await call<{ id: string }>('POST', '/api/subscribe', { subject }, signal));
  handlers.onOpen('long-poll');
  while (!signal.aborted) {
    const answer = await call<{ data: string[]; messages?: Array<{ seq: number; time?: string }> }>('POST', '/api/fetch', { subject, id, max: 100, waitMs: WAIT_MS }, signal);
    if (answer.data.length > 0) handlers.onMessages(answer.data.map((data, i) => ({ data, seq: answer.messages?.[i]?.seq, time: answer.messages?.[i]?.time })));
  }
}

/**
 * A live view of a subject's new messages, from the moment the tail starts: over the event stream
 * where the broker serves it, else by long-poll. Its subscriber goes when the tail stops or the page
 * is left.
 */
export function TailPage({ subject: initial }: { subject: string }) {
  const [subject, setSubject] = useState(initial);
  const [running, setRunning] = useState<string>();
  const [how, setHow] = useState<'stream' | 'long-poll'>();
  const [messages, setMessages] = useState<Tailed[]>([]);
  const [error, setError] = useState<string>();
  const keys = useRef(0);

  useEffect(() => {
    if (running === undefined) return;
    const controller = new AbortController();
    const { signal } = controller;
    const handlers: TailHandlers = {
      onOpen: (way) => {
        setError(undefined);
        setHow(way);
      },
      onMessages: (fresh) => setMessages((old) => [...fresh.map((m) => ({ ...m, key: ++keys.current })).reverse(), ...old].slice(0, KEEP)),
      onError: (message) => {
        if (signal.aborted) return;
        setError(message);
        setRunning(undefined);
      },
    };
    const run = async () => {
      try {
        if (typeof EventSource === 'function' && (await streamTail(running, handlers, signal))) return;
        if (!signal.aborted) await pollTail(running, handlers, signal);
      } catch (caught) {
        handlers.onError(messageOf(caught));
      }
    };
    void run();
    return () => {
      controller.abort();
      setHow(undefined);
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
      <p role="status" class="notice">${running !== undefined && how !== undefined ? `Tailing ${running} (${how === 'stream' ? 'event stream' : 'long-poll'}): new messages appear first.` : ''}</p>
      <ol class="messages tail" aria-live="polite" aria-label="Messages">
        ${messages.map((m) => html`<li key=${m.key}>${m.seq !== undefined ? html`<span class="seq">#${m.seq}</span>` : null}${m.time ? html` <time>${m.time}</time>` : null}<pre>${m.data}</pre></li>`)}
      </ol>
    </section>
  `;
}

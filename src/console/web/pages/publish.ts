import { useState } from 'preact/hooks';
import { call } from '../api.js';
import { html } from '../html.js';
import { messageOf } from '../use-poll.js';

/** The broker's own limit on a batch (broker.max-batch-size) answers above it; the form says so. */
type Result = { line: number; text: string; error: boolean };

/** A form: one message, or one per line (POST /api/publish/batch, each answered on its own). */
export function PublishPage({ subject: initial }: { subject: string }) {
  const [subject, setSubject] = useState(initial);
  const [data, setData] = useState('');
  const [byLine, setByLine] = useState(false);
  const [results, setResults] = useState<Result[]>([]);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    setBusy(true);
    try {
      if (byLine) {
        const lines = data.split('\n').filter((line) => line !== '');
        const answer = await call<{ results: Array<{ status?: string; message?: string }> }>('POST', '/api/publish/batch', {
          messages: lines.map((line) => ({ subject, data: line })),
        });
        setResults(answer.results.map((r, i) => ({ line: i + 1, text: r.message ?? r.status ?? '', error: r.message !== undefined })));
      } else {
        const answer = await call<{ status: string }>('POST', '/api/publish', { subject, data });
        setResults([{ line: 0, text: answer.status, error: false }]);
      }
    } catch (error) {
      setResults([{ line: 0, text: messageOf(error), error: true }]);
    }
    setBusy(false);
  };

  return html`
    <section aria-labelledby="publish-title">
      <h1 id="publish-title">Publish</h1>
      <form onSubmit=${submit}>
        <label for="publish-subject">Subject</label>
        <input id="publish-subject" required value=${subject} onInput=${(e: Event) => setSubject((e.target as HTMLInputElement).value)} />
        <label for="publish-data">Message</label>
        <textarea id="publish-data" rows="6" value=${data} onInput=${(e: Event) => setData((e.target as HTMLTextAreaElement).value)}></textarea>
        <label class="check"><input type="checkbox" checked=${byLine} onChange=${(e: Event) => setByLine((e.target as HTMLInputElement).checked)} /> One message per line (a batch)</label>
        <div class="actions"><button type="submit" disabled=${busy}>Publish</button></div>
      </form>
      ${results.length > 0
        ? html`<ol class="results" role="status" aria-label="Results">
            ${results.map((r) => html`<li class=${r.error ? 'error' : 'notice'}>${r.line > 0 ? `line ${r.line}: ` : ''}${r.text}</li>`)}
          </ol>`
        : null}
    </section>
  `;
}

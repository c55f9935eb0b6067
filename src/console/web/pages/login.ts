import { useState } from 'preact/hooks';
import { saveToken, savedToken } from '../api.js';
import { html } from '../html.js';

/** Asks for the token the broker wants (auth.tokens or the admin token) and keeps it for this tab. */
export function LoginPage({ onDone }: { onDone: () => void }) {
  const [token, setToken] = useState(savedToken());
  const submit = (event: Event) => {
    event.preventDefault();
    saveToken(token.trim());
    onDone();
  };
  return html`
    <section aria-labelledby="login-title">
      <h1 id="login-title">Token</h1>
      <p>The broker asks for a token (auth is on). It is kept in this tab only (sessionStorage) and sent as <code>Authorization: Bearer</code>.</p>
      <form onSubmit=${submit}>
        <label for="token">Token</label>
        <input id="token" name="token" type="password" autocomplete="current-password" value=${token} onInput=${(e: Event) => setToken((e.target as HTMLInputElement).value)} autofocus />
        <div class="actions">
          <button type="submit">Use this token</button>
          <button type="button" onClick=${() => { saveToken(''); setToken(''); onDone(); }}>Forget the token</button>
        </div>
      </form>
    </section>
  `;
}

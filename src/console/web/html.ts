/** JSX-like templates without a compile step: html`<p>${text}</p>` (text is always escaped). */
export { html } from 'htm/preact';

import { useLayoutEffect, useRef, useState } from 'preact/hooks';
import { html } from './html.js';

interface Props {
  /** The button's text, e.g. "Purge…". */
  label: string;
  /** Its accessible name where the text alone is ambiguous (one per row of a table). */
  name?: string;
  question: string;
  /** The confirming button's text, e.g. "Purge". */
  confirm: string;
  onConfirm: () => void;
}

/**
 * A destructive action in two steps: the button asks, then a confirming button and Cancel. For the
 * keyboard the focus goes to the confirming button when it asks and back to the first one when
 * cancelled (Cancel or Escape), so the action never loses the user's place.
 */
export function ConfirmButton({ label, name, question, confirm, onConfirm }: Props) {
  const [asking, setAsking] = useState(false);
  const opener = useRef<HTMLButtonElement>(null);
  const confirming = useRef<HTMLButtonElement>(null);
  const asked = useRef(false);
  useLayoutEffect(() => {
    if (asking) confirming.current?.focus();
    else if (asked.current) opener.current?.focus();
    asked.current = asking;
  }, [asking]);

  if (!asking) {
    return html`<button type="button" class="danger" ref=${opener} aria-label=${name} onClick=${() => setAsking(true)}>${label}</button>`;
  }
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Escape') setAsking(false);
  };
  return html`<span class="confirm" role="group" aria-label="Confirm" onKeyDown=${onKeyDown}>
    <span>${question}</span>
    <button type="button" class="danger" ref=${confirming} onClick=${() => { setAsking(false); onConfirm(); }}>${confirm}</button>
    <button type="button" onClick=${() => setAsking(false)}>Cancel</button>
  </span>`;
}

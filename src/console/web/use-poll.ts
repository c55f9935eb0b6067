import { useEffect, useState } from 'preact/hooks';
import { ApiError } from './api.js';

export interface Polled<T> {
  value?: T;
  error?: string;
  /** When `value` was read (ms), for rates between two reads. */
  at: number;
}

/**
 * Reads `load` now and every `everyMs` while the page shows it; a read starts only after the last
 * one ended, so a slow broker is never asked twice at once. Hidden tabs are not polled.
 */
export function usePoll<T>(load: (signal: AbortSignal) => Promise<T>, everyMs: number, key: unknown[]): [Polled<T>, () => void] {
  const [state, setState] = useState<Polled<T>>({ at: 0 });
  const [round, setRound] = useState(0);
  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const read = async () => {
      if (document.visibilityState !== 'hidden') {
        try {
          const value = await load(controller.signal);
          setState({ value, at: Date.now() });
        } catch (error) {
          if (controller.signal.aborted) return;
          setState((last) => ({ ...last, error: messageOf(error) }));
        }
      }
      if (!controller.signal.aborted) timer = setTimeout(read, everyMs);
    };
    void read();
    return () => {
      controller.abort();
      clearTimeout(timer);
    };
  }, [...key, round]);
  return [state, () => setRound((r) => r + 1)];
}

export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.message;
  return error instanceof Error ? error.message : String(error);
}

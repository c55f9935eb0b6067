/**
 * One sleeper at a time, woken by notify() or after a delay: how a push worker waits for a free
 * slot, a pause or a back-off. Its functions are made once, so a wait costs a promise, not a closure.
 */
export class Wakeup {
  private resolve?: () => void;
  private timer?: NodeJS.Timeout;
  private readonly capture = (resolve: () => void): void => {
    this.resolve = resolve;
  };
  private readonly fire = (): void => {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
    const resolve = this.resolve;
    this.resolve = undefined;
    resolve?.();
  };

  /** Until notify(), or `ms` (if given) have passed. A new wait ends the one before. */
  wait(ms?: number): Promise<void> {
    this.fire();
    const woken = new Promise<void>(this.capture);
    if (ms !== undefined) this.timer = setTimeout(this.fire, ms);
    return woken;
  }

  notify(): void {
    this.fire();
  }
}

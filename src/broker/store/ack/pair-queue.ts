/** A first-in first-out queue of (key, value) number pairs in typed arrays, growing by doubling. */
export class PairQueue {
  private keys = new Float64Array(16);
  private values = new Float64Array(16);
  private head = 0;
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The key at the front; Infinity when empty. */
  get frontKey(): number {
    return this.count > 0 ? this.keys[this.head] : Infinity;
  }

  get frontValue(): number {
    return this.values[this.head];
  }

  push(key: number, value: number): void {
    if (this.count === this.keys.length) this.grow();
    const at = (this.head + this.count) & (this.keys.length - 1);
    this.keys[at] = key;
    this.values[at] = value;
    this.count += 1;
  }

  shift(): void {
    this.head = (this.head + 1) & (this.keys.length - 1);
    this.count -= 1;
  }

  /** Keeps only the entries `keep` accepts, in their order. */
  retain(keep: (key: number, value: number) => boolean): void {
    const mask = this.keys.length - 1;
    let kept = 0;
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & mask;
      if (!keep(this.keys[from], this.values[from])) continue;
      const to = (this.head + kept) & mask;
      this.keys[to] = this.keys[from];
      this.values[to] = this.values[from];
      kept += 1;
    }
    this.count = kept;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    const values = new Float64Array(this.values.length * 2);
    for (let i = 0; i < this.count; i++) {
      const from = (this.head + i) & (this.keys.length - 1);
      keys[i] = this.keys[from];
      values[i] = this.values[from];
    }
    this.keys = keys;
    this.values = values;
    this.head = 0;
  }
}

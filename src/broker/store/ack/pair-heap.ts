/**
 * A binary min-heap of (key, value) number pairs in two typed arrays: no object per entry, so a
 * million entries cost 16 MB, not a million objects. Ties come out in no particular order.
 */
export class PairHeap {
  private keys = new Float64Array(16);
  private values = new Float64Array(16);
  private count = 0;

  get size(): number {
    return this.count;
  }

  /** The smallest key; Infinity when empty. */
  get minKey(): number {
    return this.count > 0 ? this.keys[0] : Infinity;
  }

  /** The value of the smallest key; undefined when empty. */
  get minValue(): number | undefined {
    return this.count > 0 ? this.values[0] : undefined;
  }

  /** The values, in no order (a copy). */
  valuesCopy(): number[] {
    return Array.from(this.values.subarray(0, this.count));
  }

  push(key: number, value: number): void {
    if (this.count === this.keys.length) this.grow();
    let i = this.count++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (this.keys[parent] <= key) break;
      this.keys[i] = this.keys[parent];
      this.values[i] = this.values[parent];
      i = parent;
    }
    this.keys[i] = key;
    this.values[i] = value;
  }

  /** Removes the smallest entry. */
  pop(): void {
    const last = --this.count;
    if (last <= 0) return;
    const key = this.keys[last];
    const value = this.values[last];
    let i = 0;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= last) break;
      if (child + 1 < last && this.keys[child + 1] < this.keys[child]) child += 1;
      if (this.keys[child] >= key) break;
      this.keys[i] = this.keys[child];
      this.values[i] = this.values[child];
      i = child;
    }
    this.keys[i] = key;
    this.values[i] = value;
  }

  private grow(): void {
    const keys = new Float64Array(this.keys.length * 2);
    const values = new Float64Array(this.values.length * 2);
    keys.set(this.keys);
    values.set(this.values);
    this.keys = keys;
    this.values = values;
  }
}

import { setImmediate as nextTurn } from 'node:timers/promises';

/**
 * Visits `items` `perTurn` at a time: the first slice in the caller's turn, each further slice in
 * a turn of its own, so a periodic check over every connection or stream (10,000 of them made a
 * turn of 10 to 15 ms each) leaves requests served in between. Iterating a Set or Map this way is
 * safe while it changes: what is deleted before it is reached is skipped, what is added is visited.
 */
export async function visitInSlices<T>(items: Iterable<T>, perTurn: number, visit: (item: T) => void): Promise<void> {
  let inSlice = 0;
  for (const item of items) {
    if (inSlice === perTurn) {
      await nextTurn();
      inSlice = 0;
    }
    visit(item);
    inSlice += 1;
  }
}

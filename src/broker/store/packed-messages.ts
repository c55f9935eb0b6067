import Denque from 'denque';

/** Messages a chunk holds: a power of two, so a position finds its chunk with a shift. */
const CHUNK_SHIFT = 8;
const CHUNK_SIZE = 1 << CHUNK_SHIFT;
const SLOT_MASK = CHUNK_SIZE - 1;
/** A new chunk's first columns: a subject holding a few messages pays for a few. */
const FIRST_CAPACITY = 4;
/** The largest chunk an emptied log keeps for reuse (rows). */
const REUSED_CAPACITY = 64;
/**
 * A full chunk of ASCII messages whose data adds up to no more than this is kept as one string.
 * The bound is what a half-dropped front chunk can keep alive beyond the byte limits' count.
 */
const MAX_JOINED_CHARS = 64 * 1024;

/**
 * Full-size columns of dropped chunks, kept for new ones (store-wide): allocating a typed array of
 * this size costs tens of microseconds, about what a publish request costs, while a subject that
 * is read as it is written drops a chunk for each one it fills. At most 64 (384 KiB).
 */
const spareColumns: Int32Array[] = [];
const MAX_SPARE_COLUMNS = 64;

/**
 * The numeric columns of a message, one Int32Array row each (its data lives outside the V8 heap).
 * They fit: a message is at most the body limit (256 MiB), its answer bytes at most six times that
 * (a body is JSON, already escaped), seconds since 2020 last until 2088, readers ≤ max-subscribers.
 */
const BYTES = 0;
const ANSWER_BYTES = 1;
const READERS = 2;
const PUBLISHED_S = 3;
const PUBLISHED_MS_PART = 4;
/** Where its data starts in the chunk's joined string. */
const JOINED_START = 5;
const STRIDE = 6;

/** Whole seconds since 2020 (as subject-log.ts's nowS) back to the Date.now() scale. */
const EPOCH_MS = Date.UTC(2020, 0, 1);

/**
 * Up to CHUNK_SIZE messages. Filling, it keeps each message's data string; once full, a chunk of
 * ASCII messages joins them into one string and hands out slices of it, so a million held messages
 * are about four thousand heap objects rather than two million, which is what keeps V8's garbage
 * collections short with millions of messages held (docs/decisions.md, "A packed message log").
 */
class Chunk {
  columns: Int32Array;
  /** Messages written in it (dropped ones included). */
  count = 0;
  /** Each message's data, until joined. */
  strings: string[] | undefined = [];
  joined: string | undefined;
  /** Whether every message so far is ASCII (its UTF-8 bytes are its length): a join keeps one byte per character. */
  ascii = true;
  chars = 0;
  /** A pattern's log: the subject each message was published to, and what it adds to an answer. */
  subjects: string[] | undefined;
  subjectBytes: number[] | undefined;

  constructor(capacity: number) {
    this.columns = (capacity === CHUNK_SIZE && spareColumns.pop()) || new Int32Array(capacity * STRIDE);
  }

  /** Gone from its log: its columns may serve another chunk. */
  release(): void {
    if (this.columns.length === CHUNK_SIZE * STRIDE && spareColumns.length < MAX_SPARE_COLUMNS) spareColumns.push(this.columns);
  }

  /** Empty again, its arrays kept (shortening an array would free its store, and the next push allocate it again). */
  reset(): void {
    const strings = this.strings!;
    for (let slot = 0; slot < this.count; slot++) strings[slot] = '';
    if (this.subjects) for (let slot = 0; slot < this.count; slot++) this.subjects[slot] = '';
    this.count = 0;
    this.ascii = true;
    this.chars = 0;
  }

  grow(): void {
    const wider = new Int32Array(Math.min(CHUNK_SIZE, (this.columns.length / STRIDE) * 2) * STRIDE);
    wider.set(this.columns);
    this.columns = wider;
  }

  /** Full: join the data if it is ASCII and small enough; the columns already have their final size. */
  seal(): void {
    const strings = this.strings!;
    if (!this.ascii || this.chars > MAX_JOINED_CHARS) return;
    let start = 0;
    for (let slot = 0; slot < CHUNK_SIZE; slot++) {
      this.columns[slot * STRIDE + JOINED_START] = start;
      start += strings[slot]!.length;
    }
    this.joined = strings.join('');
    this.strings = undefined;
  }

  data(slot: number): string {
    if (this.joined === undefined) return this.strings![slot]!;
    const start = this.columns[slot * STRIDE + JOINED_START]!;
    // ASCII: its byte count is its length.
    return this.joined.slice(start, start + this.columns[slot * STRIDE + BYTES]!);
  }
}

/**
 * A subject's messages in order, packed: index 0 is the front. The numbers of each message are a
 * row of a typed array, its data a string of its chunk. Appending and dropping from the front cost
 * O(1); reading any index costs O(1).
 */
export class PackedMessages {
  private readonly chunks = new Denque<Chunk>();
  /** Dropped messages at the start of the front chunk. */
  private head = 0;
  length = 0;

  push(data: string, bytes: number, answerBytes: number, publishedS: number, publishedMsPart: number, readers: number, subject?: string, subjectBytes?: number): void {
    let chunk = this.chunks.peekBack();
    if (!chunk || chunk.count === CHUNK_SIZE) {
      chunk?.seal();
      // After a full chunk, the next is made full at once: growing costs an allocation per doubling.
      chunk = new Chunk(chunk ? CHUNK_SIZE : FIRST_CAPACITY);
      this.chunks.push(chunk);
    }
    const slot = chunk.count;
    if ((slot + 1) * STRIDE > chunk.columns.length) chunk.grow();
    const row = slot * STRIDE;
    const { columns } = chunk;
    columns[row + BYTES] = bytes;
    columns[row + ANSWER_BYTES] = answerBytes;
    columns[row + READERS] = readers;
    columns[row + PUBLISHED_S] = publishedS;
    columns[row + PUBLISHED_MS_PART] = publishedMsPart;
    // A reset chunk's arrays are longer than its count: written in place.
    chunk.strings![slot] = data;
    chunk.chars += data.length;
    if (bytes !== data.length) chunk.ascii = false;
    if (subject !== undefined) {
      (chunk.subjects ??= [])[slot] = subject;
      (chunk.subjectBytes ??= [])[slot] = subjectBytes!;
    }
    chunk.count = slot + 1;
    this.length += 1;
  }

  /** Drops the front `count` messages (at most length). */
  shift(count: number): void {
    if (count >= this.length) {
      this.clear();
      return;
    }
    this.length -= count;
    let from = this.head;
    let head = this.head + count;
    while (head >= CHUNK_SIZE) {
      this.chunks.shift()!.release();
      head -= CHUNK_SIZE;
      from = 0;
    }
    // The dropped strings of a chunk not joined are let go now, not when the whole chunk is.
    const front = this.chunks.peekFront()!;
    if (front.strings) for (let slot = from; slot < head; slot++) front.strings[slot] = '';
    if (front.subjects) for (let slot = from; slot < head; slot++) front.subjects[slot] = '';
    this.head = head;
  }

  /** Empty. A small last chunk is kept for what comes next: a subject that is drained as it fills allocates nothing per message. */
  clear(): void {
    this.head = 0;
    this.length = 0;
    const { chunks } = this;
    while (chunks.length > 1) chunks.shift()!.release();
    const last = chunks.peekFront();
    if (!last) return;
    if (last.columns.length <= REUSED_CAPACITY * STRIDE && last.strings) last.reset();
    else chunks.shift()!.release();
  }

  data(index: number): string {
    const position = this.head + index;
    return this.chunks.peekAt(position >>> CHUNK_SHIFT)!.data(position & SLOT_MASK);
  }

  /** The data of `count` messages from `index` into `into` (from its start): a chunk at a time. */
  readData(index: number, count: number, into: string[]): void {
    let position = this.head + index;
    for (let taken = 0; taken < count; ) {
      const chunk = this.chunks.peekAt(position >>> CHUNK_SHIFT)!;
      const slot = position & SLOT_MASK;
      const end = Math.min(CHUNK_SIZE, slot + count - taken);
      const { joined, strings, columns } = chunk;
      if (joined === undefined) for (let at = slot; at < end; at++) into[taken++] = strings![at]!;
      else {
        for (let at = slot; at < end; at++) {
          const start = columns[at * STRIDE + JOINED_START]!;
          into[taken++] = joined.slice(start, start + columns[at * STRIDE + BYTES]!);
        }
      }
      position += end - slot;
    }
  }

  /**
   * Its data as a string of its own, for a caller that stores it again (a dead letter, a copy into
   * another log): a slice of a joined chunk would keep the whole chunk's string alive with it.
   */
  dataCopy(index: number): string {
    const position = this.head + index;
    const chunk = this.chunks.peekAt(position >>> CHUNK_SHIFT)!;
    const data = chunk.data(position & SLOT_MASK);
    // Joined data is ASCII: latin1 copies it byte for byte.
    return chunk.joined === undefined ? data : Buffer.from(data, 'latin1').toString('latin1');
  }

  /** UTF-8 bytes of its data, what the byte limits count. */
  bytes(index: number): number {
    return this.column(index, BYTES);
  }

  /** Bytes its data takes in a fetch answer: JSON-escaped, quoted, plus its comma. */
  answerBytes(index: number): number {
    return this.column(index, ANSWER_BYTES);
  }

  /** Subscribers whose next message (or lowest unsettled one) this is. */
  readers(index: number): number {
    return this.column(index, READERS);
  }

  addReaders(index: number, delta: number): void {
    const position = this.head + index;
    this.chunks.peekAt(position >>> CHUNK_SHIFT)!.columns[(position & SLOT_MASK) * STRIDE + READERS]! += delta;
  }

  /** Publish time in whole seconds since 2020. */
  publishedS(index: number): number {
    return this.column(index, PUBLISHED_S);
  }

  /** Publish time, Date.now() scale. */
  publishedMs(index: number): number {
    return this.column(index, PUBLISHED_S) * 1000 + EPOCH_MS + this.column(index, PUBLISHED_MS_PART);
  }

  /** In a pattern's log: the subject it was published to. */
  subject(index: number): string | undefined {
    const position = this.head + index;
    return this.chunks.peekAt(position >>> CHUNK_SHIFT)!.subjects?.[position & SLOT_MASK];
  }

  /** In a pattern's log: what `"subject":"…",` adds to its entry in `messages`; otherwise 0. */
  subjectBytes(index: number): number {
    const position = this.head + index;
    return this.chunks.peekAt(position >>> CHUNK_SHIFT)!.subjectBytes?.[position & SLOT_MASK] ?? 0;
  }

  private column(index: number, column: number): number {
    const position = this.head + index;
    return this.chunks.peekAt(position >>> CHUNK_SHIFT)!.columns[(position & SLOT_MASK) * STRIDE + column]!;
  }
}

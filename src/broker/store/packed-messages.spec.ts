import { PackedMessages } from './packed-messages.js';
import { seededRandom } from '../../../test/support/seeded-random.js';

interface Plain {
  data: string;
  bytes: number;
  answerBytes: number;
  readers: number;
  publishedS: number;
  msPart: number;
  subject?: string;
  subjectBytes?: number;
}

/** A message as the store writes it: bytes are its UTF-8 length. */
function plain(data: string, n: number, subject?: string): Plain {
  const bytes = Buffer.byteLength(data, 'utf8');
  return { data, bytes, answerBytes: bytes + 3, readers: n % 3, publishedS: 1000 + n, msPart: n % 1000, subject, subjectBytes: subject === undefined ? undefined : subject.length + 13 };
}

function push(sut: PackedMessages, m: Plain): void {
  sut.push(m.data, m.bytes, m.answerBytes, m.publishedS, m.msPart, m.readers, m.subject, m.subjectBytes);
}

function expectSame(sut: PackedMessages, model: Plain[]): void {
  expect(sut.length).toBe(model.length);
  // Read in runs of several lengths too, as a fetch does.
  for (const run of [1, 7, 300]) {
    for (let from = 0; from < model.length; from += run) {
      const count = Math.min(run, model.length - from);
      const into = new Array<string>(count);
      sut.readData(from, count, into);
      expect(into).toEqual(model.slice(from, from + count).map((m) => m.data));
    }
  }
  model.forEach((m, i) => {
    const got = {
      data: sut.data(i),
      bytes: sut.bytes(i),
      answerBytes: sut.answerBytes(i),
      readers: sut.readers(i),
      publishedS: sut.publishedS(i),
      msPart: sut.publishedMs(i) - (Date.UTC(2020, 0, 1) + sut.publishedS(i) * 1000),
      subject: sut.subject(i),
      subjectBytes: m.subject === undefined ? undefined : sut.subjectBytes(i),
    };
    expect(got).toEqual({ ...m, subject: m.subject, subjectBytes: m.subjectBytes });
  });
}

describe(PackedMessages.name, () => {
  it('reads back every field of every message across many chunks, joined or not', () => {
    const sut = new PackedMessages();
    const model: Plain[] = [];
    // ASCII chunks (joined), a chunk with one non-ASCII message, a chunk too large to join.
    for (let n = 0; n < 2000; n++) {
      const data = n === 700 ? 'é ünïcödé 😀' : n >= 1024 && n < 1280 ? 'x'.repeat(300) + n : `message-${n}`;
      const m = plain(data, n);
      model.push(m);
      push(sut, m);
    }
    expectSame(sut, model);
  });

  it('drops from the front one at a time and in runs that cross chunks', () => {
    const sut = new PackedMessages();
    let model: Plain[] = [];
    for (let n = 0; n < 1500; n++) {
      const m = plain(`m${n}`, n);
      model.push(m);
      push(sut, m);
    }
    for (const count of [1, 1, 3, 250, 1, 300, 511, 2]) {
      sut.shift(count);
      model = model.slice(count);
      expectSame(sut, model);
    }
  });

  it('counts readers where they are added', () => {
    const sut = new PackedMessages();
    const model: Plain[] = [];
    for (let n = 0; n < 600; n++) {
      const m = plain(`m${n}`, n);
      model.push(m);
      push(sut, m);
    }
    for (const index of [0, 255, 256, 599]) {
      sut.addReaders(index, 5);
      model[index]!.readers += 5;
      sut.addReaders(index, -1);
      model[index]!.readers -= 1;
    }
    expectSame(sut, model);
  });

  it('copies the data of a message for a caller that stores it again, joined chunk or not', () => {
    const sut = new PackedMessages();
    const model = Array.from({ length: 600 }, (_, n) => plain(n === 300 ? `ü-${n}` : `copy-me-${n}`, n));
    for (const m of model) push(sut, m);
    model.forEach((m, i) => expect(sut.dataCopy(i)).toBe(m.data));
  });

  it('keeps the subject of each message of a pattern log', () => {
    const sut = new PackedMessages();
    const model = Array.from({ length: 700 }, (_, n) => plain(`d${n}`, n, `orders.s${n % 7}`));
    for (const m of model) push(sut, m);
    expectSame(sut, model);
  });

  it('is empty and usable again after a clear, or after dropping everything', () => {
    const sut = new PackedMessages();
    for (let n = 0; n < 10; n++) push(sut, plain(`a${n}`, n));
    sut.shift(10);
    expect(sut.length).toBe(0);
    const model = [plain('after', 1), plain('again', 2)];
    for (const m of model) push(sut, m);
    expectSame(sut, model);
    sut.clear();
    expect(sut.length).toBe(0);
    push(sut, model[0]!);
    expectSame(sut, [model[0]!]);
  });

  it('agrees with a plain array over random pushes and drops', () => {
    const random = seededRandom(7);
    const sut = new PackedMessages();
    let model: Plain[] = [];
    for (let step = 0; step < 3000; step++) {
      const action = random(10);
      if (action < 7) {
        const m = plain(random(20) === 0 ? `ü${step}` : `s${step}`, step);
        model.push(m);
        push(sut, m);
      } else if (action < 9) {
        const count = Math.min(model.length, random(4) === 0 ? random(400) : random(3));
        sut.shift(count);
        model = model.slice(count);
      } else if (model.length > 0) {
        const index = random(model.length);
        sut.addReaders(index, 1);
        model[index]!.readers += 1;
      }
      if (step % 100 === 0) expectSame(sut, model);
    }
    expectSame(sut, model);
  });
});

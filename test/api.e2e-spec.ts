import { TestBroker, uniqueSubject } from './support/test-broker.js';

/** The original GopherMQ contract (shared/SEED-API.md), over real HTTP. */
describe('GopherMQ HTTP API', () => {
  let broker: TestBroker;

  beforeAll(async () => {
    broker = await TestBroker.start();
  });
  afterAll(() => broker.close());

  describe('GET /ready', () => {
    it('answers 204 with an empty body', async () => {
      const response = await fetch(`${broker.url}/ready`);
      expect(response.status).toBe(204);
      expect(await response.text()).toBe('');
    });
  });

  describe('POST /api/subscribe', () => {
    it('creates a subscriber with a fresh uuid', async () => {
      const subject = uniqueSubject();
      const first = await broker.post('/api/subscribe', { subject });
      const second = await broker.post('/api/subscribe', { subject });
      expect(first.status).toBe(200);
      expect(first.body).toEqual({ id: expect.stringMatching(/^[0-9a-f-]{36}$/), subject });
      expect(second.body.id).not.toBe(first.body.id);
    });

    it.each(['', 'a..b', '.a', 'a.', 'a b', 'a\tb', 'a\rb', 'a\nb', '.'])('refuses subject %j with 400 invalid subject', async (subject) => {
      const { status, body } = await broker.post('/api/subscribe', { subject });
      expect(status).toBe(400);
      expect(body.message).toBe('invalid subject');
    });

    it('accepts a subject of 256 characters and refuses 257 with 400 invalid subject, saying why', async () => {
      const prefix = uniqueSubject();
      const longest = prefix + '.' + 'x'.repeat(255 - prefix.length);
      expect((await broker.post('/api/subscribe', { subject: longest })).status).toBe(200);
      const { status, body } = await broker.post('/api/subscribe', { subject: longest + 'x' });
      expect(status).toBe(400);
      expect(body).toEqual({ message: 'invalid subject', errors: ['subject: invalid subject: longer than 256 characters'] });
    });

    it('treats a missing subject as an invalid subject, as the original did', async () => {
      const { status, body } = await broker.post('/api/subscribe', {});
      expect(status).toBe(400);
      expect(body.message).toBe('invalid subject');
    });
  });

  describe('POST /api/publish', () => {
    it('answers 404 subscriber not found when nobody listens', async () => {
      const { status, body } = await broker.publish(uniqueSubject(), 'x');
      expect(status).toBe(404);
      expect(body).toEqual({ message: 'subscriber not found' });
    });

    it('delivers to every subscriber, in publish order, and fetch removes what it returns', async () => {
      const subject = uniqueSubject();
      const [a, b] = [await broker.subscribe(subject), await broker.subscribe(subject)];
      for (const data of ['one', 'two', 'three']) {
        expect(await broker.publish(subject, data)).toMatchObject({ status: 200, body: { status: 'ok' } });
      }
      const fromA = await broker.fetchMessages(subject, a);
      expect(fromA.status).toBe(200);
      expect(fromA.body).toEqual({ subject, id: a, data: ['one', 'two', 'three'], remaining: 0 });
      expect((await broker.fetchMessages(subject, b)).body.data).toEqual(['one', 'two', 'three']);
      expect((await broker.fetchMessages(subject, a)).body.data).toEqual([]);
    });

    it('does not deliver messages published before the subscriber existed', async () => {
      const subject = uniqueSubject();
      const early = await broker.subscribe(subject);
      await broker.publish(subject, 'before');
      const late = await broker.subscribe(subject);
      await broker.publish(subject, 'after');
      expect((await broker.fetchMessages(subject, late)).body.data).toEqual(['after']);
      expect((await broker.fetchMessages(subject, early)).body.data).toEqual(['before', 'after']);
    });

    it('keeps subjects apart', async () => {
      const [one, two] = [uniqueSubject(), uniqueSubject()];
      const [idOne, idTwo] = [await broker.subscribe(one), await broker.subscribe(two)];
      await broker.publish(one, 'for one');
      expect((await broker.fetchMessages(two, idTwo)).body.data).toEqual([]);
      expect((await broker.fetchMessages(one, idOne)).body.data).toEqual(['for one']);
    });

    it('carries any string, including unicode and JSON text, unchanged', async () => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const data = ['{"a":[1,2]}', 'héllo wörld 🐹', '', ' \n\t '];
      for (const text of data) await broker.publish(subject, text);
      expect((await broker.fetchMessages(subject, id)).body.data).toEqual(data);
    });

    it('refuses an invalid subject before looking for subscribers', async () => {
      const { status, body } = await broker.publish('a..b', 'x');
      expect(status).toBe(400);
      expect(body.message).toBe('invalid subject');
    });
  });

  describe('POST /api/fetch', () => {
    it('answers data [] (never null) when nothing is pending', async () => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      const { status, body } = await broker.fetchMessages(subject, id);
      expect(status).toBe(200);
      expect(body.data).toEqual([]);
    });

    it('answers 404 bad id for an unknown id', async () => {
      const { status, body } = await broker.fetchMessages(uniqueSubject(), 'no-such-id');
      expect(status).toBe(404);
      expect(body).toEqual({ message: 'bad id' });
    });

    it('answers 404 bad id for an id of another subject', async () => {
      const id = await broker.subscribe(uniqueSubject());
      const { status, body } = await broker.fetchMessages(uniqueSubject(), id);
      expect(status).toBe(404);
      expect(body).toEqual({ message: 'bad id' });
    });

    it('answers 400 invalid subject for an invalid subject (the original answered 500)', async () => {
      const { status, body } = await broker.fetchMessages('bad subject', 'x');
      expect(status).toBe(400);
      expect(body.message).toBe('invalid subject');
    });
  });

  describe('bad input', () => {
    const routes = ['/api/publish', '/api/publish/async', '/api/subscribe', '/api/fetch', '/api/unsubscribe', '/api/publish/batch'];

    it.each(routes)('%s: malformed JSON is 400 "request\'s body is invalid"', async (route) => {
      const { status, body } = await broker.post(route, '{"subject": "a",');
      expect(status).toBe(400);
      expect(body).toEqual({ message: "request's body is invalid" });
    });

    it.each(routes)('%s: a body that is not an object is 400', async (route) => {
      for (const text of ['[1,2]', '"text"', '42', 'null']) {
        const { status, body } = await broker.post(route, text);
        expect(status).toBe(400);
        expect(body.message).toBe("request's body is invalid");
      }
    });

    it.each(routes)('%s: a body that is not JSON is 415', async (route) => {
      for (const contentType of ['text/plain', 'application/x-www-form-urlencoded', 'application/xml']) {
        const { status, body } = await broker.post(route, 'subject=a', { headers: { 'content-type': contentType } });
        expect(status).toBe(415);
        expect(body.message).toBe('unsupported media type: send application/json');
      }
    });

    it('a mistyped field is 400 and names the field', async () => {
      const { status, body } = await broker.post('/api/publish', { subject: 'a', data: 5 });
      expect(status).toBe(400);
      expect(body).toEqual({ message: "request's body is invalid", errors: ['data: must be a string'] });
    });

    it('a subject of the wrong type is 400 request\'s body is invalid', async () => {
      const { status, body } = await broker.post('/api/subscribe', { subject: ['a'] });
      expect(status).toBe(400);
      expect(body.message).toBe("request's body is invalid");
      expect(body.errors).toContain('subject: must be a string');
    });

    it('a missing id on fetch is 400 and names the field', async () => {
      const { status, body } = await broker.post('/api/fetch', { subject: 'a' });
      expect(status).toBe(400);
      expect(body.errors).toEqual(['id: is required']);
    });

    it('an unknown route is 404 with a string message', async () => {
      const { status, body } = await broker.post('/api/nothing-here', {});
      expect(status).toBe(404);
      expect(typeof body.message).toBe('string');
    });

    it('no error body carries a stack trace', async () => {
      const answers = await Promise.all([
        broker.post('/api/publish', '{'),
        broker.post('/api/publish', { subject: 1 }),
        broker.post('/api/fetch', { subject: 'a', id: 'b' }),
      ]);
      for (const { body } of answers) {
        expect(typeof body.message).toBe('string');
        expect(JSON.stringify(body)).not.toMatch(/at .*\.(js|ts):\d+/);
      }
    });
  });

  describe('OpenAPI', () => {
    // With rate limits on every API route may answer 429, the batch route too (its entries' own refusals are in its 200).
    it('lists 429 `rate limit exceeded` for every API route, the batch route included, when rate limits are on', async () => {
      await TestBroker.using({ RATE__LIMIT_MAX: '1', RATE__LIMIT_WINDOW__MS: '60000' }, async (limited) => {
        const document: any = await (await fetch(`${limited.url}/docs-json`)).json();
        const routes = Object.keys(document.paths).filter((path) => path.startsWith('/api/'));
        expect(routes).toEqual(expect.arrayContaining(['/api/publish/batch', '/api/fetch', '/api/ack']));
        // One request a minute per client address: this one uses it up, and every route answers 429 after it.
        await limited.post('/api/publish', {});
        for (const route of routes) {
          // The management API's GET routes too, a path parameter filled in.
          const method = document.paths[route].post ? 'post' : 'get';
          const url = route.replace('{subject}', 'x') + (route === '/api/stream' ? '?subject=a' : ''); // GET /api/stream: its query does not matter here
          const answer = method === 'post' ? await limited.post(url, {}) : { status: (await fetch(limited.url + url)).status };
          const documented = document.paths[route][method].responses['429'];
          expect({ route, status: answer.status === 429 ? 429 : 'not limited', documented: `${documented?.description} ${JSON.stringify(documented?.content['application/json'].example)}` }).toEqual({
            route,
            status: 429,
            documented: expect.stringMatching(/rate limit exceeded/),
          });
        }
      });
    });

    it('describes every route with its request schema and error answers at /docs-json', async () => {
      const document: any = await (await fetch(`${broker.url}/docs-json`)).json();
      const routes = ['/api/publish', '/api/publish/async', '/api/publish/batch', '/api/subscribe', '/api/unsubscribe', '/api/fetch'];
      for (const route of routes) {
        const operation = document.paths[route]?.post;
        expect(operation).toBeDefined();
        expect(operation.requestBody.content['application/json'].schema.$ref).toMatch(/Dto$/);
        expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['200', '400']));
      }
      expect(document.paths['/ready'].get.responses['204']).toBeDefined();
      expect(document.paths['/api/subscribe'].post.responses['429'].content['application/json'].example).toEqual({ message: 'too many subscribers' });
      expect(document.paths['/api/publish'].post.responses['429'].content['application/json'].example).toEqual({ message: 'broker overflow' });
      expect(document.paths['/api/publish/async'].post.responses['429'].content['application/json'].example).toEqual({ message: 'async queue full' });
      expect(document.components.schemas.FetchRequestDto.properties.waitMs.maximum).toBe(30000);
      expect(document.paths['/api/publish'].post.responses['404'].content['application/json'].example).toEqual({ message: 'subscriber not found' });
      expect(document.paths['/api/fetch'].post.responses['404'].content['application/json'].example).toEqual({ message: 'bad id' });
      for (const [schema, property] of [['FetchRequestDto', 'max'], ['FetchRequestDto', 'waitMs'], ['FetchResponseDto', 'remaining']]) {
        expect([schema, property, document.components.schemas[schema].properties[property].type]).toEqual([schema, property, 'integer']);
      }
      for (const route of routes) {
        const { responses } = document.paths[route].post;
        expect([route, responses['200'].description]).toEqual([route, expect.stringMatching(/\w/)]);
        expect([route, responses['500']?.content['application/json'].example]).toEqual([route, { message: 'server error' }]);
      }
      expect(document.components.schemas.PublishRequestDto.required).toEqual(expect.arrayContaining(['subject', 'data']));
    });

    it('serves Swagger UI at /docs', async () => {
      const response = await fetch(`${broker.url}/docs`);
      expect(response.status).toBe(200);
      expect(await response.text()).toContain('swagger-ui');
    });
  });
});

describe('limits', () => {
  it('refuses a publish past broker.max-pending with 429 broker overflow and stores nothing of it', async () => {
    await TestBroker.using({ BROKER_MAX__PENDING: '3' }, async (broker) => {
      const subject = uniqueSubject();
      const [a, b] = [await broker.subscribe(subject), await broker.subscribe(subject)];
      for (const data of ['1', '2', '3']) expect((await broker.publish(subject, data)).status).toBe(200);
      const refused = await broker.publish(subject, '4');
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ message: 'broker overflow' });
      expect((await broker.fetchMessages(subject, a)).body.data).toEqual(['1', '2', '3']);
      // Still held by b: the limit counts each message once, whatever the number of subscribers.
      expect((await broker.publish(subject, '5')).status).toBe(429);
      expect((await broker.fetchMessages(subject, b)).body.data).toEqual(['1', '2', '3']);
      // Freed by the last fetch: room again.
      expect((await broker.publish(subject, '6')).status).toBe(200);
    });
  });

  it('refuses a publish past broker.max-pending-bytes', async () => {
    await TestBroker.using({ BROKER_MAX__PENDING__BYTES: '10' }, async (broker) => {
      const subject = uniqueSubject();
      const id = await broker.subscribe(subject);
      expect((await broker.publish(subject, '12345678')).status).toBe(200);
      expect((await broker.publish(subject, 'abc')).status).toBe(429);
      expect((await broker.publish(subject, 'ab')).status).toBe(200);
      expect((await broker.fetchMessages(subject, id)).body.data).toEqual(['12345678', 'ab']);
    });
  });

  it('refuses a subscribe past broker.max-subscribers with 429 too many subscribers, until one leaves', async () => {
    await TestBroker.using({ BROKER_MAX__SUBSCRIBERS: '2' }, async (broker) => {
      const subject = uniqueSubject();
      const first = await broker.subscribe(subject);
      await broker.subscribe(uniqueSubject());
      const refused = await broker.post('/api/subscribe', { subject });
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ message: 'too many subscribers' });
      expect((await broker.post('/api/unsubscribe', { subject, id: first })).status).toBe(200);
      expect((await broker.post('/api/subscribe', { subject })).status).toBe(200);
    });
  });

  it('refuses a body over broker.body-limit-bytes with 413', async () => {
    await TestBroker.using({ BROKER_BODY__LIMIT__BYTES: '2048' }, async (broker) => {
      const subject = uniqueSubject();
      await broker.subscribe(subject);
      const { status, body } = await broker.publish(subject, 'x'.repeat(4096));
      expect(status).toBe(413);
      expect(body).toEqual({ message: 'request body too large' });
      expect((await broker.publish(subject, 'x'.repeat(1000))).status).toBe(200);
    });
  });
});

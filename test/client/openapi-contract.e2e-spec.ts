import { readFileSync, writeFileSync } from 'node:fs';
import { ROUTES } from '@gophermq/client';
import { CLIENT_OPENAPI_FILE, clientOpenApiTypes } from '../support/client-openapi.js';
import { TestBroker } from '../support/test-broker.js';

/**
 * The client is typed from client/src/openapi.ts; these tests keep that file and the client's route
 * table equal to what the broker serves at /docs-json, so a changed DTO or a new route fails here
 * until the client follows (`npm run client:openapi` writes the file again).
 */
describe('the client against the broker\'s OpenAPI document', () => {
  let broker: TestBroker;
  let document: { paths: Record<string, Record<string, unknown>> };
  beforeAll(async () => {
    broker = await TestBroker.start();
    document = (await (await fetch(`${broker.url}/docs-json`)).json()) as typeof document;
  });
  afterAll(() => broker.close());

  it('has the types of every request and answer as the broker describes them', async () => {
    const expected = await clientOpenApiTypes(document);
    if (process.env.UPDATE_CLIENT_OPENAPI === '1') writeFileSync(CLIENT_OPENAPI_FILE, expected);
    expect(readFileSync(CLIENT_OPENAPI_FILE, 'utf8')).toBe(expected);
  });

  it('calls every route the broker serves, with its method, and no other', () => {
    const served = Object.entries(document.paths)
      .flatMap(([path, item]) => Object.keys(item).filter((key) => ['get', 'post', 'put', 'delete', 'patch'].includes(key)).map((method) => `${method.toUpperCase()} ${path}`))
      .sort();
    const called = Object.values(ROUTES).map(({ method, path }) => `${method} ${path}`).sort();
    expect(called).toEqual(served);
  });
});

import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Where `npm run build` puts the console (src/console/build-console.mjs): beside this module in
 * dist, or, for this module run from src (the tests), in dist of the same checkout.
 */
const STATIC_ROOTS = [new URL('./static/', import.meta.url), new URL('../../dist/console/static/', import.meta.url)].map((url) => fileURLToPath(url));

/**
 * The web console at /console: a page, a script and a style sheet, with no data in them. Open
 * like /docs: what it shows comes from the API, which asks for the token when auth is on, so the
 * page itself needs none (it asks for one when the API answers 401).
 */
export async function serveConsole(app: NestFastifyApplication): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  const root = STATIC_ROOTS.find((folder) => existsSync(`${folder}/index.html`));
  if (root === undefined) {
    fastify.get('/console*', (_request, reply) => reply.code(404).send({ message: 'the console is not built: run npm run build' }));
    return;
  }
  await fastify.register(fastifyStatic, {
    root,
    prefix: '/console/',
    decorateReply: false,
    index: ['index.html'],
    // The files change with each build, and the page is small: always revalidated.
    cacheControl: true,
    maxAge: 0,
    setHeaders: (reply) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('content-security-policy', "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'");
    },
  });
  fastify.get('/console', (_request, reply) => reply.redirect('/console/', 302));
}

import openapiTS, { astToString } from 'openapi-typescript';

/** Where the client keeps the types of the broker's OpenAPI document. */
export const CLIENT_OPENAPI_FILE = 'client/src/openapi.ts';

const HEADER = `/**
 * The broker's API as its OpenAPI document (/docs-json) describes it, by openapi-typescript.
 * Generated: do not edit. \`npm run client:openapi\` writes it again from the broker's DTOs, and
 * test/client/openapi-contract.e2e-spec.ts fails while it differs from what the broker serves.
 */
/* eslint-disable */
`;

/** The text of client/src/openapi.ts for this document. */
export async function clientOpenApiTypes(document: unknown): Promise<string> {
  // A field with a default (maxAckPending, delayMs) is still optional in a request.
  const ast = await openapiTS(document as Parameters<typeof openapiTS>[0], { defaultNonNullable: false });
  return HEADER + astToString(ast);
}

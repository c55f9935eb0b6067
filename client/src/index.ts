export { GopherMQ, DEFAULT_URL, type ClientOptions, type CallOptions } from './client.js';
export { Consumer, defaultNackDelayMs, type ConsumeOptions, type ConsumeTarget, type HandlerContext, type MessageHandler } from './consumer.js';
export { GopherMQError, GopherMQConnectionError } from './errors.js';
export { FetchSource, type ConsumedMessage, type MessageSource } from './message-source.js';
export { DEFAULT_RETRY, type RetryOptions } from './retry.js';
export { ROUTES, MAX_SEQS_PER_REQUEST, type Route, type RetryPolicy } from './routes.js';
export { FetchTransport, type Transport, type TransportRequest, type TransportResponse } from './transport.js';
export type * from './types.js';

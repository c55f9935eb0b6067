import type { components, paths } from './openapi.js';

type Schemas = components['schemas'];
type PostOf<P extends keyof paths> = paths[P] extends { post: infer Operation } ? Operation : never;
/** The JSON body a route takes, as the broker's OpenAPI document says. */
export type RequestOf<P extends keyof paths> = PostOf<P> extends { requestBody: { content: { 'application/json': infer Body } } } ? Body : never;
/** The JSON body of a route's 200 answer, as the broker's OpenAPI document says. */
export type AnswerOf<P extends keyof paths> = PostOf<P> extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;

/** One message to publish: a subject and its data (any string). */
export type Message = RequestOf<'/api/publish'>;
/** Each entry's outcome, in the order sent: `{status: 'ok'}`, or `{message}` when refused. */
export type PublishBatchAnswer = AnswerOf<'/api/publish/batch'>;
export type PublishResult = Schemas['PublishResultDto'];

/** Where a subscriber starts: `new` (default), `all`, `last`, `{fromSeq}` or `{fromTime}` (RFC 3339); anything but `new` needs a retained subject. */
export type Deliver = NonNullable<RequestOf<'/api/subscribe'>['deliver']>;
/** Everything a subscribe may ask besides the subject: a durable `name`, `deliver`, and acknowledged delivery (`ackWaitMs`, `maxDeliveries`, `deadLetterSubject`, `maxAckPending`). */
export type SubscribeOptions = Omit<RequestOf<'/api/subscribe'>, 'subject'>;
/** A subscriber, as subscribe answers it: pass it to fetch, ack, nack, extend, unsubscribe and consume. */
export type Subscription = Omit<AnswerOf<'/api/subscribe'>, 'deliver'> & { deliver?: Deliver };
/** Which subscriber a call is about: a `Subscription`, or its subject and id. */
export type SubscriberRef = Pick<Subscription, 'subject' | 'id'>;

/** How many messages a fetch takes at most (`max`, 1–10,000) and how long it waits for one when none is pending (`waitMs`, up to 30,000). */
export type FetchOptions = Omit<RequestOf<'/api/fetch'>, 'subject' | 'id'>;
export type FetchAnswer = AnswerOf<'/api/fetch'>;
/** A message with its seq (acknowledged subscribers, retained subjects), delivery count and publish time. */
export type DeliveredMessage = Schemas['DeliveredMessageDto'];

export type AckAnswer = AnswerOf<'/api/ack'>;
export type NackAnswer = AnswerOf<'/api/nack'>;
export type ExtendAnswer = AnswerOf<'/api/extend'>;
export type NackOptions = Pick<RequestOf<'/api/nack'>, 'delayMs'>;
export type StatusAnswer = AnswerOf<'/api/publish'>;
/** Every error body: `message`, and for a validation error `errors` (and `errorCount`). */
export type ErrorAnswer = Schemas['ErrorResponseDto'];

import type { components, paths } from './openapi.js';

type Schemas = components['schemas'];
type PostOf<P extends keyof paths> = paths[P] extends { post: infer Operation } ? Operation : never;
type GetOf<P extends keyof paths> = paths[P] extends { get: infer Operation } ? Operation : never;
/** The JSON body a route takes, as the broker's OpenAPI document says. */
export type RequestOf<P extends keyof paths> = PostOf<P> extends { requestBody: { content: { 'application/json': infer Body } } } ? Body : never;
/** The JSON body of a route's 200 answer, as the broker's OpenAPI document says. */
export type AnswerOf<P extends keyof paths> = PostOf<P> extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;
/** The query parameters of a GET route, as the broker's OpenAPI document says. */
export type QueryOf<P extends keyof paths> = GetOf<P> extends { parameters: { query?: infer Query } } ? NonNullable<Query> : never;
/** The JSON body of a GET route's 200 answer, as the broker's OpenAPI document says. */
export type GetAnswerOf<P extends keyof paths> = GetOf<P> extends { responses: { 200: { content: { 'application/json': infer Body } } } } ? Body : never;

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

/**
 * How many messages a fetch takes at most (`max`, 1–10,000), how long it waits for one when none is
 * pending (`waitMs`, up to 30,000), and the seqs it acks first (`ack`, at most 1000; acknowledged subscribers).
 */
export type FetchOptions = Omit<RequestOf<'/api/fetch'>, 'subject' | 'id' | 'ack'> & { ack?: readonly number[] };
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

/**
 * What a stream takes besides the subject: `id` (an existing subscriber; absent: an ephemeral one,
 * removed when the stream ends), `maxInFlight` (an acknowledged subscriber's unacked messages while
 * it streams), and for an ephemeral subscriber on a retained subject `deliver`, `fromSeq` or `fromTime`.
 */
export type StreamOptions = Omit<QueryOf<'/api/stream'>, 'subject' | 'access_token'>;
/** A message as the stream delivers it: its subject, seq and data, `time` on a retained subject, `deliveries` for an acknowledged subscriber. */
export type StreamedMessage = { subject: string } & DeliveredMessage;
/** Why a stream ended: the broker's `close` event (`unsubscribed`, `shutdown`), or `closed` when this side closed it. */
export type StreamEndReason = 'unsubscribed' | 'shutdown' | 'closed';

/** Which subjects to list: `prefix`, `limit` (1..1000, default 100), `cursor` (a page's `next`). */
export type SubjectsQuery = QueryOf<'/api/admin/subjects'>;
/** One page of subjects with their figures; `next` is the cursor of the next page, null at the end. */
export type SubjectPage = GetAnswerOf<'/api/admin/subjects'>;
export type SubjectFigures = Schemas['SubjectFiguresDto'];
/** A page of a subject's subscribers: `limit`, `cursor`. */
export type SubjectQuery = QueryOf<'/api/admin/subjects/{subject}'>;
/** A subject's figures and one page of its subscribers. */
export type SubjectDetail = GetAnswerOf<'/api/admin/subjects/{subject}'>;
export type SubscriberFigures = Schemas['SubscriberFiguresDto'];
/** A peek: `id` (a store id; absent: the subject's oldest messages) and `max` (1..100, default 10). */
export type PeekOptions = Omit<RequestOf<'/api/admin/peek'>, 'subject'>;
export type PeekedMessage = Schemas['PeekedMessageDto'];
/** A purge: `id` (a store id; absent: every subscriber of the subject). */
export type PurgeOptions = Omit<RequestOf<'/api/admin/purge'>, 'subject'>;
/** The broker's figures: version, store, uptime, instances, counts, limits, totals. */
export type BrokerStats = GetAnswerOf<'/api/admin/stats'>;

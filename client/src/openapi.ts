/**
 * The broker's API as its OpenAPI document (/docs-json) describes it, by openapi-typescript.
 * Generated: do not edit. `npm run client:openapi` writes it again from the broker's DTOs, and
 * test/client/openapi-contract.e2e-spec.ts fails while it differs from what the broker serves.
 */
/* eslint-disable */
export interface paths {
    "/api/publish": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Publish a message to every subscriber of a subject */
        post: operations["PublishController_publish"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/publish/batch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Publish several messages in order; each succeeds or fails on its own
         * @description A malformed entry refuses the whole batch with 400 naming its index, and nothing is published.
         */
        post: operations["PublishController_publishBatch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/publish/async": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Accept a message and publish it in the background
         * @description Answers once the message is queued. A background failure (no subscriber, overflow) is counted in gophermq_async_publish_failures_total and logged; the client is not told.
         */
        post: operations["AsyncPublishController_publish"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/subscribe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Create a subscriber that receives every later message on the subject
         * @description At most once by default; with ackWaitMs, at least once: fetched messages stay in flight until acked, nacked or their deadline passes. With a name: the subscriber of that name on the subject, created by the first such subscribe. With pushUrl: a push subscriber (webhook), whose messages the broker POSTs to that URL, a 2xx answer acking each.
         */
        post: operations["SubscribeController_subscribe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/unsubscribe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Remove a subscriber and release its pending messages
         * @description A fetch waiting for this subscriber answers at once with what it has.
         */
        post: operations["SubscribeController_unsubscribe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/fetch": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Take the pending messages of a subscriber, optionally waiting for one
         * @description At most once: the messages taken are gone. For an acknowledged subscriber (subscribed with ackWaitMs) they are in flight until acked, nacked or their deadline passes, and `messages` gives their seqs (with `lean`: `seqs` and `deliveries`, arrays beside `data`).
         */
        post: operations["FetchController_fetch"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/ack": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Done: settle in-flight messages for good
         * @description Idempotent: seqs that are unknown, settled already, or no longer in flight (deadline passed, nacked) are not errors; they do not count.
         */
        post: operations["AckController_ack"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/nack": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Not done: make in-flight messages available again, now or after delayMs
         * @description They are delivered again before newer messages, lowest seq first; a waiting fetch is woken.
         */
        post: operations["AckController_nack"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/extend": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /** Still working: restart the deadline of in-flight messages (ackWaitMs from now) */
        post: operations["AckController_extend"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/stream": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * Stream the messages of a subscriber as they become available (Server-Sent Events or JSON lines)
         * @description What a fetch would take, without polling: each message is taken when it is written to the stream (at most once; in flight until acked for an acknowledged subscriber). Without `id`, an ephemeral subscriber is created for the stream and removed when it ends. `Accept: application/x-ndjson` answers one JSON object per line; anything else, Server-Sent Events. The token may be sent as `access_token` in the query (for EventSource, which cannot send headers): URLs end up in proxies' logs, the broker's own logs never print it. Keep-alives every broker.stream-heartbeat seconds; the stream ends with a `close` event on unsubscribe or shutdown.
         */
        get: operations["StreamController_stream"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/ready": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Readiness: 204 while the broker accepts requests */
        get: operations["ReadyController_ready"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/subjects": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /**
         * List subjects with their figures
         * @description Ordered by subject (code points); pages resume after the last subject seen, so subjects that come and go never shift a page.
         */
        get: operations["AdminController_subjects"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/subjects/{subject}": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** A subject's figures and its subscribers (a page, ordered by id) */
        get: operations["AdminController_subject"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/peek": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Look at the next messages of a subscriber, or the oldest of a subject, without taking them
         * @description Nothing changes: no delivery, no activity, no expiry.
         */
        post: operations["AdminController_peek"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/purge": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Drop the pending messages of a subject, or of one subscriber
         * @description What each subscriber could fetch now is gone; messages in flight stay until settled. Without id on a retained subject its retained messages go too.
         */
        post: operations["AdminController_purge"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/unsubscribe": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        get?: never;
        put?: never;
        /**
         * Remove any subscriber (a forced unsubscribe)
         * @description By its store id; its waiting fetches answer at once.
         */
        post: operations["AdminController_unsubscribe"];
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
    "/api/admin/stats": {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        /** Broker-wide counts, limits, uptime, version, store */
        get: operations["AdminController_stats"];
        put?: never;
        post?: never;
        delete?: never;
        options?: never;
        head?: never;
        patch?: never;
        trace?: never;
    };
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        PublishRequestDto: {
            /**
             * @description One subject: a token that is exactly `*` or `>` (a wildcard) is 400 `invalid subject`. Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description The message, any string
             * @example {"orderId":42}
             */
            data: string;
        };
        StatusResponseDto: {
            /** @example ok */
            status: string;
        };
        ErrorResponseDto: {
            /** @example invalid subject */
            message: string;
            /**
             * @description The fields that failed validation: every one, or the first 20 when there were more (see errorCount)
             * @example [
             *       "subject: invalid subject"
             *     ]
             */
            errors?: string[];
            /**
             * @description How many fields failed, when more than the 20 listed in errors; absent otherwise
             * @example 2000
             */
            errorCount?: number;
        };
        PublishBatchRequestDto: {
            /**
             * @description Published in order; at most broker.max-batch-size entries (default 1000)
             * @example [
             *       {
             *         "subject": "orders.created",
             *         "data": "{\"orderId\":42}"
             *       },
             *       {
             *         "subject": "orders.paid",
             *         "data": "{\"orderId\":42}"
             *       }
             *     ]
             */
            messages: components["schemas"]["PublishRequestDto"][];
        };
        PublishResultDto: {
            /** @example ok */
            status?: string;
            /**
             * @example subscriber not found
             * @enum {string}
             */
            message?: "invalid subject" | "subscriber not found" | "broker overflow" | "forbidden";
        };
        PublishBatchResponseDto: {
            /**
             * @description One result per entry, in the order sent
             * @example [
             *       {
             *         "status": "ok"
             *       },
             *       {
             *         "message": "subscriber not found"
             *       }
             *     ]
             */
            results: components["schemas"]["PublishResultDto"][];
        };
        SubscribeRequestDto: {
            /**
             * @description A subject, or a pattern (wildcard subscription): a token that is exactly `*` matches one token, a last token `>` one or more (`orders.*`, `orders.>`, `>`). A pattern subscriber gets what is published to every subject it matches (with `deliver`, the retained messages of those subjects first); its fetch answers carry `messages` with each message's `subject`. Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description A durable name, unique on the subject: the first subscribe with it creates the subscriber, every later one (on any broker sharing the store) answers the same id and settings, and refreshes its activity. Other settings: 409. Consumers using one name share its messages. Not removed by broker.subscriber-idle-timeout; with auth on, the name belongs to the token that created it
             * @example billing
             */
            name?: string;
            /**
             * @description Where it starts: `new` (default: what is published after the subscribe), `all` (every retained message, oldest first, then new ones), `last` (the newest retained message, then new ones), `{"fromSeq": N}` (the first retained message with seq ≥ N) or `{"fromTime": "<RFC 3339 time>"}` (the first published at or after it). Anything but `new` needs a retained subject (400 `subject does not retain messages`). On a pattern: per retained subject it matches (`all`, `last`, `fromTime`; subjects without retention give new messages), each subject's retained messages first and in seq order; `fromSeq` is refused on a pattern (400: seqs are per subject). Part of a named subscriber's settings
             * @example all
             */
            deliver?: ("new" | "all" | "last") | {
                fromSeq: number;
            } | {
                /** Format: date-time */
                fromTime: string;
            };
            /**
             * @description Turns on acknowledged delivery (at least once): a fetched message not acked within this many milliseconds is delivered again. Absent: at most once, as before
             * @example 30000
             */
            ackWaitMs?: number;
            /**
             * @description Only with ackWaitMs: after this many deliveries without an ack a message is not delivered again (dead-lettered or dropped). Absent: no limit
             * @example 5
             */
            maxDeliveries?: number;
            /**
             * @description Only with ackWaitMs: most of its messages in flight (fetched, not yet acked, nacked or past their deadline) at once; a fetch takes fewer past it (`remaining` still counts them), and a waiting fetch is answered when an ack makes room. Default 1000
             * @default 1000
             * @example 100
             */
            maxAckPending?: number;
            /**
             * @description Only with maxDeliveries, and not the subject itself: a message delivered maxDeliveries times without an ack is published here, as an ordinary message. Absent: it is dropped. Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created.dead
             */
            deadLetterSubject?: string;
            /**
             * Format: uri
             * @description Makes a push subscriber (webhook): the broker POSTs each message to this URL as JSON `{"subject","seq","data","deliveries","id"}`; a 2xx answer acks it, anything else (or a time-out, push.timeout-ms) is retried with backoff (1 s doubling to 60 s, jittered; a `Retry-After` on 429/503 is honoured) up to maxDeliveries. Always acknowledged (ackWaitMs default 30000, above push.timeout-ms). It must start with an entry of push.allowed-urls (400 `push URL not allowed`; with none, 400 `push delivery is not enabled`). Not with name or maxAckPending
             * @example https://hooks.internal/orders
             */
            pushUrl?: string;
            /**
             * @description Only with pushUrl: most push requests in flight for this subscriber at once, over every broker sharing the store (its maxAckPending). Default 10
             * @default 10
             * @example 10
             */
            pushConcurrency?: number;
        };
        SubscriptionDto: {
            /**
             * @description Pass it to fetch
             * @example 3b241101-e2bb-4255-8caf-4136c566a962
             */
            id: string;
            /** @example orders.created */
            subject: string;
            /**
             * @description Present for a named subscriber
             * @example billing
             */
            name?: string;
            /**
             * @description Present when it was given: the `deliver` of the request
             * @example all
             */
            deliver?: string | Record<string, never>;
            /**
             * @description Present for an acknowledged subscriber
             * @example 30000
             */
            ackWaitMs?: number;
            /**
             * @description Present when it was given
             * @example 5
             */
            maxDeliveries?: number;
            /**
             * @description Present when it was given
             * @example orders.created.dead
             */
            deadLetterSubject?: string;
            /**
             * @description Present for an acknowledged subscriber: the one given, or 1000
             * @example 1000
             */
            maxAckPending?: number;
            /**
             * @description Present for a push subscriber: the URL it is pushed to, as the URL parser normalised it
             * @example https://hooks.internal/orders
             */
            pushUrl?: string;
            /**
             * @description Present for a push subscriber: the one given, or 10
             * @example 10
             */
            pushConcurrency?: number;
        };
        UnsubscribeRequestDto: {
            /**
             * @description Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description The id subscribe returned
             * @example 3b241101-e2bb-4255-8caf-4136c566a962
             */
            id: string;
        };
        FetchRequestDto: {
            /**
             * @description Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description The id subscribe returned
             * @example 3b241101-e2bb-4255-8caf-4136c566a962
             */
            id: string;
            /**
             * @description Most messages to return, oldest first; when absent, up to 10,000 within broker.max-fetch-bytes
             * @example 100
             */
            max?: number;
            /**
             * @description When nothing is pending, wait up to this long for a message (long-poll)
             * @example 20000
             */
            waitMs?: number;
            /**
             * @description Acknowledged subscribers: seqs to ack before taking (what POST /api/ack does, in the same request: a consumer loop sends one request per batch, not two). The answer then says how many were acked in `acked`; on an at-most-once subscriber 400 `subscriber does not use acknowledgements` and nothing is taken
             * @example [
             *       15,
             *       16
             *     ]
             */
            ack?: number[];
            /**
             * @description The lean answer: where `messages` would be (an acknowledged subscriber, a retained subject, a pattern), each message's data only in `data` and beside it, in the same order, `seqs`, and `deliveries` (acknowledged), `times` (retained), `subjects` (pattern). More messages fit broker.max-fetch-bytes, as each is written once. Absent or false: `messages`, as always
             * @example true
             */
            lean?: boolean;
        };
        DeliveredMessageDto: {
            /**
             * @description Only for a subscriber of a wildcard subject (a pattern): the subject the message was published to
             * @example orders.eu
             */
            subject?: string;
            /**
             * @description Positive, increasing per subject in publish order, the same for every subscriber; pass it to ack, nack or extend
             * @example 17
             */
            seq: number;
            /** @example {"orderId":42} */
            data: string;
            /**
             * @description Only on a retained subject: when it was published, RFC 3339 with milliseconds (UTC)
             * @example 2026-12-03T14:29:07.123Z
             */
            time?: string;
            /**
             * @description Only for an acknowledged subscriber: 1 on the first delivery to this subscriber, 2 on the first redelivery, …
             * @example 1
             */
            deliveries?: number;
        };
        FetchResponseDto: {
            /** @example orders.created */
            subject: string;
            /** @example 3b241101-e2bb-4255-8caf-4136c566a962 */
            id: string;
            /**
             * @description Messages in publish order (for an acknowledged subscriber, those available again first); [] when none
             * @example [
             *       "{\"orderId\":42}"
             *     ]
             */
            data: string[];
            /**
             * @description Messages still pending for this subscriber; for an acknowledged one, those available now, not those in flight
             * @example 0
             */
            remaining: number;
            /**
             * @description When the fetch carried `ack`: how many of those seqs were in flight and are now settled for good (as POST /api/ack answers)
             * @example 2
             */
            acked?: number;
            /**
             * @description For an acknowledged subscriber, and any subscriber of a retained subject: the messages of `data`, in the same order, with their seq, their delivery count (acknowledged) and publish time (retained)
             * @example [
             *       {
             *         "seq": 17,
             *         "data": "{\"orderId\":42}",
             *         "deliveries": 1
             *       }
             *     ]
             */
            messages?: components["schemas"]["DeliveredMessageDto"][];
            /**
             * @description A fetch with `lean`, where `messages` would be: the seq of each message of `data`, in the same order
             * @example [
             *       17,
             *       18
             *     ]
             */
            seqs?: number[];
            /**
             * @description A fetch with `lean`, acknowledged subscriber: how many times each message of `data` was delivered to it (1 on the first delivery)
             * @example [
             *       1,
             *       2
             *     ]
             */
            deliveries?: number[];
            /**
             * @description A fetch with `lean` on a retained subject: when each message of `data` was published, RFC 3339 with milliseconds (UTC)
             * @example [
             *       "2026-12-03T14:29:07.123Z",
             *       "2026-12-03T14:29:07.125Z"
             *     ]
             */
            times?: string[];
            /**
             * @description A fetch with `lean` by a subscriber of a wildcard subject (a pattern): the subject each message of `data` was published to
             * @example [
             *       "orders.eu",
             *       "orders.us"
             *     ]
             */
            subjects?: string[];
        };
        SettleRequestDto: {
            /**
             * @description Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description The id subscribe returned
             * @example 3b241101-e2bb-4255-8caf-4136c566a962
             */
            id: string;
            /**
             * @description The seqs fetch gave in `messages`, 1 to 1000; unknown or already settled ones are not errors, they just do not count
             * @example [
             *       1,
             *       2
             *     ]
             */
            seqs: number[];
        };
        AckResponseDto: {
            /**
             * @description How many of the seqs were in flight for this subscriber and are now settled for good
             * @example 2
             */
            acked: number;
        };
        NackRequestDto: {
            /**
             * @description Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description The id subscribe returned
             * @example 3b241101-e2bb-4255-8caf-4136c566a962
             */
            id: string;
            /**
             * @description The seqs fetch gave in `messages`, 1 to 1000; unknown or already settled ones are not errors, they just do not count
             * @example [
             *       1,
             *       2
             *     ]
             */
            seqs: number[];
            /**
             * @description The messages become available again after this many milliseconds; 0: at once
             * @default 0
             * @example 5000
             */
            delayMs?: number;
        };
        NackResponseDto: {
            /**
             * @description How many of the seqs were in flight for this subscriber and become available again after delayMs
             * @example 2
             */
            nacked: number;
        };
        ExtendResponseDto: {
            /**
             * @description How many of the seqs were in flight for this subscriber and now have a new deadline, ackWaitMs from now
             * @example 2
             */
            extended: number;
        };
        SubjectFiguresDto: {
            /** @example orders.created */
            subject: string;
            /**
             * @description Its subscribers, named or not
             * @example 2
             */
            subscribers: number;
            /**
             * @description Messages its log holds (once however many subscribers hold them): what its limits count
             * @example 3
             */
            pending: number;
            /**
             * @description Bytes (UTF-8) of those messages
             * @example 42
             */
            pendingBytes: number;
            /**
             * @description Messages delivered to its acknowledged subscribers and not yet settled
             * @example 0
             */
            inFlight: number;
            /**
             * @description On a retained subject, the messages its rule holds (its whole log); 0 otherwise
             * @example 0
             */
            retained: number;
        };
        SubjectPageDto: {
            subjects: components["schemas"]["SubjectFiguresDto"][];
            /**
             * @description Pass as `cursor` for the next page; null at the end
             * @example null
             */
            next: string | null;
        };
        SubscriberFiguresDto: {
            /**
             * @description The store id
             * @example 3b241101-e2bb-4255-8caf-4136c566a962
             */
            id: string;
            /** @example billing */
            name?: string;
            /** @example 30000 */
            ackWaitMs?: number;
            /** @example 5 */
            maxDeliveries?: number;
            /** @example orders.dead */
            deadLetterSubject?: string;
            /** @example 1000 */
            maxAckPending?: number;
            /**
             * @description Messages it can fetch now (new ones, and those due again)
             * @example 3
             */
            pending: number;
            /**
             * @description Its messages in flight
             * @example 0
             */
            inFlight: number;
            /**
             * @description Its last subscribe, fetch, ack, nack or extend (RFC 3339, UTC)
             * @example 2026-05-04T10:11:12.345Z
             */
            lastActiveAt: string;
            /**
             * @description Event streams (GET /api/stream) open on this instance that read it; on Redis, other instances count their own
             * @example 0
             */
            streams: number;
        };
        SubjectDetailDto: {
            /** @example orders.created */
            subject: string;
            /**
             * @description Its subscribers, named or not (all of them; `subscribers` is one page)
             * @example 2
             */
            subscriberCount: number;
            /** @example 3 */
            pending: number;
            /** @example 42 */
            pendingBytes: number;
            /** @example 0 */
            inFlight: number;
            /** @example 0 */
            retained: number;
            /** @description Ordered by id, `limit` at most */
            subscribers: components["schemas"]["SubscriberFiguresDto"][];
            /**
             * @description Pass as `cursor` for the next page of subscribers; null at the end
             * @example null
             */
            next: string | null;
        };
        PeekRequestDto: {
            /**
             * @description Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description A subscriber id as the store holds it (with auth on: not the tagged id its client holds, see the README); absent: the subject's oldest messages
             * @example 3b241101-e2bb-4255-8caf-4136c566a962
             */
            id?: string;
            /**
             * @description Most messages to show
             * @default 10
             */
            max?: number;
        };
        PeekedMessageDto: {
            /** @example 3 */
            seq: number;
            /** @example {"orderId":42} */
            data: string;
            /**
             * @description Publish time, on a retained subject
             * @example 2026-05-04T10:11:12.345Z
             */
            time?: string;
        };
        PeekAnswerDto: {
            messages: components["schemas"]["PeekedMessageDto"][];
        };
        PurgeRequestDto: {
            /**
             * @description Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description A subscriber id as the store holds it (with auth on: not the tagged id its client holds, see the README); absent: every subscriber of the subject
             * @example 3b241101-e2bb-4255-8caf-4136c566a962
             */
            id?: string;
        };
        PurgeAnswerDto: {
            /**
             * @description Messages dropped
             * @example 3
             */
            purged: number;
        };
        AdminUnsubscribeRequestDto: {
            /**
             * @description Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description A subscriber id as the store holds it (with auth on: not the tagged id its client holds, see the README)
             * @example 3b241101-e2bb-4255-8caf-4136c566a962
             */
            id: string;
        };
        BrokerStatsDto: {
            /** @example 0.1.0 */
            version: string;
            /**
             * @example memory
             * @enum {string}
             */
            store: "memory" | "redis";
            /**
             * @description Seconds since this instance started
             * @example 3600
             */
            uptimeSeconds: number;
            /**
             * @description Brokers sharing the store (Redis: those listening on its wake channel; a Cluster: null, not known); 1 on memory
             * @example 1
             */
            instances: number | null;
            /**
             * @description Over all subjects: messagesHeld, bytesHeld, subscribers, subjects, inFlight, retained, retainedBytes
             * @example {
             *       "messagesHeld": 3,
             *       "bytesHeld": 42,
             *       "subscribers": 2,
             *       "subjects": 1,
             *       "inFlight": 0,
             *       "retained": 0,
             *       "retainedBytes": 0
             *     }
             */
            counts: Record<string, never>;
            /**
             * @description The broker-wide limits (broker.*)
             * @example {
             *       "maxPending": 1000000
             *     }
             */
            limits: Record<string, never>;
            /**
             * @description This instance's totals since it started: published, delivered, expiredSubscribers, purged, refusedNoSubscriber, refusedOverflow; with monitoring on also requests (API requests answered), clientErrors (4xx), serverErrors (5xx) and denied (by access control or the rate limit)
             * @example {
             *       "published": 10,
             *       "delivered": 7,
             *       "purged": 0,
             *       "requests": 40,
             *       "clientErrors": 2,
             *       "serverErrors": 0,
             *       "denied": 0
             *     }
             */
            totals: Record<string, never>;
        };
    };
    responses: never;
    parameters: never;
    requestBodies: never;
    headers: never;
    pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
    PublishController_publish: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PublishRequestDto"];
            };
        };
        responses: {
            /** @description Stored for every subscriber of the subject */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusResponseDto"];
                };
            };
            /** @description Invalid subject or a body that is not an object of the right shape */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Nobody subscribes to the subject */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "subscriber not found"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description A limit of the broker is reached; retry later */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "broker overflow"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    PublishController_publishBatch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PublishBatchRequestDto"];
            };
        };
        responses: {
            /** @description Each entry published or refused, in the order sent */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PublishBatchResponseDto"];
                };
            };
            /** @description Invalid subject or a body that is not an object of the right shape */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    AsyncPublishController_publish: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PublishRequestDto"];
            };
        };
        responses: {
            /** @description Queued; published in the background */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusResponseDto"];
                };
            };
            /** @description Invalid subject or a body that is not an object of the right shape */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description broker.async-queue-capacity accepted messages are waiting to be published */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "async queue full"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    SubscribeController_subscribe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SubscribeRequestDto"];
            };
        };
        responses: {
            /** @description The new subscriber, with the acknowledgement settings it was given */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubscriptionDto"];
                };
            };
            /** @description Invalid subject (400 `invalid subject`), or a name or an acknowledgement field out of range or without the one it needs (400 `request's body is invalid`, `errors` naming it), or an invalid `deliver` (400 naming it), or `deliver` other than `new` on a subject without retention (400 `subject does not retain messages`), or a pushUrl outside push.allowed-urls (400 `push URL not allowed`) or with push.allowed-urls empty (400 `push delivery is not enabled`) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description The name exists on the subject with other effective settings (`subscriber exists with other settings`), or, with auth on, belongs to another token (`subscriber name taken`) */
            409: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "subscriber exists with other settings"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description broker.max-subscribers subscribers already exist */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "too many subscribers"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    SubscribeController_unsubscribe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["UnsubscribeRequestDto"];
            };
        };
        responses: {
            /** @description Removed, with what it still held */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusResponseDto"];
                };
            };
            /** @description Invalid subject or a body that is not an object of the right shape */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such subscriber */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "bad id"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    FetchController_fetch: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["FetchRequestDto"];
            };
        };
        responses: {
            /** @description The messages taken, oldest first; [] when none */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["FetchResponseDto"];
                };
            };
            /** @description Invalid subject or a body that is not an object of the right shape */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such subscriber */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "bad id"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description This client (its token, or its connection) holds its share of broker.max-fetch-bytes-in-flight in answers it has not read yet (or: broker is shutting down; or, on broker.store redis, `store unavailable`: Redis did not answer in time) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "too many fetch answers in flight; retry later"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    AckController_ack: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SettleRequestDto"];
            };
        };
        responses: {
            /** @description How many were in flight and are now settled */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["AckResponseDto"];
                };
            };
            /** @description The subscriber was created without ackWaitMs (400 `subscriber does not use acknowledgements`), an invalid subject, or a malformed body (`errors` naming the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "subscriber does not use acknowledgements"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such subscriber */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "bad id"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    AckController_nack: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["NackRequestDto"];
            };
        };
        responses: {
            /** @description How many were in flight and are available again (after delayMs) */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["NackResponseDto"];
                };
            };
            /** @description The subscriber was created without ackWaitMs (400 `subscriber does not use acknowledgements`), an invalid subject, or a malformed body (`errors` naming the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "subscriber does not use acknowledgements"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such subscriber */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "bad id"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    AckController_extend: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["SettleRequestDto"];
            };
        };
        responses: {
            /** @description How many were in flight and have a new deadline */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["ExtendResponseDto"];
                };
            };
            /** @description The subscriber was created without ackWaitMs (400 `subscriber does not use acknowledgements`), an invalid subject, or a malformed body (`errors` naming the field) */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "subscriber does not use acknowledgements"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such subscriber */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "bad id"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    StreamController_stream: {
        parameters: {
            query: {
                /** @description The bearer token, for clients that cannot send an Authorization header (EventSource); with auth on */
                access_token?: string;
                /** @description Ephemeral subscriber on a retained subject: start at the first message published at or after this */
                fromTime?: string;
                /** @description Ephemeral subscriber on a retained subject: start at the first retained message with seq ≥ this */
                fromSeq?: number;
                /** @description Ephemeral subscriber on a retained subject: where it starts (or fromSeq, fromTime) */
                deliver?: "new" | "all" | "last";
                /** @description Acknowledged subscriber: most of its messages in flight (unacked) while the stream takes more; never above its maxAckPending */
                maxInFlight?: number;
                /** @description An existing subscriber (the id subscribe returned); absent: an ephemeral subscriber on `subject` */
                id?: string;
                subject: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description The stream: an open event, then one event per message, keep-alives, and a close event at unsubscribe or shutdown */
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example event: open
                     *     data: {"id":"3b241101-e2bb-4255-8caf-4136c566a962","subject":"orders.created"}
                     *
                     *     id: 7
                     *     event: message
                     *     data: {"subject":"orders.created","seq":7,"data":"{\"orderId\":42}"}
                     *
                     *     : keepalive
                     *
                     *     event: close
                     *     data: {"reason":"unsubscribed"}
                     */
                    "text/event-stream": string;
                    /**
                     * @example {"event":"open","id":"3b241101-e2bb-4255-8caf-4136c566a962","subject":"orders.created"}
                     *     {"event":"message","subject":"orders.created","seq":7,"data":"{\"orderId\":42}"}
                     *     {"event":"keepalive"}
                     *     {"event":"close","reason":"shutdown"}
                     */
                    "application/x-ndjson": string;
                };
            };
            /** @description Invalid subject, or a query parameter out of range (`request's query is invalid`, with `errors`); a `deliver` on a subject without retention */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such subscriber */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "bad id"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description broker.max-streams streams are open on this instance (or, without id: `too many subscribers`) */
            429: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "too many streams"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    ReadyController_ready: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            /** @description Ready */
            204: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
            /** @description Shutting down, or the store (Redis) does not answer */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content?: never;
            };
        };
    };
    AdminController_subjects: {
        parameters: {
            query?: {
                /** @description The previous page's `next` */
                cursor?: string;
                /** @description 1..1000, default 100 */
                limit?: number;
                /** @description Only subjects starting with it */
                prefix?: string;
            };
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubjectPageDto"];
                };
            };
            /** @description `limit`, `prefix` or `cursor` out of range, named in the message */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "limit: must be an integer from 1 to 1000"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    AdminController_subject: {
        parameters: {
            query?: {
                /** @description The previous page's `next` */
                cursor?: string;
                /** @description 1..1000, default 100 */
                limit?: number;
            };
            header?: never;
            path: {
                /** @description The subject, URL-encoded */
                subject: string;
            };
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["SubjectDetailDto"];
                };
            };
            /** @description Invalid subject, or `limit` or `cursor` out of range */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "limit: must be an integer from 1 to 1000"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description The subject has no subscriber and retains nothing */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "subject not found"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    AdminController_peek: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PeekRequestDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PeekAnswerDto"];
                };
            };
            /** @description Invalid subject or a body that is not an object of the right shape */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such subject (`subject not found`) or subscriber (`bad id`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "subject not found"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    AdminController_purge: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["PurgeRequestDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["PurgeAnswerDto"];
                };
            };
            /** @description Invalid subject or a body that is not an object of the right shape */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such subject (`subject not found`) or subscriber (`bad id`) */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "subject not found"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    AdminController_unsubscribe: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody: {
            content: {
                "application/json": components["schemas"]["AdminUnsubscribeRequestDto"];
            };
        };
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["StatusResponseDto"];
                };
            };
            /** @description Invalid subject or a body that is not an object of the right shape */
            400: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "invalid subject"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description No such subscriber */
            404: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "bad id"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body larger than broker.body-limit-bytes */
            413: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "request body too large"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description Body not sent as application/json */
            415: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "unsupported media type: send application/json"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
    AdminController_stats: {
        parameters: {
            query?: never;
            header?: never;
            path?: never;
            cookie?: never;
        };
        requestBody?: never;
        responses: {
            200: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    "application/json": components["schemas"]["BrokerStatsDto"];
                };
            };
            /** @description An unexpected failure, logged by the broker; the answer carries no details */
            500: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "server error"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
            /** @description On broker.store redis: Redis did not answer within redis.command-timeout-ms (or: the broker is shutting down) */
            503: {
                headers: {
                    [name: string]: unknown;
                };
                content: {
                    /**
                     * @example {
                     *       "message": "store unavailable"
                     *     }
                     */
                    "application/json": components["schemas"]["ErrorResponseDto"];
                };
            };
        };
    };
}

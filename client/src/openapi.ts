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
         * @description At most once by default; with ackWaitMs, at least once: fetched messages stay in flight until acked, nacked or their deadline passes. With a name: the subscriber of that name on the subject, created by the first such subscribe.
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
         * @description At most once: the messages taken are gone. For an acknowledged subscriber (subscribed with ackWaitMs) they are in flight until acked, nacked or their deadline passes, and `messages` gives their seqs.
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
}
export type webhooks = Record<string, never>;
export interface components {
    schemas: {
        PublishRequestDto: {
            /**
             * @description Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
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
             * @description Dot-separated tokens as in NATS: no space, tab, CR or LF, no empty token, at most 256 characters
             * @example orders.created
             */
            subject: string;
            /**
             * @description A durable name, unique on the subject: the first subscribe with it creates the subscriber, every later one (on any broker sharing the store) answers the same id and settings, and refreshes its activity. Other settings: 409. Consumers using one name share its messages. Not removed by broker.subscriber-idle-timeout; with auth on, the name belongs to the token that created it
             * @example billing
             */
            name?: string;
            /**
             * @description Where it starts: `new` (default: what is published after the subscribe), `all` (every retained message, oldest first, then new ones), `last` (the newest retained message, then new ones), `{"fromSeq": N}` (the first retained message with seq ≥ N) or `{"fromTime": "<RFC 3339 time>"}` (the first published at or after it). Anything but `new` needs a retained subject (400 `subject does not retain messages`). Part of a named subscriber's settings
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
        };
        DeliveredMessageDto: {
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
            /** @description Invalid subject (400 `invalid subject`), or a name or an acknowledgement field out of range or without the one it needs (400 `request's body is invalid`, `errors` naming it), or an invalid `deliver` (400 naming it), or `deliver` other than `new` on a subject without retention (400 `subject does not retain messages`) */
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
}

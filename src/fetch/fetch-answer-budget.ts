import type { ServerResponse } from 'node:http';
import type { AnswerBudget } from '../broker/broker.service.js';
import type { FetchedMessages } from '../broker/store/message-store.js';
import type { AnswerClient } from '../common/http/fetch-answer-shares.js';
import type { InFlightRequests } from '../common/http/in-flight-requests.js';
import { answerChars } from './fetch-answer.js';

/** One fetch's share of broker.max-fetch-bytes-in-flight, as the broker asks for it at each take. */
export class FetchAnswerBudget implements AnswerBudget {
  /** Characters of the messages the last take returned: what the answer holds. */
  chars = 0;
  private reservedBytes = 0;

  constructor(
    private readonly inFlight: InFlightRequests,
    private readonly response: ServerResponse,
    private readonly client: AnswerClient,
  ) {}

  reserve(): number {
    this.reservedBytes = this.inFlight.reserveAnswer(this.client);
    return this.reservedBytes;
  }

  settle(taken: FetchedMessages | undefined): void {
    this.chars = taken === undefined ? 0 : answerChars(taken.data, taken.messages, taken);
    this.inFlight.settleAnswer(this.response, this.client, this.reservedBytes, this.chars);
  }
}

import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { NackRequestDto } from '../../ack/nack-request.dto.js';
import { SettleRequestDto } from '../../ack/settle-request.dto.js';
import { FetchRequestDto } from '../../fetch/fetch-request.dto.js';
import { PublishBatchRequestDto } from '../../publish/publish-batch-request.dto.js';
import { PublishRequestDto } from '../../publish/publish-request.dto.js';
import { SubscribeRequestDto } from '../../subscribe/subscribe-request.dto.js';
import { DtoValidator } from './dto-validator.js';
import { RequestValidationError } from './request-validation.error.js';

/** Bodies on both sides of every rule the DTOs declare. */
const SAMPLES: Array<[new () => object, unknown]> = [
  [PublishRequestDto, { subject: 'a.b', data: 'x' }],
  [PublishRequestDto, { subject: 'a.b', data: '' }],
  [PublishRequestDto, { subject: 'a..b', data: 'x' }],
  [PublishRequestDto, { subject: 'a b', data: 'x' }],
  [PublishRequestDto, { subject: 'a', data: 1 }],
  [PublishRequestDto, { subject: 'a' }],
  [PublishRequestDto, { data: 'x' }],
  [PublishRequestDto, { subject: 7, data: 'x' }],
  [PublishRequestDto, { subject: 'a'.repeat(256), data: 'x' }],
  [PublishRequestDto, { subject: 'a'.repeat(257), data: 'x' }],
  [PublishRequestDto, { subject: '😀'.repeat(256), data: 'x' }],
  [PublishRequestDto, { subject: '😀'.repeat(257), data: 'x' }],
  [PublishRequestDto, { subject: 'a', data: 'x', extra: true }],
  [FetchRequestDto, { subject: 'a', id: 'i' }],
  [FetchRequestDto, { subject: 'a', id: 'i', max: 1, waitMs: 0 }],
  [FetchRequestDto, { subject: 'a', id: 'i', max: 10_000, waitMs: 30_000 }],
  [FetchRequestDto, { subject: 'a', id: 'i', max: 0 }],
  [FetchRequestDto, { subject: 'a', id: 'i', max: 10_001 }],
  [FetchRequestDto, { subject: 'a', id: 'i', max: 1.5 }],
  [FetchRequestDto, { subject: 'a', id: 'i', waitMs: -1 }],
  [FetchRequestDto, { subject: 'a', id: 'i', waitMs: 30_001 }],
  [FetchRequestDto, { subject: 'a', id: 'i', waitMs: '5' }],
  [FetchRequestDto, { subject: 'a', id: 5 }],
  [PublishBatchRequestDto, { messages: [{ subject: 'a', data: 'x' }] }],
  [PublishBatchRequestDto, { messages: [] }],
  [PublishBatchRequestDto, { messages: [{ subject: 'a', data: 'x' }, { subject: 'a..', data: 'x' }] }],
  [PublishBatchRequestDto, { messages: [{ subject: 'a', data: 2 }] }],
  [PublishBatchRequestDto, { messages: 'nope' }],
  [PublishBatchRequestDto, {}],
  [SubscribeRequestDto, { subject: 'a' }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: 'a.dead' }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 43_200_000, maxDeliveries: 1000 }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 999 }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 43_200_001 }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 1000.5 }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: '1000' }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 1000, maxDeliveries: 0 }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 1000, maxDeliveries: 1001 }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 1000, maxDeliveries: 2.5 }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: 'a..dead' }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: 'a'.repeat(257) }],
  [SubscribeRequestDto, { subject: 'a', ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: 7 }],
  [SettleRequestDto, { subject: 'a', id: 'i', seqs: [1] }],
  [SettleRequestDto, { subject: 'a', id: 'i', seqs: Array.from({ length: 1000 }, (_, i) => i + 1) }],
  [SettleRequestDto, { subject: 'a', id: 'i', seqs: Array.from({ length: 1001 }, (_, i) => i + 1) }],
  [SettleRequestDto, { subject: 'a', id: 'i', seqs: [] }],
  [SettleRequestDto, { subject: 'a', id: 'i', seqs: [0] }],
  [SettleRequestDto, { subject: 'a', id: 'i', seqs: [-1] }],
  [SettleRequestDto, { subject: 'a', id: 'i', seqs: [1.5] }],
  [SettleRequestDto, { subject: 'a', id: 'i', seqs: ['1'] }],
  [SettleRequestDto, { subject: 'a', id: 'i', seqs: 1 }],
  [SettleRequestDto, { subject: 'a', id: 'i' }],
  [SettleRequestDto, { subject: 'a..b', id: 'i', seqs: [1] }],
  [SettleRequestDto, { subject: 'a', seqs: [1] }],
  [NackRequestDto, { subject: 'a', id: 'i', seqs: [1] }],
  [NackRequestDto, { subject: 'a', id: 'i', seqs: [1], delayMs: 0 }],
  [NackRequestDto, { subject: 'a', id: 'i', seqs: [1], delayMs: 43_200_000 }],
  [NackRequestDto, { subject: 'a', id: 'i', seqs: [1], delayMs: -1 }],
  [NackRequestDto, { subject: 'a', id: 'i', seqs: [1], delayMs: 43_200_001 }],
  [NackRequestDto, { subject: 'a', id: 'i', seqs: [1], delayMs: 0.5 }],
  [NackRequestDto, { subject: 'a', id: 'i', seqs: [0], delayMs: 0 }],
  [NackRequestDto, { subject: 'a', id: 'i', delayMs: 0 }],
];

describe(DtoValidator.name, () => {
  const sut = new DtoValidator();

  it.each(SAMPLES)('agrees with class-validator on %p %j', (dto, body) => {
    const byDecorators = validateSync(plainToInstance(dto, body)).length === 0;
    let byCompiledSchema = true;
    try {
      sut.assertValid(dto, body);
    } catch (error) {
      expect(error).toBeInstanceOf(RequestValidationError);
      byCompiledSchema = false;
    }
    expect(byCompiledSchema).toBe(byDecorators);
  });

  it('refuses a body that is not an object', () => {
    for (const body of [null, undefined, [], 'text', 3]) {
      expect(() => sut.assertValid(PublishRequestDto, body)).toThrow("request's body is invalid");
    }
  });

  it('names the index of a malformed batch entry', () => {
    const body = { messages: [{ subject: 'a', data: 'x' }, { subject: 'a', data: 'y' }, { subject: 'a..b', data: 'z' }] };
    expect(() => sut.assertValid(PublishBatchRequestDto, body)).toThrow('messages[2].subject: invalid subject');
  });

  it('says why a long subject is invalid, keeping the original message', () => {
    try {
      sut.assertValid(PublishRequestDto, { subject: 'a'.repeat(257), data: 'x' });
      throw new Error('accepted');
    } catch (error) {
      expect(error).toBeInstanceOf(RequestValidationError);
      expect((error as RequestValidationError).getResponse()).toEqual({
        message: 'invalid subject',
        errors: ['subject: invalid subject: longer than 256 characters'],
      });
    }
  });

  it('names an invalid dead-letter subject as such', () => {
    expect(() => sut.assertValid(SubscribeRequestDto, { subject: 'a', ackWaitMs: 1000, maxDeliveries: 1, deadLetterSubject: 'a b' })).toThrow(
      expect.objectContaining({ response: { message: "request's body is invalid", errors: ['deadLetterSubject: invalid subject'] } }),
    );
  });

  it('leaves classes without validation decorators alone', () => {
    class Plain {}
    expect(() => sut.assertValid(Plain, 'anything')).not.toThrow();
  });
});

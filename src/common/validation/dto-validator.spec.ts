import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { FetchRequestDto } from '../../fetch/fetch-request.dto.js';
import { PublishBatchRequestDto } from '../../publish/publish-batch-request.dto.js';
import { PublishRequestDto } from '../../publish/publish-request.dto.js';
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

  it('leaves classes without validation decorators alone', () => {
    class Plain {}
    expect(() => sut.assertValid(Plain, 'anything')).not.toThrow();
  });
});

import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { defaultMetadataStorage } from 'class-transformer/cjs/storage.js';
import { validationMetadatasToSchemas } from 'class-validator-jsonschema';
import { INVALID_BODY_MESSAGE, MAX_LISTED_ERRORS, RequestValidationError } from './request-validation.error.js';

export type DtoClass = abstract new (...args: never[]) => unknown;

/**
 * Validates request bodies against the class-validator decorators of their DTO, compiled once per
 * class into a JSON-schema validator: the decorators stay the one contract, and a request pays for
 * a compiled check, not for class-transformer and async class-validator.
 */
export class DtoValidator {
  private readonly ajv = new Ajv({ allErrors: true, strict: false });
  private readonly compiled = new Map<DtoClass, ValidateFunction | null>();
  private schemas?: Record<string, object>;

  /** The compiled check for a DTO class, or null when the class declares no validation. */
  validatorFor(dto: DtoClass): ValidateFunction | null {
    let validate = this.compiled.get(dto);
    if (validate === undefined) {
      validate = this.compile(dto);
      this.compiled.set(dto, validate);
    }
    return validate;
  }

  /** Whether the check of `dto` is compiled (or found to need none). */
  isCompiled(dto: DtoClass): boolean {
    return this.compiled.has(dto);
  }

  /** Throws RequestValidationError unless `body` fits `dto`. */
  assertValid(dto: DtoClass, body: unknown): void {
    const validate = this.validatorFor(dto);
    if (validate && !validate(body)) throw toRequestError(validate.errors ?? []);
  }

  private compile(dto: DtoClass): ValidateFunction | null {
    // Read lazily: every DTO module has been loaded by the time the first request arrives.
    this.schemas ??= validationMetadatasToSchemas({
      refPointerPrefix: '#/definitions/',
      classTransformerMetadataStorage: defaultMetadataStorage,
    }) as Record<string, object>;
    const schema = this.schemas[dto.name];
    if (!schema) return null;
    return this.ajv.compile({ ...schema, definitions: this.schemas });
  }
}

/**
 * Subject problems keep the original's text; anything else is "request's body is invalid".
 * Only the first MAX_LISTED_ERRORS are described: describing the 72,000 errors of a hostile
 * batch took longer than finding them.
 */
function toRequestError(errors: ErrorObject[]): RequestValidationError {
  const meaningful = errors.filter((error) => !isNoise(error));
  const problems = meaningful.slice(0, MAX_LISTED_ERRORS).map(describe);
  const rootSubjectOnly =
    problems.length === meaningful.length &&
    problems.every((problem) => problem.field === 'subject' && problem.text.startsWith('invalid subject'));
  const inEntry = problems.find((problem) => problem.field.includes('['));
  const message = rootSubjectOnly
    ? 'invalid subject'
    : inEntry
      ? `${inEntry.field}: ${inEntry.text}`
      : INVALID_BODY_MESSAGE;
  const listed = problems.map(({ field, text }) => (field ? `${field}: ${text}` : text));
  return new RequestValidationError(message, listed, meaningful.length);
}

interface Problem {
  field: string;
  text: string;
}

function describe(error: ErrorObject): Problem {
  const path = error.keyword === 'required' ? `${error.instancePath}/${error.params.missingProperty}` : error.instancePath;
  const field = path
    .split('/')
    .filter(Boolean)
    .map((part, index) => (/^\d+$/.test(part) ? `[${part}]` : index === 0 ? part : `.${part}`))
    .join('');
  const isSubject = /(^|\.)subject$|Subject$/.test(field); // deadLetterSubject too
  switch (error.keyword) {
    case 'required':
      return { field, text: isSubject ? 'invalid subject' : 'is required' };
    case 'pattern':
    case 'minLength':
      return { field, text: isSubject ? 'invalid subject' : `must match ${error.params.pattern ?? 'its format'}` };
    case 'maxLength':
      return { field, text: `${isSubject ? 'invalid subject: ' : ''}longer than ${error.params.limit} characters` };
    case 'type':
      return { field, text: field ? `must be ${article(error.params.type)}` : 'body must be a JSON object' };
    default:
      return { field, text: error.message ?? 'is invalid' };
  }
}

function article(type: string): string {
  return /^[aeiou]/.test(type) ? `an ${type}` : `a ${type}`;
}

/** ajv adds a summary error for a failed `$ref`/`anyOf`; the errors under it say more. */
function isNoise(error: ErrorObject): boolean {
  return error.keyword === 'anyOf' || error.keyword === 'oneOf' || error.keyword === 'if';
}

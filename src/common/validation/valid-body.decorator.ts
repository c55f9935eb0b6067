import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import { ApiBody } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { DtoValidator, type DtoClass } from './dto-validator.js';

const validator = new DtoValidator();
/** Every DTO class a route checks its body against, in the order the routes were declared. */
const bodyDtos = new Set<DtoClass>();

/**
 * Compiles the check of every body DTO now, at start-up: compiled at its route's first request
 * instead, the publish DTO's check took ~70 ms of one event-loop turn (ajv builds and compiles the
 * whole schema), stalling every other client of a running broker for that long.
 */
export function compileBodyValidators(): void {
  for (const dto of bodyDtos) validator.validatorFor(dto);
}

/** Body DTO classes declared, and how many of them have no compiled check yet. */
export function bodyValidatorState(): { declared: number; uncompiled: number } {
  return { declared: bodyDtos.size, uncompiled: [...bodyDtos].filter((dto) => !validator.isCompiled(dto)).length };
}

/** The body, checked against `dto` while Nest extracts the argument: synchronously, with no pipe. */
const BodyValidAgainst = createParamDecorator((dto: DtoClass, context: ExecutionContext): unknown => {
  const { body } = context.switchToHttp().getRequest<FastifyRequest>();
  validator.assertValid(dto, body);
  return body;
});

/**
 * `@ValidBody() request: SomeRequestDto`: the request body, checked against the class-validator
 * decorators of the parameter's DTO class (400 with the broker's texts when it does not fit), and
 * documented as the route's request body in OpenAPI.
 *
 * Why not `@Body()` with a validation pipe: Nest runs pipes through a chain of promises on every
 * request, which cost more than the compiled check itself; an argument without pipes is extracted
 * synchronously.
 */
export function ValidBody(): ParameterDecorator {
  return (target, method, index) => {
    if (method === undefined) throw new Error('@ValidBody() belongs on a route handler parameter');
    const dto = (Reflect.getMetadata('design:paramtypes', target, method) as DtoClass[] | undefined)?.[index];
    if (dto === undefined || dto === Object) throw new Error(`@ValidBody() on ${String(method)}: the parameter needs a DTO class type`);
    bodyDtos.add(dto);
    BodyValidAgainst(dto)(target, method, index);
    ApiBody({ type: dto, required: true })(target, method, Object.getOwnPropertyDescriptor(target, method)!);
  };
}

import { ArgumentMetadata, Injectable, PipeTransform } from '@nestjs/common';
import { DtoValidator } from './dto-validator.js';

/** Global pipe: every @Body() typed with a DTO class is checked against that class's decorators. */
@Injectable()
export class DtoValidationPipe implements PipeTransform {
  private readonly validator = new DtoValidator();

  transform(value: unknown, { type, metatype }: ArgumentMetadata): unknown {
    if (type === 'body' && metatype) this.validator.assertValid(metatype, value);
    return value;
  }
}

import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { SubjectProperty } from '../common/subject.property.js';

export class PublishRequestDto {
  @SubjectProperty('orders.created', { description: 'One subject: a token that is exactly `*` or `>` (a wildcard) is 400 `invalid subject`. ' })
  subject!: string;

  @ApiProperty({ example: '{"orderId":42}', description: 'The message, any string' })
  @IsString()
  data!: string;
}

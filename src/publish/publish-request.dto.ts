import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { SubjectProperty } from '../common/subject.property.js';

export class PublishRequestDto {
  @SubjectProperty()
  subject!: string;

  @ApiProperty({ example: '{"orderId":42}', description: 'The message, any string' })
  @IsString()
  data!: string;
}

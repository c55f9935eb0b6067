import { ApiProperty } from '@nestjs/swagger';
import { IsString } from 'class-validator';
import { SubjectProperty } from '../common/subject.property.js';

export class UnsubscribeRequestDto {
  @SubjectProperty()
  subject!: string;

  @ApiProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962', description: 'The id subscribe returned' })
  @IsString()
  id!: string;
}

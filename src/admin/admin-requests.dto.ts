import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Max, Min } from 'class-validator';
import { SubjectProperty } from '../common/subject.property.js';

/** Most messages one peek shows. */
export const MAX_PEEK = 100;
export const DEFAULT_PEEK = 10;

const STORE_ID = 'A subscriber id as the store holds it (with auth on: not the tagged id its client holds, see the README)';

export class PeekRequestDto {
  @SubjectProperty()
  subject!: string;

  @ApiProperty({ required: false, example: '3b241101-e2bb-4255-8caf-4136c566a962', description: `${STORE_ID}; absent: the subject's oldest messages` })
  @IsOptional()
  @IsString()
  id?: string;

  @ApiProperty({ required: false, minimum: 1, maximum: MAX_PEEK, default: DEFAULT_PEEK, description: 'Most messages to show' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(MAX_PEEK)
  max?: number;
}

export class PurgeRequestDto {
  @SubjectProperty()
  subject!: string;

  @ApiProperty({ required: false, example: '3b241101-e2bb-4255-8caf-4136c566a962', description: `${STORE_ID}; absent: every subscriber of the subject` })
  @IsOptional()
  @IsString()
  id?: string;
}

export class AdminUnsubscribeRequestDto {
  @SubjectProperty()
  subject!: string;

  @ApiProperty({ example: '3b241101-e2bb-4255-8caf-4136c566a962', description: STORE_ID })
  @IsString()
  id!: string;
}

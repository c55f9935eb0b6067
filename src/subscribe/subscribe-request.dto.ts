import { SubjectProperty } from '../common/subject.property.js';

export class SubscribeRequestDto {
  @SubjectProperty()
  subject!: string;
}

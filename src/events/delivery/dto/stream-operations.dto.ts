import { IsString, Matches } from 'class-validator';
import { AdminPageQuery } from '../../../common/admin-page';

/** POST .../replay: deliver again every event after `after`. */
export class ReplayStreamDto {
  @IsString()
  @Matches(/^(0|[1-9][0-9]{0,17})$/, { message: 'after must be a seq: a whole number from 0' })
  after!: string;
}

export class DeadLettersQuery extends AdminPageQuery {}

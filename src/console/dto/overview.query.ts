import { IsOptional, IsString, Length } from 'class-validator';

/** `GET /api/admin/overview`. */
export class OverviewQuery {
  /** One tenant only (its id); a tenant that does not exist answers 404. */
  @IsOptional()
  @IsString()
  @Length(1, 64)
  tenant?: string;
}

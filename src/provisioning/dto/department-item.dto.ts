import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, Length, ValidateIf } from 'class-validator';

/** One department item of a queue or direct-mode request (seeds 000 and 004). */
export class DepartmentItemDto {
  @IsDefined({ message: 'externalId is required' })
  @IsString()
  @Length(1, 255)
  externalId!: string;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  departmentName?: string;

  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @Length(1, 255)
  parentExternalId?: string | null;

  @IsOptional()
  @IsBoolean()
  cascadeToChildren?: boolean;

  @IsOptional()
  @IsIn(['DELETE'])
  action?: 'DELETE';
}

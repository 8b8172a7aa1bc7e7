import { ApiPropertyOptional, ApiProperty } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsIn, IsOptional, IsString, Length, ValidateIf } from 'class-validator';

/** One department item of a queue or direct-mode request (seeds 000 and 004). */
export class DepartmentItemDto {
  @ApiProperty({ example: 'dept-engineering' })
  @IsDefined({ message: 'externalId is required' })
  @IsString()
  @Length(1, 255)
  externalId!: string;

  @ApiPropertyOptional({ example: 'Engineering', description: 'required when the department is created' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  departmentName?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ nullable: true, description: 'null: a root department; absent: keep the current parent' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @Length(1, 255)
  parentExternalId?: string | null;

  @ApiPropertyOptional({ description: 'apply `active` to the whole subtree' })
  @IsOptional()
  @IsBoolean()
  cascadeToChildren?: boolean;

  @ApiPropertyOptional({ enum: ['DELETE'] })
  @IsOptional()
  @IsIn(['DELETE'])
  action?: 'DELETE';
}

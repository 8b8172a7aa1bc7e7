import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

export class CreateTenantDto {
  @ApiProperty({ example: 'acme', description: '1-64 letters, digits, ".", "_" or "-"' })
  @IsString()
  @Matches(TENANT_ID, { message: 'id must be 1-64 letters, digits, ".", "_" or "-" starting with a letter or digit' })
  id!: string;

  @ApiProperty({ example: 'Acme Ltd' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ example: 'ACME', description: 'partner sync selects the tenant by this' })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  orgCode?: string;

  @ApiPropertyOptional({ example: 'en-GB', default: 'en-GB' })
  @IsOptional()
  @IsString()
  @Length(2, 35)
  locale?: string;

  @ApiPropertyOptional({ example: 'Europe/London', default: 'Europe/London' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;
}

export class UpdateTenantDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ApiPropertyOptional({ nullable: true, description: 'null removes it' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @Length(1, 100)
  orgCode?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(2, 35)
  locale?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;
}

import { IsOptional, IsString, Length, Matches, ValidateIf } from 'class-validator';

const TENANT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

/** `AdminCreateTenantRequest` in the OpenAPI document (admin.openapi.ts). */
export class CreateTenantDto {
  @IsString()
  @Matches(TENANT_ID, { message: 'id must be 1-64 letters, digits, ".", "_" or "-" starting with a letter or digit' })
  id!: string;

  @IsString()
  @Length(1, 200)
  name!: string;

  @IsOptional()
  @IsString()
  @Length(1, 100)
  orgCode?: string;

  @IsOptional()
  @IsString()
  @Length(2, 35)
  locale?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;
}

/** `AdminUpdateTenantRequest` in the OpenAPI document (admin.openapi.ts). */
export class UpdateTenantDto {
  @IsOptional()
  @IsString()
  @Length(1, 200)
  name?: string;

  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @Length(1, 100)
  orgCode?: string | null;

  @IsOptional()
  @IsString()
  @Length(2, 35)
  locale?: string;

  @IsOptional()
  @IsString()
  @Length(1, 64)
  timeZone?: string;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsDefined, IsEmail, IsObject, IsOptional, IsString, Length, validateSync } from 'class-validator';
import { ApiError } from '../../common/api-error';
import { DomainError } from '../../common/domain-error';
import { toInstance, validationDetails } from '../../common/validation';

export const SYNC_MODES = ['upsert', 'full-reconcile'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** One user of seed 002's request. Unknown fields are ignored (the partner's system owns the shape). */
export class PartnerUserDto {
  @ApiProperty({ example: 'user-123' })
  @IsDefined({ message: 'Missing required field: externalId' })
  @IsString({ message: 'externalId must be a string' })
  @Length(1, 255, { message: 'externalId must be 1 to 255 characters' })
  externalId!: string;

  @ApiProperty({ example: 'user@example.com' })
  @IsDefined({ message: 'Missing required field: email' })
  @IsEmail({ require_tld: false }, { message: 'email must be an email address' })
  @Length(1, 255, { message: 'email must be at most 255 characters' })
  email!: string;

  @ApiPropertyOptional({ example: 'John' })
  @IsOptional()
  @IsString({ message: 'firstName must be a string' })
  @Length(0, 255)
  firstName?: string | null;

  @ApiPropertyOptional({ example: 'Doe' })
  @IsOptional()
  @IsString({ message: 'lastName must be a string' })
  @Length(0, 255)
  lastName?: string | null;

  @ApiPropertyOptional({ example: 'admin', description: "default 'user' on create; absent keeps" })
  @IsOptional()
  @IsString({ message: 'role must be a string' })
  @Length(0, 255)
  role?: string | null;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean({ message: 'isActive must be a boolean' })
  isActive?: boolean;

  @ApiProperty({ example: 'acme', description: "must equal the token's orgCode claim" })
  @IsString({ message: 'orgCode must be a string' })
  orgCode!: string;

  @ApiPropertyOptional({ example: { department: 'Engineering' }, description: 'shallow-merged into what is stored' })
  @IsOptional()
  @IsObject({ message: 'metadata must be a JSON object' })
  metadata?: Record<string, unknown>;
}

export class PartnerSyncRequestDto {
  @ApiProperty({ enum: SYNC_MODES })
  mode!: SyncMode;

  @ApiProperty({ type: [PartnerUserDto] })
  users!: PartnerUserDto[];

  @ApiPropertyOptional({ default: false, description: 'answer what would change, change nothing' })
  dryRun?: boolean;
}

/** A request whose envelope is sound; its users are validated one by one (a bad user fails alone). */
export interface SyncRequest {
  mode: SyncMode;
  dryRun: boolean;
  users: readonly unknown[];
}

/** The envelope, or a 400 in seed 002's shape. */
export function parseSyncRequest(body: unknown): SyncRequest {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw ApiError.badRequest('Request body must be a JSON object with mode and users');
  }
  const { mode, users, dryRun } = body as Record<string, unknown>;
  if (!SYNC_MODES.includes(mode as SyncMode)) {
    throw ApiError.badRequest(`Invalid mode: expected 'upsert' or 'full-reconcile'`);
  }
  if (!Array.isArray(users) || users.length === 0) throw ApiError.badRequest('Invalid users array provided');
  if (dryRun !== undefined && typeof dryRun !== 'boolean') throw ApiError.badRequest('dryRun must be a boolean');
  return { mode: mode as SyncMode, dryRun: dryRun ?? false, users };
}

/** A user ready to sync, or why it cannot be. */
export function validateUser(item: unknown): PartnerUserDto | DomainError {
  if (typeof item !== 'object' || item === null || Array.isArray(item)) {
    return DomainError.validation('Each user must be a JSON object');
  }
  const value = toInstance(PartnerUserDto, item);
  const details = validationDetails(validateSync(value, { whitelist: true }));
  if (details.length > 0) return new DomainError('VALIDATION', details[0].message, details);
  return value;
}

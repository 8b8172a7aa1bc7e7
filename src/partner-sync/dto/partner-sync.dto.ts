import { IsBoolean, IsDefined, IsEmail, IsObject, IsOptional, IsString, Length, validateSync } from 'class-validator';
import { ApiError } from '../../common/api-error';
import { DomainError } from '../../common/domain-error';
import { toInstance, validationDetails } from '../../common/validation';

export const SYNC_MODES = ['upsert', 'full-reconcile'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** One user of seed 002's request. Unknown fields are ignored (the partner's system owns the shape). */
export class PartnerUserDto {
  @IsDefined({ message: 'Missing required field: externalId' })
  @IsString({ message: 'externalId must be a string' })
  @Length(1, 255, { message: 'externalId must be 1 to 255 characters' })
  externalId!: string;

  @IsDefined({ message: 'Missing required field: email' })
  @IsEmail({ require_tld: false }, { message: 'email must be an email address' })
  @Length(1, 255, { message: 'email must be at most 255 characters' })
  email!: string;

  @IsOptional()
  @IsString({ message: 'firstName must be a string' })
  @Length(0, 255)
  firstName?: string | null;

  @IsOptional()
  @IsString({ message: 'lastName must be a string' })
  @Length(0, 255)
  lastName?: string | null;

  @IsOptional()
  @IsString({ message: 'role must be a string' })
  @Length(0, 255)
  role?: string | null;

  @IsOptional()
  @IsBoolean({ message: 'isActive must be a boolean' })
  isActive?: boolean;

  @IsString({ message: 'orgCode must be a string' })
  orgCode!: string;

  @IsOptional()
  @IsObject({ message: 'metadata must be a JSON object' })
  metadata?: Record<string, unknown>;
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

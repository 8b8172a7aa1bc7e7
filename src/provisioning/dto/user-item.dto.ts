import { Type } from 'class-transformer';
import {
  IsArray,
  IsBoolean,
  IsDefined,
  IsEmail,
  IsIn,
  IsOptional,
  IsString,
  Length,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import { MATCH_FIELDS, MatchField } from '../../directory/directory.types';

export class UserTypeItemDto {
  @IsDefined({ message: 'departmentExternalId is required' })
  @IsString()
  @Length(1, 255)
  departmentExternalId!: string;

  @IsDefined({ message: 'userTypeId is required' })
  @IsString()
  @Length(1, 64)
  userTypeId!: string;
}

const nullable = (_: object, value: unknown): boolean => value !== null && value !== undefined;

/** One user item of a queue or direct-mode request (seeds 000 and 004). `email` becomes the userName. */
export class UserItemDto {
  @ValidateIf(nullable)
  @IsString()
  @Length(0, 255)
  firstName?: string | null;

  @ValidateIf(nullable)
  @IsString()
  @Length(0, 255)
  middleName?: string | null;

  @ValidateIf(nullable)
  @IsString()
  @Length(0, 255)
  lastName?: string | null;

  @IsOptional()
  @IsString()
  @IsEmail({}, { message: 'email must be an email address' })
  @Length(3, 320)
  email?: string;

  @ValidateIf(nullable)
  @IsString()
  @Length(0, 64)
  phoneNumber?: string | null;

  @IsOptional()
  @IsString()
  @Length(1, 255)
  externalId?: string;

  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @IsOptional()
  @IsIn(MATCH_FIELDS)
  matchOnField?: MatchField;

  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => UserTypeItemDto)
  userTypes?: UserTypeItemDto[];

  @IsOptional()
  @IsIn(['DELETE'])
  action?: 'DELETE';
}

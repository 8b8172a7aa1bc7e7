import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
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
  @ApiProperty({ example: 'dept-engineering' })
  @IsDefined({ message: 'departmentExternalId is required' })
  @IsString()
  @Length(1, 255)
  departmentExternalId!: string;

  @ApiProperty({ example: '1' })
  @IsDefined({ message: 'userTypeId is required' })
  @IsString()
  @Length(1, 64)
  userTypeId!: string;
}

const nullable = (_: object, value: unknown): boolean => value !== null && value !== undefined;

/** One user item of a queue or direct-mode request (seeds 000 and 004). `email` becomes the userName. */
export class UserItemDto {
  @ApiPropertyOptional({ example: 'Jane' })
  @ValidateIf(nullable)
  @IsString()
  @Length(0, 255)
  firstName?: string | null;

  @ApiPropertyOptional()
  @ValidateIf(nullable)
  @IsString()
  @Length(0, 255)
  middleName?: string | null;

  @ApiPropertyOptional({ example: 'Smith' })
  @ValidateIf(nullable)
  @IsString()
  @Length(0, 255)
  lastName?: string | null;

  @ApiPropertyOptional({ example: 'jane.smith@company.com', description: 'used as the userName' })
  @IsOptional()
  @IsString()
  @IsEmail({}, { message: 'email must be an email address' })
  @Length(3, 320)
  email?: string;

  @ApiPropertyOptional()
  @ValidateIf(nullable)
  @IsString()
  @Length(0, 64)
  phoneNumber?: string | null;

  @ApiPropertyOptional({ example: 'user-jane-001' })
  @IsOptional()
  @IsString()
  @Length(1, 255)
  externalId?: string;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;

  @ApiPropertyOptional({ enum: MATCH_FIELDS, default: 'EXTERNAL_ID' })
  @IsOptional()
  @IsIn(MATCH_FIELDS)
  matchOnField?: MatchField;

  @ApiPropertyOptional({ type: [UserTypeItemDto], description: 'present: replaces the assignments' })
  @IsOptional()
  @IsArray()
  @ValidateNested({ each: true })
  @Type(() => UserTypeItemDto)
  userTypes?: UserTypeItemDto[];

  @ApiPropertyOptional({ enum: ['DELETE'] })
  @IsOptional()
  @IsIn(['DELETE'])
  action?: 'DELETE';
}

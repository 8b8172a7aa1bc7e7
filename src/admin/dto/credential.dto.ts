import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { CREDENTIAL_KINDS, CredentialKind, Role, ROLES } from '../../auth/entities/credential.entity';

export class CreateCredentialDto {
  @ApiProperty({ enum: CREDENTIAL_KINDS })
  @IsIn(CREDENTIAL_KINDS, { message: `kind must be one of ${CREDENTIAL_KINDS.join(', ')}` })
  kind!: CredentialKind;

  @ApiProperty({ example: 'HR system nightly sync' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiPropertyOptional({ enum: ROLES, isArray: true, description: 'defaults by kind' })
  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `roles must be among ${ROLES.join(', ')}` })
  roles?: Role[];

  @ApiPropertyOptional({ description: 'OAUTH_CLIENT only: the client id (generated when absent)' })
  @IsOptional()
  @IsString()
  @Length(3, 200)
  clientId?: string;

  @ApiPropertyOptional({ description: 'PARTNER_SECRET only: the shared signing secret (generated when absent)' })
  @IsOptional()
  @IsString()
  @Length(16, 512)
  secret?: string;
}

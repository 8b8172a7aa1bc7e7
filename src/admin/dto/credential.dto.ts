import { ArrayUnique, IsArray, IsIn, IsOptional, IsString, Length } from 'class-validator';
import { CREDENTIAL_KINDS, CredentialKind, Role, ROLES } from '../../auth/entities/credential.entity';
import { OPERATOR_KINDS } from '../../auth/credentials.service';

/** `AdminIssueCredentialRequest` in the OpenAPI document (admin.openapi.ts). */
export class CreateCredentialDto {
  @IsIn(CREDENTIAL_KINDS, { message: `kind must be one of ${CREDENTIAL_KINDS.join(', ')}` })
  kind!: CredentialKind;

  @IsString()
  @Length(1, 200)
  name!: string;

  @IsOptional()
  @IsArray()
  @ArrayUnique()
  @IsIn(ROLES, { each: true, message: `roles must be among ${ROLES.join(', ')}` })
  roles?: Role[];

  @IsOptional()
  @IsString()
  @Length(3, 200)
  clientId?: string;

  @IsOptional()
  @IsString()
  @Length(16, 512)
  secret?: string;
}

/** `AdminIssueOperatorCredentialRequest`: an ADMIN credential outside any tenant. */
export class CreateOperatorCredentialDto {
  @IsIn(OPERATOR_KINDS, { message: `kind must be one of ${OPERATOR_KINDS.join(', ')}` })
  kind!: (typeof OPERATOR_KINDS)[number];

  @IsString()
  @Length(1, 200)
  name!: string;
}

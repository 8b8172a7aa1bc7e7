import { IsOptional, IsString, Length } from 'class-validator';

/**
 * `POST /api/admin/tenants/{tenantId}/identity-providers/test` (`ConsoleIdpTestRequest`):
 * a SCIM secret (`token`), or an OAuth client (`clientId` and `clientSecret`). Never stored or logged.
 */
export class IdpTestDto {
  @IsOptional()
  @IsString()
  @Length(1, 4096, { message: 'token must be 1 to 4096 characters' })
  token?: string;

  @IsOptional()
  @IsString()
  @Length(1, 200, { message: 'clientId must be 1 to 200 characters' })
  clientId?: string;

  @IsOptional()
  @IsString()
  @Length(1, 512, { message: 'clientSecret must be 1 to 512 characters' })
  clientSecret?: string;
}

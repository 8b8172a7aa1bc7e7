import { IsString, Length, Matches } from 'class-validator';

/** `AdminCreateUserTypeRequest` in the OpenAPI document (admin.openapi.ts). */
export class CreateUserTypeDto {
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, { message: 'id must be 1-64 letters, digits, ".", "_" or "-"' })
  id!: string;

  @IsString()
  @Length(1, 200)
  name!: string;
}

/** `AdminRenameUserTypeRequest` in the OpenAPI document (admin.openapi.ts). */
export class RenameUserTypeDto {
  @IsString()
  @Length(1, 200)
  name!: string;
}

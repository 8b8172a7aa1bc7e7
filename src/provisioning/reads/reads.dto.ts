import { ApiProperty } from '@nestjs/swagger';

/** Seed 001's department object plus seed 004's names for the same ids (CONTRACT: "Department read shape"). */
export class DepartmentEntryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'Engineering Department' })
  name!: string;

  @ApiProperty({ type: String, nullable: true, example: 'ext-eng-001' })
  externalId!: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'uuid' })
  parentDepartmentId!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ext-root' })
  parentExternalId!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'the same as externalId (seed 004)' })
  directoryUniqueIdentifier!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'the same as parentExternalId (seed 004)' })
  parentDirectoryUniqueIdentifier!: string | null;

  @ApiProperty({ format: 'date-time' })
  createdOn!: string;

  @ApiProperty({ format: 'date-time' })
  updatedOn!: string;

  @ApiProperty()
  active!: boolean;
}

class PageDto {
  @ApiProperty({ enum: [true] })
  status!: true;

  @ApiProperty({ description: 'rows matching the filters, whatever the page' })
  totalCount!: number;

  @ApiProperty()
  skip!: number;

  @ApiProperty()
  limit!: number;
}

export class DepartmentsPageDto extends PageDto {
  @ApiProperty({ type: [DepartmentEntryDto] })
  departments!: DepartmentEntryDto[];

  @ApiProperty({ type: [DepartmentEntryDto], description: 'the same array as departments (seed 004)' })
  entries!: DepartmentEntryDto[];
}

export class UserTypeEntryDto {
  @ApiProperty({ format: 'uuid' })
  departmentId!: string;

  @ApiProperty()
  departmentName!: string;

  @ApiProperty({ type: String, nullable: true })
  departmentExternalId!: string | null;

  @ApiProperty({ example: '1' })
  userTypeId!: string;

  @ApiProperty({ example: 'Member' })
  userTypeName!: string;
}

/** Seed 004's user entry. */
export class UserEntryDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  firstName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  middleName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  lastName!: string | null;

  @ApiProperty({ type: String, nullable: true })
  email!: string | null;

  @ApiProperty({ type: String, nullable: true })
  phoneNumber!: string | null;

  @ApiProperty({ type: String, nullable: true, description: 'the same as externalId' })
  directoryUniqueIdentifier!: string | null;

  @ApiProperty({ type: String, nullable: true })
  externalId!: string | null;

  @ApiProperty()
  userName!: string;

  @ApiProperty()
  active!: boolean;

  @ApiProperty({ format: 'date-time' })
  createdOn!: string;

  @ApiProperty({ format: 'date-time' })
  updatedOn!: string;

  @ApiProperty({ type: [UserTypeEntryDto] })
  userTypes!: UserTypeEntryDto[];
}

export class UsersPageDto extends PageDto {
  @ApiProperty({ type: [UserEntryDto] })
  entries!: UserEntryDto[];
}

// The answers of the department and user reads; their OpenAPI schemas (`DepartmentEntry`,
// `DepartmentPage`, `UserEntry`, `UserPage`) are in ../provisioning.openapi.ts.

/** Seed 001's department object plus seed 004's names for the same ids (CONTRACT: "Department read shape"). */
export interface DepartmentEntryDto {
  id: string;
  name: string;
  externalId: string | null;
  parentDepartmentId: string | null;
  parentExternalId: string | null;
  /** The same as externalId (seed 004). */
  directoryUniqueIdentifier: string | null;
  /** The same as parentExternalId (seed 004). */
  parentDirectoryUniqueIdentifier: string | null;
  createdOn: string;
  updatedOn: string;
  active: boolean;
}

interface PageDto {
  status: true;
  /** Rows matching the filters, whatever the page. */
  totalCount: number;
  skip: number;
  limit: number;
}

export interface DepartmentsPageDto extends PageDto {
  departments: DepartmentEntryDto[];
  /** The same array as departments (seed 004). */
  entries: DepartmentEntryDto[];
}

export interface UserTypeEntryDto {
  departmentId: string;
  departmentName: string;
  departmentExternalId: string | null;
  userTypeId: string;
  userTypeName: string;
}

/** Seed 004's user entry. */
export interface UserEntryDto {
  id: string;
  firstName: string | null;
  middleName: string | null;
  lastName: string | null;
  email: string | null;
  phoneNumber: string | null;
  /** The same as externalId. */
  directoryUniqueIdentifier: string | null;
  externalId: string | null;
  userName: string;
  active: boolean;
  createdOn: string;
  updatedOn: string;
  userTypes: UserTypeEntryDto[];
}

export interface UsersPageDto extends PageDto {
  entries: UserEntryDto[];
}

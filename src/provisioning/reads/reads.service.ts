import { Injectable } from '@nestjs/common';
import { TransactionRunner } from '../../database/transaction-runner';
import type { UserAssignmentRecord } from '../../directory/directory.types';
import { TenantsService } from '../../directory/tenants.service';
import { UsersService } from '../../directory/users.service';
import { DateRangeError, PresetOrCustom, resolveDateRange } from './date-range';
import { DepartmentEntryDto, DepartmentsPageDto, UserEntryDto, UsersPageDto, UserTypeEntryDto } from './reads.dto';
import { DateField, dateRangeError, ReadQuery } from './read-query';
import { DepartmentReadRow, InstantRange, ReadFilters, ReadsRepository, UserReadRow } from './reads.repository';

/**
 * The provisioning API's department and user listings (seeds 001 and 004): filters resolved in
 * the tenant's locale and time zone, a page in (created_on, id) order, and the total it is part of.
 */
@Injectable()
export class ReadsService {
  constructor(
    private readonly reads: ReadsRepository,
    private readonly tenants: TenantsService,
    private readonly users: UsersService,
    private readonly transactions: TransactionRunner,
  ) {}

  async listDepartments(tenantId: string, query: ReadQuery, now = new Date()): Promise<DepartmentsPageDto> {
    const filters = await this.filtersOf(tenantId, query, now);
    const em = this.transactions.manager;
    // Two statements on two pooled connections at once: a read needs no transaction, and a row
    // written in between may make the total and the page disagree by it, as with any paging API.
    const [rows, totalCount] = await Promise.all([
      this.reads.findDepartments(em, tenantId, filters, query),
      this.reads.countDepartments(em, tenantId, filters),
    ]);
    const departments = rows.map(toDepartmentEntry);
    return { status: true, departments, entries: departments, totalCount, skip: query.skip, limit: query.limit };
  }

  async listUsers(tenantId: string, query: ReadQuery, now = new Date()): Promise<UsersPageDto> {
    const filters = await this.filtersOf(tenantId, query, now);
    const em = this.transactions.manager;
    const [rows, totalCount] = await Promise.all([
      this.reads.findUsers(em, tenantId, filters, query),
      this.reads.countUsers(em, tenantId, filters),
    ]);
    // The whole page's assignments, with department and user-type names, in one statement.
    const assignments = await this.users.findAssignments(
      em,
      tenantId,
      rows.map((row) => row.id),
    );
    const entries = rows.map((row) => toUserEntry(row, assignments.get(row.id) ?? []));
    return { status: true, entries, totalCount, skip: query.skip, limit: query.limit };
  }

  /** Date ranges need the tenant's zone and locale, read only when a range is asked for. */
  private async filtersOf(tenantId: string, query: ReadQuery, now: Date): Promise<ReadFilters> {
    const filters: ReadFilters = { active: query.active, createdOn: null, updatedOn: null };
    if (!query.createdOn && !query.updatedOn) return filters;
    const { locale, timeZone } = await this.tenants.find(tenantId);
    const resolve = (field: DateField, range: PresetOrCustom | null): InstantRange | null => {
      if (!range) return null;
      try {
        return resolveDateRange(range, now, timeZone, locale);
      } catch (error) {
        if (error instanceof DateRangeError) throw dateRangeError(field, error);
        throw error;
      }
    };
    filters.createdOn = resolve('createdOn', query.createdOn);
    filters.updatedOn = resolve('updatedOn', query.updatedOn);
    return filters;
  }
}

function toDepartmentEntry(row: DepartmentReadRow): DepartmentEntryDto {
  return {
    id: row.id,
    name: row.name,
    externalId: row.externalId,
    parentDepartmentId: row.parentId,
    parentExternalId: row.parentExternalId,
    directoryUniqueIdentifier: row.externalId,
    parentDirectoryUniqueIdentifier: row.parentExternalId,
    createdOn: row.createdOn.toISOString(),
    updatedOn: row.updatedOn.toISOString(),
    active: row.active,
  };
}

function toUserEntry(row: UserReadRow, assignments: readonly UserAssignmentRecord[]): UserEntryDto {
  return {
    id: row.id,
    firstName: row.givenName,
    middleName: row.middleName,
    lastName: row.familyName,
    email: row.email,
    phoneNumber: row.phoneNumber,
    directoryUniqueIdentifier: row.externalId,
    externalId: row.externalId,
    userName: row.userName,
    active: row.active,
    createdOn: row.createdOn.toISOString(),
    updatedOn: row.updatedOn.toISOString(),
    userTypes: assignments.map(toUserTypeEntry),
  };
}

function toUserTypeEntry(assignment: UserAssignmentRecord): UserTypeEntryDto {
  return {
    departmentId: assignment.departmentId,
    departmentName: assignment.departmentName,
    departmentExternalId: assignment.departmentExternalId,
    userTypeId: assignment.userTypeId,
    userTypeName: assignment.userTypeName,
  };
}

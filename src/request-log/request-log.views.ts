import type { NewRequestLog } from './capture';
import type { LogDetailRow, LogSummaryRow } from './request-logs.repository';

/** One request in full, as the row was written (bodies as stored text, already redacted). */
export type LogDetail = {
  id: string;
  time: string;
  /** The names of the caller's credential and tenant, for people (null when unknown or gone). */
  credentialName: string | null;
  tenantName: string | null;
} & Omit<NewRequestLog, 'time' | 'searchText'>;

/** A list item and a stream event (ADMIN-API.md "LogSummary"): the request without headers and bodies. */
export type LogSummary = Omit<
  LogDetail,
  | 'requestHeaders'
  | 'requestBody'
  | 'requestBodyTruncated'
  | 'responseHeaders'
  | 'responseBody'
  | 'responseBodyTruncated'
  | 'detailsOmitted'
>;

export function toLogSummary(row: LogSummaryRow): LogSummary {
  return {
    id: row.id,
    time: new Date(row.time).toISOString(),
    method: row.method,
    path: row.path,
    status: Number(row.status),
    durationMs: Number(row.duration_ms),
    tenantId: row.tenant_id,
    credentialId: row.credential_id,
    correlationId: row.correlation_id,
    identifier: row.identifier,
    errorMessage: row.error_message,
    authFailure: row.auth_failure,
    clientAddress: row.client_address,
    admin: row.admin,
    keepalive: row.keepalive,
    credentialName: row.credential_name ?? null,
    tenantName: row.tenant_name ?? null,
  };
}

export function toLogDetail(row: LogDetailRow): LogDetail {
  return {
    ...toLogSummary(row),
    requestHeaders: row.request_headers,
    requestBody: row.request_body,
    requestBodyTruncated: row.request_body_truncated,
    responseHeaders: row.response_headers,
    responseBody: row.response_body,
    responseBodyTruncated: row.response_body_truncated,
    detailsOmitted: row.details_omitted,
  };
}

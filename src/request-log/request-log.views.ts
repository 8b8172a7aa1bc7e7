import type { LogDetailRow, LogSummaryRow } from './request-logs.repository';

/** A list item and a stream event (ADMIN-API.md "LogSummary"). */
export interface LogSummary {
  id: string;
  time: string;
  method: string;
  /** With its query string, redacted. */
  path: string;
  status: number;
  durationMs: number;
  tenantId: string | null;
  credentialId: string | null;
  correlationId: string | null;
  identifier: string | null;
  errorMessage: string | null;
  admin: boolean;
  keepalive: boolean;
}

/** One request in full: bodies as stored text, already redacted. */
export interface LogDetail extends LogSummary {
  requestHeaders: Record<string, string>;
  requestBody: string | null;
  requestBodyTruncated: boolean;
  responseHeaders: Record<string, string>;
  responseBody: string | null;
  responseBodyTruncated: boolean;
}

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
    admin: row.admin,
    keepalive: row.keepalive,
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
  };
}

import type { ChangeRow } from './feed.repository';

/** One change as the feed and the history answer it (camelCase; seq as a string: it is a bigint). */
export interface ChangeView {
  seq: string;
  eventId: string;
  type: ChangeRow['eventType'];
  resourceType: ChangeRow['resourceType'];
  /** The user or department; for an assignment, its department. */
  resourceId: string;
  /** Assignment only: the assigned user. */
  userId?: string;
  /** Assignment only. */
  userTypeId?: string;
  externalId: string | null;
  /** The resource's version after the change (its ETag W/"n"); null for a delete and an assignment. */
  version: number | null;
  attributes: string[];
  /** Only with form=full (and in the history): the values the change set (new ones; null when cleared). */
  data?: unknown;
  door: string;
  credential: { id: string; name: string | null } | null;
  correlationId: string | null;
  transactionId: string | null;
  occurredOn: string;
}

/** The whitelist from a change_events row to its view; `data` only when the row was read with it. */
export function toChangeView(row: ChangeRow): ChangeView {
  return {
    seq: row.seq,
    eventId: row.eventId,
    type: row.eventType,
    resourceType: row.resourceType,
    resourceId: row.resourceId,
    ...(row.resourceType === 'assignment' ? { userId: row.memberId ?? '', userTypeId: row.userTypeId ?? '' } : {}),
    externalId: row.externalId,
    version: row.version,
    attributes: row.attributes ?? [],
    ...(row.data !== undefined ? { data: row.data } : {}),
    door: row.door,
    credential: row.credentialId ? { id: row.credentialId, name: row.credentialName } : null,
    correlationId: row.correlationId,
    transactionId: row.transactionId,
    occurredOn: new Date(row.occurredOn).toISOString(),
  };
}

/** The feed's answer. `next` is the seq to resume after: the last change's, or the `after` given. */
export interface ChangesPageView {
  status: true;
  changes: ChangeView[];
  next: string;
  hasMore: boolean;
}

/**
 * What a change_events row holds of an event's content. Since migration 1796000000000 the capture
 * triggers leave out what the row's own columns already say, to keep the write path cheap:
 * - a create stores no attribute names (they are the keys of its values) and its values no `id`
 *   nor `externalId` (the row's `resourceId` and `externalId`);
 * - an assignment stores no values (they are its `memberId`, `resourceId` and `userTypeId`).
 */
export interface StoredChange {
  resourceType: string;
  resourceId: string;
  memberId: string | null;
  userTypeId: string | null;
  externalId: string | null;
  eventType: string;
  attributes: string[] | null;
  data: Record<string, unknown> | null;
}

/** A change_events (or change_feed) row's columns as node-postgres answers them, by column name. */
export type StoredChangeColumns = {
  [
    column in
      | 'resource_type'
      | 'resource_id'
      | 'member_id'
      | 'user_type_id'
      | 'external_id'
      | 'event_type'
      | 'attributes'
      | 'data'
  ]?: unknown;
};

/** The StoredChange of a row read by column name (`SELECT *` or the snake_case columns). */
export function storedChangeOf(row: StoredChangeColumns): StoredChange {
  return {
    resourceType: String(row.resource_type),
    resourceId: String(row.resource_id),
    memberId: (row.member_id as string | null | undefined) ?? null,
    userTypeId: (row.user_type_id as string | null | undefined) ?? null,
    externalId: (row.external_id as string | null | undefined) ?? null,
    eventType: String(row.event_type),
    attributes: (row.attributes as string[] | null | undefined) ?? null,
    data: (row.data as Record<string, unknown> | null | undefined) ?? null,
  };
}

/**
 * The event's attribute names and values as the capture saw them: every reader (feed, history,
 * SETs, polls) shows events through this. Rows written before the migration already hold
 * everything; for them the answer is what they hold.
 */
export function restoredContent(row: StoredChange): {
  attributes: string[];
  data: Record<string, unknown> | null;
} {
  const attributes = row.attributes ?? [];
  if (row.resourceType === 'assignment') {
    return {
      attributes,
      data: { userId: row.memberId, departmentId: row.resourceId, userTypeId: row.userTypeId },
    };
  }
  if (row.eventType !== 'create') return { attributes, data: row.data };
  const data = {
    id: row.resourceId,
    ...(row.externalId === null ? {} : { externalId: row.externalId }),
    ...row.data,
  };
  return { attributes: attributes.length > 0 ? attributes : createdNames(data), data };
}

/**
 * A create's attribute names: its values' keys, SCIM extension and unknown attributes by their own
 * keys, in code-point order (as the triggers name patches: COLLATE "C" over UTF-8).
 */
function createdNames(data: Record<string, unknown>): string[] {
  const { attributes, ...columns } = data;
  const names = Object.keys(columns);
  if (attributes !== null && typeof attributes === 'object') names.push(...Object.keys(attributes));
  return names.sort(byCodePoint);
}

/**
 * Code-point order. `<` compares UTF-16 units, which puts a character above U+FFFF (a surrogate
 * pair) before U+E000-U+FFFF; here it sorts after every character of the basic plane.
 */
export function byCodePoint(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xPair = x >= 0xd800 && x <= 0xdfff;
    const yPair = y >= 0xd800 && y <= 0xdfff;
    if (xPair !== yPair) return xPair ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}

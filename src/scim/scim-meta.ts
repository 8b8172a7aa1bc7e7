/** RFC 7643 §3.1 `meta`. */
export interface ResourceMeta {
  resourceType: 'User' | 'Group';
  created: string;
  lastModified: string;
  location: string;
  version: string;
}

/** The weak ETag of a resource version (RFC 7644 §3.14). */
export const etagOf = (version: number): string => `W/"${version}"`;

export function resourceMeta(
  resourceType: 'User' | 'Group',
  row: { id: string; version: number; createdOn: Date; updatedOn: Date },
  base: string,
): ResourceMeta {
  const created = row.createdOn.toISOString();
  return {
    resourceType,
    created,
    // Most resources never change after they are created: one formatting of the same instant, not two.
    lastModified: row.updatedOn.getTime() === row.createdOn.getTime() ? created : row.updatedOn.toISOString(),
    location: `${base}/${resourceType}s/${row.id}`,
    version: etagOf(row.version),
  };
}

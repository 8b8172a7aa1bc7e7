import type { DepartmentRow, GroupState, MemberView } from '../directory/directory.types';
import { withoutSecrets } from '../directory/secret-names';
import { ScimDocument, URN_GROUP } from './schemas';
import { resourceMeta } from './scim-meta';

/** Never stored in `attributes`: columns, server-assigned values and members (assignments). */
const NOT_STORED = new Set(['schemas', 'id', 'meta', 'displayName', 'externalId', 'members']);

/** A normalised SCIM Group document as the department it is. */
export function toGroupState(document: ScimDocument): GroupState {
  const attributes: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(document)) if (!NOT_STORED.has(key)) attributes[key] = value;
  const externalId = document.externalId;
  return {
    name: String(document.displayName),
    externalId:
      typeof externalId === 'string' ? externalId : typeof externalId === 'number' ? String(externalId) : null,
    // The service drops secrets at the door; this keeps any that a future path lets through out of the row.
    attributes: withoutSecrets(attributes),
  };
}

/** A department as a SCIM Group; `members` only when they were read (left out by the request otherwise). */
export function toGroupDocument(row: DepartmentRow, base: string, members?: readonly MemberView[]): ScimDocument {
  const document: ScimDocument = {
    schemas: [URN_GROUP],
    id: row.id,
    ...(row.externalId !== null ? { externalId: row.externalId } : {}),
    displayName: row.name,
    // A row written before secrets were dropped at the door must not show them.
    ...withoutSecrets(row.attributes),
  };
  if (members) {
    document.members = members.map((member) => ({
      value: member.id,
      $ref: `${base}/${member.type}s/${member.id}`,
      display: member.display,
      type: member.type,
    }));
  }
  document.meta = resourceMeta('Group', row, base);
  return document;
}

import { KeyObject, sign } from 'node:crypto';
import type { ChangeEventType, ChangeResourceType } from '../entities/change-event.entity';
import type { StreamForm } from '../entities/event-stream.entity';
import { SET_ALGORITHM } from './stream-keys';

/** The event URIs of RFC 9967 this service generates. */
export const SCIM_EVENT_URIS = [
  'urn:ietf:params:scim:event:prov:create:notice',
  'urn:ietf:params:scim:event:prov:create:full',
  'urn:ietf:params:scim:event:prov:patch:notice',
  'urn:ietf:params:scim:event:prov:patch:full',
  'urn:ietf:params:scim:event:prov:delete',
  'urn:ietf:params:scim:event:prov:activate',
  'urn:ietf:params:scim:event:prov:deactivate',
] as const;

const PREFIX = 'urn:ietf:params:scim:event:prov:';
const URN_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
const URN_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
const URN_PATCH = 'urn:ietf:params:scim:api:messages:2.0:PatchOp';

/** A sequenced change event, as a SET needs it. */
export interface SetEvent {
  eventId: string;
  seq: string;
  resourceType: ChangeResourceType;
  resourceId: string;
  memberId: string | null;
  externalId: string | null;
  version: number | null;
  eventType: ChangeEventType;
  attributes: string[];
  data: Record<string, unknown> | null;
  correlationId: string | null;
  transactionId: string | null;
  occurredOn: Date;
}

/** The stream a SET is for. */
export interface SetStream {
  id: string;
  tenantId: string;
  delivery: 'push' | 'poll';
  endpointUrl: string | null;
  form: StreamForm;
}

export type SetClaims = Record<string, unknown> & { jti: string };

/**
 * The jti of an event's SET on a stream: the same on every retransmission (a receiver drops
 * duplicates by it), different for two streams (their SETs differ: form, audience).
 */
export function setJti(eventId: string, streamId: string): string {
  return `${eventId.replace(/-/g, '')}.${streamId.replace(/-/g, '').slice(0, 12)}`;
}

/** The seq part cannot be read back from a jti; this finds the event id a jti names. */
export function eventIdOfJti(jti: string): string | undefined {
  const hex = /^([0-9a-f]{32})\.[0-9a-f]{12}$/.exec(jti)?.[1];
  return hex && `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** The issuer of a tenant's SETs: its SCIM base URL when PUBLIC_BASE_URL is set. */
export function setIssuer(publicBaseUrl: string | undefined, tenantId: string): string {
  return `${publicBaseUrl ?? 'urn:idp'}/scim/endpoints/${encodeURIComponent(tenantId)}`;
}

export function setAudience(stream: SetStream): string {
  return stream.delivery === 'push' && stream.endpointUrl ? stream.endpointUrl : `urn:idp:stream:${stream.id}`;
}

/** The claims of the RFC 9967 SET for `event` on `stream` (RFC 8417 §2.2). */
export function setClaims(stream: SetStream, event: SetEvent, issuer: string, now = new Date()): SetClaims {
  const group = event.resourceType !== 'user';
  const uri = `/${group ? 'Groups' : 'Users'}/${event.resourceId}`;
  const subject: Record<string, unknown> = { format: 'scim', uri };
  if (event.externalId !== null) subject.externalId = event.externalId;
  const claims: SetClaims = {
    jti: setJti(event.eventId, stream.id),
    iss: issuer,
    iat: Math.floor(now.getTime() / 1000),
    aud: setAudience(stream),
    toe: Math.floor(event.occurredOn.getTime() / 1000),
    sub_id: subject,
    events: { [eventUri(event, stream.form)]: eventPayload(event, stream.form) },
  };
  const txn = event.transactionId ?? event.correlationId;
  if (txn) claims.txn = txn;
  return claims;
}

/** A compact JWS: header {alg: ES256, typ: secevent+jwt, kid}, signed with the stream's key. */
export function signSet(claims: SetClaims, key: KeyObject, kid: string): string {
  const header = Buffer.from(JSON.stringify({ alg: SET_ALGORITHM, typ: 'secevent+jwt', kid })).toString('base64url');
  const body = Buffer.from(JSON.stringify(claims)).toString('base64url');
  const input = `${header}.${body}`;
  const signature = sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' });
  return `${input}.${signature.toString('base64url')}`;
}

function eventUri(event: SetEvent, form: StreamForm): string {
  if (event.resourceType === 'assignment') return `${PREFIX}patch:${form}`;
  switch (event.eventType) {
    case 'create':
    case 'patch':
      return `${PREFIX}${event.eventType}:${form}`;
    case 'delete':
    case 'activate':
    case 'deactivate':
      return `${PREFIX}${event.eventType}`;
  }
}

function eventPayload(event: SetEvent, form: StreamForm): Record<string, unknown> {
  const version = event.version === null ? {} : { version: `W/"${event.version}"` };
  if (event.resourceType === 'assignment') {
    // A membership is a change of the group's members (RFC 9967's Figure 7).
    if (form === 'notice') return { attributes: ['members'] };
    const op = event.eventType === 'delete' ? 'remove' : 'add';
    const operation =
      op === 'add'
        ? { op, path: 'members', value: [{ value: event.memberId }] }
        : { op, path: `members[value eq "${event.memberId}"]` };
    return { data: { schemas: [URN_PATCH], Operations: [operation] } };
  }
  const group = event.resourceType === 'department';
  switch (event.eventType) {
    case 'create':
      return form === 'notice'
        ? { attributes: scimNames(event.attributes, group) }
        : { data: group ? groupDocument(event) : userDocument(event) };
    case 'patch':
      return form === 'notice'
        ? { attributes: scimNames(event.attributes, group), ...version }
        : { data: { schemas: [URN_PATCH], Operations: patchOperations(event.data ?? {}, group) }, ...version };
    default:
      return {};
  }
}

/** Directory attribute names as SCIM paths (RFC 7644 §3.5.2). */
const USER_PATHS: Record<string, string> = {
  givenName: 'name.givenName',
  middleName: 'name.middleName',
  familyName: 'name.familyName',
  email: 'emails',
  phoneNumber: 'phoneNumbers',
};
const GROUP_PATHS: Record<string, string> = { name: 'displayName', parentId: 'parent' };

function scimNames(names: string[], group: boolean): string[] {
  const paths = group ? GROUP_PATHS : USER_PATHS;
  return [...new Set(names.map((name) => paths[name] ?? name))];
}

function userDocument(event: SetEvent): Record<string, unknown> {
  const data = event.data ?? {};
  const { attributes, givenName, middleName, familyName, phoneNumber, email: _email, ...columns } = data;
  const name = Object.fromEntries(
    Object.entries({ givenName, middleName, familyName }).filter(([, value]) => value !== undefined),
  );
  const extension = isObject(attributes) ? attributes : {};
  const document: Record<string, unknown> = { schemas: [URN_USER], ...extension, ...columns };
  if (Object.keys(name).length > 0) document.name = { ...(isObject(extension.name) ? extension.name : {}), ...name };
  if (phoneNumber !== undefined && extension.phoneNumbers === undefined)
    document.phoneNumbers = [{ value: phoneNumber, type: 'work', primary: true }];
  return document;
}

function groupDocument(event: SetEvent): Record<string, unknown> {
  const { attributes, name, ...columns } = event.data ?? {};
  const extension = isObject(attributes) ? attributes : {};
  return { schemas: [URN_GROUP], ...extension, ...columns, displayName: name };
}

function patchOperations(data: Record<string, unknown>, group: boolean): Record<string, unknown>[] {
  const { attributes, ...columns } = data;
  const changes: [string, unknown][] = [
    ...Object.entries(columns).filter(([name]) => name !== 'email'),
    ...Object.entries(isObject(attributes) ? attributes : {}),
  ];
  const paths = group ? GROUP_PATHS : USER_PATHS;
  return changes.map(([name, value]) => {
    const path = paths[name] ?? name;
    if (value === null) return { op: 'remove', path };
    if (name === 'phoneNumber') return { op: 'replace', path, value: [{ value, type: 'work', primary: true }] };
    return { op: 'replace', path, value };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

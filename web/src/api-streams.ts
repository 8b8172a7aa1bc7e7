import type { components, operations } from '../../openapi/api';
import type { Api } from './api';

/** The admin API's event streams (README "Change feed and SCIM security events"), typed by openapi/api.d.ts. */
export type EventStream = components['schemas']['EventStream'];
export type EventStreamCreate = components['schemas']['EventStreamCreateRequest'];
export type StreamEventType = EventStream['eventTypes'][number];
export type StreamResourceType = EventStream['resourceTypes'][number];
export type StreamDelivery = EventStream['delivery'];
export type StreamForm = EventStream['form'];
export type DeadLetterPage = operations['listEventStreamDeadLetters']['responses'][200]['content']['application/json'];
export type DeadLetter = DeadLetterPage['items'][number];

export const STREAM_EVENT_TYPES: readonly StreamEventType[] = ['create', 'patch', 'delete', 'activate', 'deactivate'];
export const STREAM_RESOURCE_TYPES: readonly StreamResourceType[] = ['user', 'department', 'assignment'];

const streamsPath = (tenantId: string): string => `/api/admin/tenants/${encodeURIComponent(tenantId)}/event-streams`;
const streamPath = (tenantId: string, streamId: string): string =>
  `${streamsPath(tenantId)}/${encodeURIComponent(streamId)}`;

export const listStreams = (api: Api, tenantId: string, signal?: AbortSignal) =>
  api.get<{ items: EventStream[]; total: number }>(streamsPath(tenantId), undefined, signal);
export const createStream = (api: Api, tenantId: string, stream: EventStreamCreate) =>
  api.send<EventStream>('POST', streamsPath(tenantId), stream);
export const deleteStream = (api: Api, tenantId: string, streamId: string) =>
  api.send<void>('DELETE', streamPath(tenantId, streamId));
export const rotateStreamKey = (api: Api, tenantId: string, streamId: string) =>
  api.send<EventStream>('POST', `${streamPath(tenantId, streamId)}/signing-key`);
export const pauseStream = (api: Api, tenantId: string, streamId: string) =>
  api.send<unknown>('POST', `${streamPath(tenantId, streamId)}/pause`);
export const resumeStream = (api: Api, tenantId: string, streamId: string) =>
  api.send<unknown>('POST', `${streamPath(tenantId, streamId)}/resume`);
export const replayStream = (api: Api, tenantId: string, streamId: string, after: string) =>
  api.send<unknown>('POST', `${streamPath(tenantId, streamId)}/replay`, { after });
export const listDeadLetters = (api: Api, tenantId: string, streamId: string, page: number, signal?: AbortSignal) =>
  api.get<DeadLetterPage>(`${streamPath(tenantId, streamId)}/dead-letters`, { page, pageSize: 20 }, signal);

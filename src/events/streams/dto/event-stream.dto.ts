import {
  ArrayMaxSize,
  ArrayNotEmpty,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Max,
  MaxLength,
  Min,
  ValidateIf,
} from 'class-validator';
import { CHANGE_EVENT_TYPES, CHANGE_RESOURCE_TYPES } from '../../entities/change-event.entity';

export const STREAM_EVENT_TYPES = CHANGE_EVENT_TYPES;
export type StreamEventType = (typeof STREAM_EVENT_TYPES)[number];
export const STREAM_RESOURCE_TYPES = CHANGE_RESOURCE_TYPES;
export type StreamResourceType = (typeof STREAM_RESOURCE_TYPES)[number];
export const STREAM_FORMS = ['notice', 'full'] as const;
export type StreamForm = (typeof STREAM_FORMS)[number];
export const STREAM_DELIVERIES = ['push', 'poll'] as const;
export type StreamDelivery = (typeof STREAM_DELIVERIES)[number];

/** The longest endpoint URL kept. */
export const ENDPOINT_URL_MAX = 2048;

/** Which changes a stream carries and in which form: set at creation, changed by PATCH. */
abstract class EventStreamFiltersDto {
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(STREAM_EVENT_TYPES, { each: true, message: `eventTypes must hold only: ${STREAM_EVENT_TYPES.join(', ')}` })
  eventTypes?: StreamEventType[];

  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(STREAM_RESOURCE_TYPES, {
    each: true,
    message: `resourceTypes must hold only: ${STREAM_RESOURCE_TYPES.join(', ')}`,
  })
  resourceTypes?: StreamResourceType[];

  @IsOptional()
  @IsIn(STREAM_FORMS, { message: `form must be one of: ${STREAM_FORMS.join(', ')}` })
  form?: StreamForm;
}

/** `EventStreamCreateRequest` in the OpenAPI document (event-streams.openapi.ts). */
export class CreateEventStreamDto extends EventStreamFiltersDto {
  @IsString()
  @Length(1, 255)
  name!: string;

  @IsIn(STREAM_DELIVERIES, { message: `delivery must be one of: ${STREAM_DELIVERIES.join(', ')}` })
  delivery!: StreamDelivery;

  /** Push only (required there); a poll stream has none. Checked further by receiver-url. */
  @ValidateIf((_, value) => value !== undefined && value !== null)
  @IsString()
  @MaxLength(ENDPOINT_URL_MAX)
  endpointUrl?: string | null;

  /** The seq after which the stream starts (0: from the first event kept); default: the tenant's last seq. */
  @IsOptional()
  @IsInt({ message: 'startAfter must be a whole number (a seq of the change feed)' })
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  startAfter?: number;
}

/** `EventStreamUpdateRequest` in the OpenAPI document. Delivery cannot change: make a new stream. */
export class UpdateEventStreamDto extends EventStreamFiltersDto {
  @IsOptional()
  @IsString()
  @Length(1, 255)
  name?: string;

  @IsOptional()
  @IsString()
  @MaxLength(ENDPOINT_URL_MAX)
  endpointUrl?: string;
}

/** The most SETs one poll answers. */
export const POLL_MAX_EVENTS = 1000;
export const POLL_DEFAULT_EVENTS = 100;

/** RFC 8936 §2.4 poll request (`EventPollRequest`): every member optional. */
export class PollRequestDto {
  @IsOptional()
  @IsInt({ message: 'maxEvents must be a whole number' })
  @Min(0)
  @Max(POLL_MAX_EVENTS)
  maxEvents?: number;

  @IsOptional()
  @IsBoolean()
  returnImmediately?: boolean;

  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10_000)
  @IsString({ each: true })
  @MaxLength(128, { each: true })
  ack?: string[];

  /** jti -> {err, description}; checked in the service (keys are the client's). */
  @IsOptional()
  @IsObject()
  setErrs?: Record<string, { err?: unknown; description?: unknown }>;
}

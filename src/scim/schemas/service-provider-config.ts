// RFC 7643 §5 / §8.5: what this service provider supports, as `/ServiceProviderConfig` serves it
// (the caller adds `meta`).
import { SCIM_LIMITS } from '../scim-limits';
import { DEFAULT_COUNT } from '../scim-list-query';
import { URN_SERVICE_PROVIDER_CONFIG, URN_SERVICE_PROVIDER_LIMITS } from './scim.urns';

/** The maximum number of resources one list or search answers (RFC 7643 §5 `filter.maxResults`). */
export const MAX_RESULTS = SCIM_LIMITS.listResults;

export interface AuthenticationScheme {
  type: string;
  name: string;
  description: string;
  specUri?: string;
  documentationUri?: string;
  primary?: boolean;
}

export interface ServiceProviderConfigDocument {
  schemas: string[];
  documentationUri?: string;
  patch: { supported: boolean };
  bulk: { supported: boolean; maxOperations: number; maxPayloadSize: number };
  filter: { supported: boolean; maxResults: number };
  /** RFC 9865 §4: both pagination methods; index is the default, so clients that know only RFC 7644 see no change. */
  pagination: {
    cursor: boolean;
    index: boolean;
    defaultPaginationMethod: 'cursor' | 'index';
    defaultPageSize: number;
    maxPageSize: number;
    cursorTimeout: number;
  };
  changePassword: { supported: boolean };
  sort: { supported: boolean };
  etag: { supported: boolean };
  authenticationSchemes: AuthenticationScheme[];
  /** RFC 9967 §4: the SETs the event streams (src/events) can carry; no asynchronous SCIM requests. */
  securityEvents: { asyncRequest: 'none' | 'long' | 'request'; eventUris: string[] };
  /** SCIM has no standard place for PATCH and size limits, so they are listed under an extension URN. */
  [URN_SERVICE_PROVIDER_LIMITS]: typeof SCIM_LIMITS;
}

export function serviceProviderConfig(options: {
  documentationUri?: string;
  /** `bulkLimits(config)`. */
  bulk: { maxOperations: number; maxPayloadSize: number };
  /** The event URIs the service generates (src/events/sets). */
  eventUris: readonly string[];
}): ServiceProviderConfigDocument {
  return {
    schemas: [URN_SERVICE_PROVIDER_CONFIG, URN_SERVICE_PROVIDER_LIMITS],
    ...(options.documentationUri ? { documentationUri: options.documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: true, ...options.bulk },
    filter: { supported: true, maxResults: MAX_RESULTS },
    pagination: {
      cursor: true,
      index: true,
      defaultPaginationMethod: 'index',
      defaultPageSize: DEFAULT_COUNT,
      maxPageSize: MAX_RESULTS,
      cursorTimeout: SCIM_LIMITS.cursorTimeoutSeconds,
    },
    changePassword: { supported: false },
    sort: { supported: true },
    etag: { supported: true },
    authenticationSchemes: [
      {
        type: 'oauthbearertoken',
        name: 'OAuth Bearer Token',
        description: 'Authentication scheme using the OAuth Bearer Token Standard',
        specUri: 'https://www.rfc-editor.org/info/rfc6750',
        primary: true,
      },
    ],
    securityEvents: { asyncRequest: 'none', eventUris: [...options.eventUris] },
    [URN_SERVICE_PROVIDER_LIMITS]: SCIM_LIMITS,
  };
}

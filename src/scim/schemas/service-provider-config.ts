// RFC 7643 §5 / §8.5: what this service provider supports, as `/ServiceProviderConfig` serves it
// (the caller adds `meta`).
import { URN_SERVICE_PROVIDER_CONFIG } from './scim.urns';

/** The maximum number of resources one list or search answers (RFC 7643 §5 `filter.maxResults`). */
export const MAX_RESULTS = 1000;

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
  changePassword: { supported: boolean };
  sort: { supported: boolean };
  etag: { supported: boolean };
  authenticationSchemes: AuthenticationScheme[];
}

export function serviceProviderConfig(options: { documentationUri?: string } = {}): ServiceProviderConfigDocument {
  return {
    schemas: [URN_SERVICE_PROVIDER_CONFIG],
    ...(options.documentationUri ? { documentationUri: options.documentationUri } : {}),
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: MAX_RESULTS },
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
  };
}

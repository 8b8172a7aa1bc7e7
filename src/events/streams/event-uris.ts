// The RFC 9967 event URIs the event streams can carry (set-token.ts maps each change to one),
// advertised in SCIM's ServiceProviderConfig `securityEvents.eventUris`.
export const SCIM_EVENT_URIS: readonly string[] = [
  'urn:ietf:params:scim:event:prov:create:notice',
  'urn:ietf:params:scim:event:prov:create:full',
  'urn:ietf:params:scim:event:prov:patch:notice',
  'urn:ietf:params:scim:event:prov:patch:full',
  'urn:ietf:params:scim:event:prov:delete',
  'urn:ietf:params:scim:event:prov:activate',
  'urn:ietf:params:scim:event:prov:deactivate',
];

// RFC 7643 §6 / §8.6: the ResourceType documents `/ResourceTypes` serves (the caller adds `meta`).
import { URN_ENTERPRISE_USER, URN_GROUP, URN_RESOURCE_TYPE, URN_USER } from './scim.urns';

export interface ResourceTypeDocument {
  schemas: string[];
  id: string;
  name: string;
  endpoint: string;
  description: string;
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
}

export const USER_RESOURCE_TYPE: ResourceTypeDocument = {
  schemas: [URN_RESOURCE_TYPE],
  id: 'User',
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: URN_USER,
  schemaExtensions: [{ schema: URN_ENTERPRISE_USER, required: false }],
};

export const GROUP_RESOURCE_TYPE: ResourceTypeDocument = {
  schemas: [URN_RESOURCE_TYPE],
  id: 'Group',
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: URN_GROUP,
  schemaExtensions: [],
};

export const RESOURCE_TYPES: readonly ResourceTypeDocument[] = [USER_RESOURCE_TYPE, GROUP_RESOURCE_TYPE];

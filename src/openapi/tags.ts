import type { Tag } from './openapi.types';

/** Operations grouped by who calls them: the reference page shows these groups in this order. */
export const TAGS = {
  scimUsers: { name: 'SCIM Users', description: 'RFC 7644 §3: users pushed by an identity provider.' },
  scimGroups: {
    name: 'SCIM Groups',
    description:
      'RFC 7644 §3: groups pushed by an identity provider. A group is a department; its members are its users.',
  },
  scimBulk: {
    name: 'SCIM Bulk',
    description: 'RFC 7644 §3.7: many user and group writes in one request, each answered on its own.',
  },
  scimDiscovery: {
    name: 'SCIM discovery',
    description: 'RFC 7644 §4: what this service provider supports, as identity providers read it before provisioning.',
  },
  oauth: {
    name: 'OAuth',
    description: 'OAuth 2.0 client credentials: a client id and secret exchanged for a one-hour JWT.',
  },
  transactions: {
    name: 'Provisioning transactions',
    description: 'Checkpoint, commit as a background job, roll back, and read the status of batched transactions.',
  },
  operations: {
    name: 'Provisioning operations',
    description: 'Queue department and user operations into a transaction, or apply them at once without one.',
  },
  reads: { name: 'Directory reads', description: 'Departments and users as the provisioning API reads them.' },
  changes: {
    name: 'Change feed',
    description:
      "Every change to a tenant's users, departments and assignments, from any door, in order, to resume after.",
  },
  jobs: { name: 'Jobs', description: 'The background job of a commit: its state, progress and result.' },
  partnerSync: {
    name: 'Partner sync',
    description: "The partner (CRM) user sync of seed 002, authenticated by the partner's own JWT.",
  },
  tenants: { name: 'Tenants', description: 'Tenants: name, org code, locale and time zone.' },
  credentials: {
    name: 'Credentials',
    description: "A tenant's credentials: issue (the secret is shown once) and revoke.",
  },
  userTypes: { name: 'User types', description: "A tenant's user types; `1` (Member) exists in every tenant." },
  requestLogs: {
    name: 'Request logs',
    description: 'Every request to the service, with secrets masked before it is written.',
  },
  overview: {
    name: 'Overview',
    description: "Every tenant's recent requests by door, open and failed transactions, and running jobs.",
  },
  directoryBrowser: {
    name: 'Directory browser',
    description: "A tenant's departments as a tree, its users searched and one user in full, for the operator console.",
  },
  identityProviders: {
    name: 'Identity providers',
    description: 'Connecting Entra ID or Okta to a tenant: the values to enter, and a test of the credential.',
  },
  history: {
    name: 'Change history',
    description: "One user's or department's changes, newest first, with their values.",
  },
  adminJobs: { name: 'Admin jobs', description: 'Background jobs of every tenant.' },
  adminTransactions: { name: 'Admin transactions', description: 'Provisioning transactions of every tenant.' },
  service: { name: 'Service', description: 'Health and this document.' },
  metrics: {
    name: 'Metrics',
    description: "This instance's Prometheus metrics, for the operators' Prometheus server.",
  },
} satisfies Record<string, Tag>;

export const TAG_GROUPS: { name: string; tags: Tag[] }[] = [
  {
    name: 'Identity providers',
    tags: [TAGS.scimUsers, TAGS.scimGroups, TAGS.scimBulk, TAGS.scimDiscovery, TAGS.oauth],
  },
  {
    name: 'Integration partners',
    tags: [TAGS.transactions, TAGS.operations, TAGS.reads, TAGS.changes, TAGS.jobs, TAGS.partnerSync],
  },
  {
    name: 'Operators',
    tags: [
      TAGS.overview,
      TAGS.tenants,
      TAGS.credentials,
      TAGS.userTypes,
      TAGS.directoryBrowser,
      TAGS.history,
      TAGS.identityProviders,
      TAGS.requestLogs,
      TAGS.adminJobs,
      TAGS.adminTransactions,
      TAGS.service,
      TAGS.metrics,
    ],
  },
];

// Seed 002's partner (CRM) user sync: `POST /api/admin/users/sync`, authenticated by the partner JWT.
import { checkedPerItem, MEDIA_JSON, nullable, ref } from '../openapi/components';
import type { OperationDoc } from '../openapi/openapi.decorators';
import type { Example, JsonSchema, Response } from '../openapi/openapi.types';
import { SYNC_MODES } from './dto/partner-sync.dto';

const PartnerUser: JsonSchema = {
  type: 'object',
  description:
    "One user of the partner's system (seed 002). Fields not listed are ignored. A user that is not valid (a missing `externalId` or `email`, a wrong type) fails alone: it is reported in `results` and `summary.errors`, and the others go through.",
  required: ['externalId', 'email', 'orgCode'],
  properties: {
    externalId: {
      type: 'string',
      minLength: 1,
      maxLength: 255,
      description: "The user's id in the partner's system; the second match key, after the email.",
    },
    email: {
      type: 'string',
      format: 'email',
      maxLength: 255,
      description: 'The first match key, ignoring case; the userName of a new user.',
    },
    firstName: nullable({
      type: 'string',
      maxLength: 255,
      description: 'Given name; empty or absent keeps the stored one.',
    }),
    lastName: nullable({
      type: 'string',
      maxLength: 255,
      description: 'Family name; empty or absent keeps the stored one.',
    }),
    role: nullable({
      type: 'string',
      maxLength: 255,
      description: 'Kept on the user; `user` when a user is created without one; empty or absent keeps the stored one.',
    }),
    isActive: {
      type: 'boolean',
      description: 'Whether the user is active. Absent: `true` for a new user, unchanged for an existing one.',
    },
    orgCode: {
      type: 'string',
      description: "The tenant's org code: must equal the token's `orgCode` claim (otherwise the request answers 403).",
    },
    metadata: {
      type: 'object',
      additionalProperties: true,
      description:
        'Shallow-merged into what is stored for the user. Keys that name a secret (password, token, API key...) are dropped.',
    },
  },
};

const PartnerSyncRequest: JsonSchema = {
  type: 'object',
  required: ['mode', 'users'],
  properties: {
    mode: {
      type: 'string',
      enum: [...SYNC_MODES],
      description:
        '`upsert`: create or update each user. `full-reconcile`: the same, and deactivate the users partner sync created in this tenant that are absent from `users` (never users another front door created), in one database transaction.',
    },
    users: checkedPerItem({
      type: 'array',
      minItems: 1,
      items: ref('PartnerUser'),
      description: 'At least one user. A user that is not valid fails alone (see `results`).',
    }),
    dryRun: {
      type: 'boolean',
      description: 'Answer what would change, and change nothing. Absent: `false`.',
    },
  },
};

const PartnerSyncResult: JsonSchema = {
  type: 'object',
  description: 'What happened to one user, in the order sent.',
  required: ['userId', 'email', 'status'],
  properties: {
    userId: { description: 'The `externalId` sent (`null` when none was).' },
    email: { description: 'The `email` sent (`null` when none was).' },
    status: { type: 'string', enum: ['created', 'updated', 'failed'] },
    crmUserId: { type: 'string', format: 'uuid', description: "The user's id in this service (not for a failure)." },
    error: { type: 'string', description: 'Why it failed (only for a failure).' },
  },
};

const PartnerSyncAnswer: JsonSchema = {
  type: 'object',
  description: "Seed 002's answer. Per-user failures still answer 200: see `summary.failed` and each result.",
  required: ['success', 'message', 'data'],
  properties: {
    success: { const: true },
    message: {
      type: 'string',
      description:
        '`Sync completed successfully`, or for a dry run `Dry run completed successfully; nothing was changed`.',
    },
    data: {
      type: 'object',
      required: ['mode', 'summary', 'results', 'timestamp'],
      properties: {
        mode: { type: 'string', enum: [...SYNC_MODES] },
        dryRun: { const: true, description: 'Present (and `true`) only for a dry run.' },
        summary: {
          type: 'object',
          required: ['total', 'created', 'updated', 'failed', 'errors'],
          properties: {
            total: { type: 'integer', minimum: 0 },
            created: { type: 'integer', minimum: 0 },
            updated: { type: 'integer', minimum: 0 },
            failed: { type: 'integer', minimum: 0 },
            errors: {
              type: 'array',
              items: { type: 'string' },
              description: 'One line per failed user: its email (else externalId) and why.',
            },
          },
        },
        results: { type: 'array', items: ref('PartnerSyncResult') },
        deactivated: {
          type: 'array',
          description: '`full-reconcile` only: the users deactivated (or, in a dry run, that would be).',
          items: {
            type: 'object',
            required: ['userId', 'email', 'crmUserId'],
            properties: {
              userId: nullable({ type: 'string', description: 'Its `externalId`.' }),
              email: nullable({ type: 'string' }),
              crmUserId: { type: 'string', format: 'uuid' },
            },
          },
        },
        timestamp: { type: 'string', format: 'date-time' },
      },
    },
  },
};

/** Component schemas this module's operations refer to. */
export const PARTNER_SYNC_SCHEMAS: Record<string, JsonSchema> = {
  PartnerUser,
  PartnerSyncRequest,
  PartnerSyncResult,
  PartnerSyncAnswer,
};

const SEED_002_BODY = {
  mode: 'upsert',
  users: [
    {
      externalId: 'user-123',
      email: 'user@example.com',
      firstName: 'John',
      lastName: 'Doe',
      role: 'admin',
      isActive: true,
      orgCode: 'acme',
      metadata: { department: 'Engineering', permissions: ['read', 'write'] },
    },
  ],
};

const partnerError = (description: string, examples: Record<string, Example>): Response => ({
  description,
  content: { [MEDIA_JSON]: { schema: ref('PartnerError'), examples } },
});

export const SYNC_PARTNER_USERS: OperationDoc = {
  id: 'syncPartnerUsers',
  summary: "Upsert or fully reconcile the tenant's partner users",
  description: `Seed 002's sync. Users are matched by email ignoring case (when exactly one user holds it), then by \`externalId\`; an unmatched user is created with its email as userName. \`role\` and \`metadata\` are kept on the user. Each user succeeds or fails on its own, and the answer says which.

Authentication: \`Authorization: Bearer <JWT>\` signed with HS256 under the tenant's partner secret, with the claims \`orgCode\` (the tenant's org code, equal to every \`users[].orgCode\`) and \`exp\` (required, at most one hour ahead). It is the partner's door: the admin token is refused here. Errors answer seed 002's \`{success: false, error}\`: 401 without a token, 403 for a bad, expired or other-org token.`,
  requestBody: {
    description: 'The sync request (seed 002).',
    required: true,
    content: {
      [MEDIA_JSON]: {
        schema: ref('PartnerSyncRequest'),
        examples: {
          upsert: { summary: 'Seed 002: the wrapper system’s request', value: SEED_002_BODY },
          reconcile: {
            summary: 'Full reconcile, dry run first',
            value: {
              mode: 'full-reconcile',
              dryRun: true,
              users: [
                {
                  externalId: 'test-123',
                  email: 'test@example.com',
                  firstName: 'Test',
                  lastName: 'User',
                  role: 'user',
                  isActive: true,
                  orgCode: 'test-org',
                },
              ],
            },
          },
        },
      },
    },
  },
  responses: {
    '200': {
      description: 'The sync ran (or, with `dryRun`, was computed); per-user outcomes in `data.results`.',
      content: {
        [MEDIA_JSON]: {
          schema: ref('PartnerSyncAnswer'),
          examples: {
            created: {
              summary: 'Seed 002: one user created',
              value: {
                success: true,
                message: 'Sync completed successfully',
                data: {
                  mode: 'upsert',
                  summary: { total: 1, created: 1, updated: 0, failed: 0, errors: [] },
                  results: [
                    {
                      userId: 'user-123',
                      email: 'user@example.com',
                      status: 'created',
                      crmUserId: '9b2c4e6a-1f3d-4a5b-8c7e-0d2f4a6b8c1e',
                    },
                  ],
                  timestamp: '2025-08-19T14:08:30.000Z',
                },
              },
            },
            reconciled: {
              summary: 'Full reconcile: one updated, one failed, one deactivated',
              value: {
                success: true,
                message: 'Sync completed successfully',
                data: {
                  mode: 'full-reconcile',
                  summary: {
                    total: 2,
                    created: 0,
                    updated: 1,
                    failed: 1,
                    errors: ['user-456: Missing required field: email'],
                  },
                  results: [
                    {
                      userId: 'user-123',
                      email: 'user@example.com',
                      status: 'updated',
                      crmUserId: '9b2c4e6a-1f3d-4a5b-8c7e-0d2f4a6b8c1e',
                    },
                    { userId: 'user-456', email: null, status: 'failed', error: 'Missing required field: email' },
                  ],
                  deactivated: [
                    {
                      userId: 'user-789',
                      email: 'former@example.com',
                      crmUserId: '3c5e7a9b-2d4f-4b6a-9c8e-1f3a5b7c9d2e',
                    },
                  ],
                  timestamp: '2025-08-19T14:08:30.000Z',
                },
              },
            },
          },
        },
      },
    },
    '400': partnerError('The envelope is not valid (the body, `mode`, `users` or `dryRun`); nothing is changed.', {
      users: { summary: 'Seed 002: no users', value: { success: false, error: 'Invalid users array provided' } },
      mode: {
        summary: 'An unknown mode',
        value: { success: false, error: "Invalid mode: expected 'upsert' or 'full-reconcile'" },
      },
    }),
    '401': partnerError('No bearer token.', {
      noToken: { summary: 'Seed 002', value: { success: false, error: 'No authorization token provided' } },
    }),
    '403': partnerError(
      "The token is not valid: bad signature, not HS256, expired or without `exp`, an unknown org code, or a `users[].orgCode` that is not the token's.",
      { refused: { summary: 'Seed 002', value: { success: false, error: 'Invalid or expired token' } } },
    ),
    '500': partnerError('An unexpected failure; nothing internal is answered (seed 002).', {
      failure: { summary: 'Seed 002', value: { success: false, error: 'Internal server error during sync' } },
    }),
  },
};

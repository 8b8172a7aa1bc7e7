import { createHash, timingSafeEqual } from 'node:crypto';
import { SCIM_LIMITS } from '../scim-limits';
import { ScimError } from '../scim.errors';

/** What a cursor belongs to: another tenant, resource type, filter or sort makes it invalid. */
export interface CursorBinding {
  tenantId: string;
  resourceType: string;
  filter?: string;
  sortBy?: string;
  sortOrder: 'ascending' | 'descending';
}

/**
 * A place in a keyset walk: the sort key of a row (`[sortBy value,] created_on, id`, as the
 * database rendered them in JSON) and which way the page it opens goes from there (`backward`:
 * the rows before it, for `previousCursor`).
 */
export interface CursorPosition {
  key: unknown[];
  backward: boolean;
}

/** The HMAC a cursor is signed with: the server key's, current first, then the previous one during a rotation. */
export interface CursorSigner {
  hash(text: string): string;
  lookupHashes(text: string): string[];
}

const VERSION = 'c1';

/**
 * RFC 9865 cursors: `c1.<payload>.<signature>`, base64url throughout (URL-safe, opaque to clients).
 * The payload holds the position and the issue time; the signature covers it with a digest of the
 * binding, so a cursor replayed against another query, tenant or resource type fails to verify
 * exactly as a tampered one does (400 `invalidCursor`). Nothing is stored server-side: a cursor
 * outlives restarts and works on every instance sharing the server key, for `cursorTimeoutSeconds`.
 */
export class CursorCodec {
  constructor(
    private readonly signer: CursorSigner,
    private readonly timeoutSeconds: number = SCIM_LIMITS.cursorTimeoutSeconds,
    private readonly now: () => number = Date.now,
  ) {}

  encode(position: CursorPosition, binding: CursorBinding): string {
    const issued = Math.floor(this.now() / 1000);
    const payload = Buffer.from(JSON.stringify({ k: position.key, b: position.backward ? 1 : 0, t: issued })).toString(
      'base64url',
    );
    return `${VERSION}.${payload}.${this.sign(payload, binding)}`;
  }

  /** The position a cursor names; throws `invalidCursor` or `expiredCursor`. */
  decode(cursor: string, binding: CursorBinding): CursorPosition {
    const [version, payload, signature, ...rest] = cursor.split('.');
    if (version !== VERSION || !payload || !signature || rest.length > 0) {
      throw ScimError.invalidCursor('The cursor was not issued by this service');
    }
    const given = Buffer.from(signature, 'base64url');
    const valid = this.signer
      .lookupHashes(signed(payload, binding))
      .map((hex) => Buffer.from(hex, 'hex'))
      .some((expected) => expected.length === given.length && timingSafeEqual(expected, given));
    if (!valid) {
      throw ScimError.invalidCursor(
        'The cursor was not issued by this service for this query (the same resource type, filter, sortBy and sortOrder)',
      );
    }
    const body = parse(payload);
    const age = Math.floor(this.now() / 1000) - body.t;
    if (age > this.timeoutSeconds) {
      throw ScimError.expiredCursor(
        `The cursor expired: cursors are valid for ${this.timeoutSeconds} seconds; start again without one (or with an empty cursor)`,
      );
    }
    return { key: body.k, backward: body.b === 1 };
  }

  private sign(payload: string, binding: CursorBinding): string {
    return Buffer.from(this.signer.hash(signed(payload, binding)), 'hex').toString('base64url');
  }
}

/** The text signed: a purpose of its own (the key also hashes credentials), the binding's digest, the payload. */
function signed(payload: string, binding: CursorBinding): string {
  const digest = createHash('sha256')
    .update(
      JSON.stringify([
        binding.tenantId,
        binding.resourceType,
        binding.filter ?? null,
        binding.sortBy?.toLowerCase() ?? null,
        binding.sortOrder,
      ]),
    )
    .digest('base64url');
  return `scim-cursor:${digest}:${payload}`;
}

function parse(payload: string): { k: unknown[]; b: number; t: number } {
  // Signed by us, so well-formed; checked anyway rather than trusted blindly.
  const body: unknown = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  const { k, b, t } = (body ?? {}) as Record<string, unknown>;
  if (!Array.isArray(k) || (b !== 0 && b !== 1) || typeof t !== 'number') {
    throw ScimError.invalidCursor('The cursor was not issued by this service');
  }
  return { k, b, t };
}

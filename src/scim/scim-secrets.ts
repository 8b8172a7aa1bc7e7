import { isSecretPath, withoutSecrets } from '../directory/secret-names';
import { parsePatchBody, PatchOperation } from './patch/patch';
import { URN_PATCH_OP } from './schemas/scim.urns';

/*
 * Secrets are dropped at the door, before the body is read as a resource: a value under a
 * secret-looking name (`password`, `name.password`, an extension's `pwd`, `urn:acme:...:clientSecret`)
 * is never validated, stored or echoed, and never quoted in an error. Dropped silently, as RFC 7643
 * lets a service provider do with `password`: clients (Entra ID, Okta) send one with every create,
 * and a 400 would refuse the whole user over an attribute nobody needs.
 */

/** A POST or PUT body without its secret attributes, at any depth. */
export function withoutSecretAttributes(body: unknown): unknown {
  return withoutSecrets(body);
}

/**
 * A PatchOp body without the operations whose path names a secret, and without secret members in
 * any operation's value; null when nothing else is left to apply. The body is checked as PATCH
 * checks it first, so a malformed request is still refused, whatever secret it carries.
 */
export function withoutSecretOperations(body: unknown): { schemas: string[]; Operations: PatchOperation[] } | null {
  const operations = parsePatchBody(body)
    .filter((operation) => operation.path === undefined || !isSecretPath(operation.path))
    .map((operation) =>
      operation.value === undefined ? operation : { ...operation, value: withoutSecrets(operation.value) },
    );
  return operations.length === 0 ? null : { schemas: [URN_PATCH_OP], Operations: operations };
}

import { ChangeActor, currentLogContext } from '../../common/log-context';

/** The credential behind a change, as a Principal or a partner caller carries it. */
export interface ChangeCredential {
  credentialId: string;
  credentialName: string | null;
}

/**
 * Says, for the rest of the current request or job, which door and credential its directory
 * changes come through: the TransactionRunner labels each transaction with it and the capture
 * triggers copy it into every change event. Outside any request or job it does nothing (door
 * 'system'). The context is the request's own object, so setting it here is seen by every
 * transaction the request runs afterwards.
 */
export function labelChanges(
  door: ChangeActor['door'],
  credential: ChangeCredential | null,
  transactionId?: string,
): void {
  const context = currentLogContext();
  if (!context) return;
  context.actor = {
    door,
    credentialId: credential?.credentialId ?? null,
    credentialName: credential?.credentialName ?? null,
  };
  if (transactionId !== undefined) context.transactionId = transactionId;
}

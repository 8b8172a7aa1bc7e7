import { Inject, Injectable } from '@nestjs/common';
import { SERVER_KEY } from '../../auth/server-key.provider';
import type { ServerKey } from '../../auth/server-key';
import { CursorCodec } from './scim-cursor';

/** The SCIM cursors of this deployment: signed with the server key, so any instance sharing it reads them. */
@Injectable()
export class ScimCursors extends CursorCodec {
  constructor(@Inject(SERVER_KEY) serverKey: ServerKey) {
    super(serverKey);
  }
}

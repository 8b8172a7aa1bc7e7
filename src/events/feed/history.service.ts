import { Injectable } from '@nestjs/common';
import { AdminPage, AdminPageQuery, adminPage, pageWindow } from '../../common/admin-page';
import { DomainError } from '../../common/domain-error';
import { isUuid } from '../../common/ids';
import { TransactionRunner } from '../../database/transaction-runner';
import { ChangeView, toChangeView } from './change-view';
import { EventSequencer } from './event-sequencer';
import { FeedRepository, HistorySubject } from './feed.repository';

/**
 * A user's or a department's changes, newest first, with their values (operators see them). A
 * deleted resource keeps its history: 404 only when it neither exists nor has any change.
 */
@Injectable()
export class HistoryService {
  constructor(
    private readonly repository: FeedRepository,
    private readonly sequencer: EventSequencer,
    private readonly transactions: TransactionRunner,
  ) {}

  async history(tenantId: string, subject: HistorySubject, query: AdminPageQuery): Promise<AdminPage<ChangeView>> {
    if (!isUuid(subject.id)) throw notFound(subject);
    await this.sequencer.catchUp();
    const em = this.transactions.manager;
    const window = pageWindow(query);
    const { rows, total } = await this.repository.findHistory(em, tenantId, subject, window.offset, window.pageSize);
    if (total === 0 && !(await this.repository.subjectExists(em, tenantId, subject))) throw notFound(subject);
    return adminPage(window, total, rows.map(toChangeView));
  }
}

function notFound(subject: HistorySubject): DomainError {
  const field = subject.kind === 'user' ? 'userId' : 'departmentId';
  return DomainError.notFound(`No ${subject.kind} ${subject.id} in this tenant`, { field, message: 'not found' });
}

import { randomBytes } from 'node:crypto';
import type { ImpactView } from '../../cards/impact-model.js';
import type { I18nText, RunView } from '../../cards/model.js';
import type { Queryable } from '../db/pool.js';
import { enqueueOutbox } from './outbox-repo.js';
import type { JobPort } from './ports.js';

/**
 * Collects the messages one transaction owes to Lark, and triggers their delivery once it has committed.
 * If the trigger fails or hangs (Redis away), the rows are safe in Postgres and the sweep delivers them later.
 */
export class Owed {
  private readonly rows: { stream: string; id: string }[] = [];

  constructor(private readonly q: Queryable) {}

  /** `{@N}` in the text mentions `people[N]` (open ids the code supplies, never typed text). */
  async reply(chatId: string, messageId: string, text: I18nText | string, people?: string[]): Promise<void> {
    const payload = people?.length
      ? { render: 'text' as const, text, people }
      : { render: 'text' as const, text };
    await this.replyWith(chatId, messageId, payload, 're');
  }

  /** A whole document as a file message answering `messageId` (uploaded at delivery). */
  async replyFile(chatId: string, messageId: string, fileName: string, body: string): Promise<void> {
    await this.replyWith(chatId, messageId, { render: 'file', fileName, body }, 'rf');
  }

  /** The impact analysis card answering `/rollback impact` (issue 14). */
  async replyImpact(chatId: string, messageId: string, view: ImpactView): Promise<void> {
    await this.replyWith(chatId, messageId, { render: 'impact', view }, 'im');
  }

  private async replyWith(
    chatId: string,
    messageId: string,
    payload: Parameters<typeof enqueueOutbox>[1]['payload'],
    kind: string,
  ): Promise<void> {
    const stream = `chat:${chatId}`;
    const id = await enqueueOutbox(this.q, {
      stream,
      chatId,
      op: 'reply',
      replyTo: messageId,
      payload,
      uuid: `${kind}-${messageId}-${randomBytes(3).toString('hex')}`,
    });
    this.rows.push({ stream, id });
  }

  async runCard(view: RunView, chatId: string, op: 'create' | 'patch', uuid: string): Promise<void> {
    await this.push(view.runId, chatId, op, { render: 'card', view }, uuid);
  }

  async thread(
    view: RunView,
    chatId: string,
    payload:
      | { render: 'step_started' | 'step_finished'; stepIdx: number }
      | { render: 'summary' }
      | { render: 'text'; text: I18nText; people?: string[] },
    uuid: string,
  ): Promise<void> {
    const full = payload.render === 'text' ? payload : { ...payload, view };
    await this.push(view.runId, chatId, 'thread', full, uuid);
  }

  private async push(
    runId: string,
    chatId: string,
    op: 'create' | 'patch' | 'thread',
    payload: Parameters<typeof enqueueOutbox>[1]['payload'],
    uuid: string,
  ) {
    const stream = `run:${runId}`;
    const id = await enqueueOutbox(this.q, { stream, runId, chatId, op, payload, uuid });
    this.rows.push({ stream, id });
  }

  /** After COMMIT: one delivery trigger per stream (the deliverer drains the whole stream in order). */
  async flush(jobs: JobPort, onError: (error: unknown) => void): Promise<void> {
    const last = new Map<string, string>();
    for (const row of this.rows) last.set(row.stream, row.id);
    await Promise.all([...last].map(([stream, id]) => jobs.deliver(stream, id).catch(onError)));
  }
}

export const patchUuid = (runId: string): string => `${runId}-p-${randomBytes(4).toString('hex')}`;

import type { ImpactView } from '../../cards/impact-model.js';
import type { I18nText, RunView } from '../../cards/model.js';

/**
 * What an outbox row asks to send, in domain terms: rendered to Lark JSON only at delivery (lark/), so the
 * domain knows no Lark JSON. Views are snapshots taken in the transaction that caused the message.
 */
export type OutboxPayload =
  | { render: 'card'; view: RunView }
  | { render: 'step_started'; view: RunView; stepIdx: number }
  | { render: 'step_finished'; view: RunView; stepIdx: number }
  | { render: 'summary'; view: RunView }
  /** A reply in both languages (sent as a bilingual post); a bare string is the same in both; `{@N}` mentions people[N]. */
  | { render: 'text'; text: I18nText | string; people?: string[] }
  /**
   * A whole document sent as a file: delivery uploads `body` (UTF-8) and then sends a `file` message with the
   * row's uuid, so a retry after a lost answer may upload twice but never posts twice.
   */
  | { render: 'file'; fileName: string; body: string }
  /** The answer to `/rollback impact` (issue 14): a card, sent as a reply to the command. */
  | { render: 'impact'; view: ImpactView };

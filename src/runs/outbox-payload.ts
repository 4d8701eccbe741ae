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
  | { render: 'text'; text: I18nText | string };

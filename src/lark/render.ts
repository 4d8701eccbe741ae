import {
  buildRunCard,
  cardMessage,
  type LarkMessage,
  noticeMessage,
  stepFinishedMessage,
  stepStartedMessage,
  summaryMessage,
} from '../../cards/index.js';
import type { RenderOptions } from '../../cards/model.js';
import type { OutboxPayload } from '../runs/outbox-payload.js';

/** Turn an outbox payload (domain terms) into the Lark message to send. Pure. */
export function renderPayload(payload: OutboxPayload, opts: RenderOptions): LarkMessage {
  switch (payload.render) {
    case 'card':
      return cardMessage(buildRunCard(payload.view, opts));
    case 'summary':
      return summaryMessage(payload.view, opts);
    case 'step_started':
    case 'step_finished': {
      const step = payload.view.steps.find((s) => s.idx === payload.stepIdx);
      if (!step) throw new Error(`outbox payload names step ${payload.stepIdx}, which the run does not have`);
      return payload.render === 'step_started'
        ? stepStartedMessage(payload.view, step, opts)
        : stepFinishedMessage(payload.view, step, opts);
    }
    case 'text':
      return noticeMessage(typeof payload.text === 'string' ? payload.text : payload.text[opts.locale]);
  }
}

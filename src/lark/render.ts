import { buildImpactCard } from '../../cards/impact-card.js';
import {
  buildRunCard,
  cardMessage,
  type LarkMessage,
  stepFinishedMessage,
  stepStartedMessage,
  summaryMessage,
} from '../../cards/index.js';
import type { RenderOptions } from '../../cards/model.js';
import { type PostMessage, postFromTexts, postMessage } from '../../cards/post.js';
import type { OutboxPayload } from '../runs/outbox-payload.js';

/** A file message: what is sent once the file is uploaded (LARK.md: `{"file_key": …}`). */
export type FileMessage = { msgType: 'file'; content: { file_key: string } };
export type OutgoingMessage = LarkMessage | PostMessage | FileMessage;

/**
 * A thread reply in both languages: a builder that returns a one-language text message is run once per
 * locale and the two become one post (the client shows the reader's). Anything else passes through.
 */
function bilingual(build: (opts: RenderOptions) => LarkMessage, opts: RenderOptions): OutgoingMessage {
  const own = build(opts);
  if (own.msgType !== 'text') return own;
  const text = (locale: RenderOptions['locale']) =>
    String((build({ ...opts, locale }).content as { text?: unknown }).text ?? '');
  return postFromTexts(text('zh-CN'), text('en-US'));
}

export function fileMessage(fileKey: string): FileMessage {
  return { msgType: 'file', content: { file_key: fileKey } };
}

/**
 * Turn an outbox payload (domain terms) into the Lark message to send. Pure. A `file` payload needs its
 * upload first: pass the file_key it got.
 */
export function renderPayload(
  payload: OutboxPayload,
  opts: RenderOptions,
  fileKey?: string,
): OutgoingMessage {
  switch (payload.render) {
    case 'card':
      return cardMessage(buildRunCard(payload.view, opts));
    case 'summary':
      return bilingual((o) => summaryMessage(payload.view, o), opts);
    case 'step_started':
    case 'step_finished': {
      const step = payload.view.steps.find((s) => s.idx === payload.stepIdx);
      if (!step) throw new Error(`outbox payload names step ${payload.stepIdx}, which the run does not have`);
      return payload.render === 'step_started'
        ? bilingual((o) => stepStartedMessage(payload.view, step, o), opts)
        : bilingual((o) => stepFinishedMessage(payload.view, step, o), opts);
    }
    case 'text': {
      // Both languages the Lark way: the client shows the reader's own.
      const text = payload.text;
      return postMessage(
        typeof text === 'string' ? { 'zh-CN': text, 'en-US': text } : text,
        undefined,
        payload.people,
      );
    }
    case 'impact':
      return cardMessage(buildImpactCard(payload.view, opts));
    case 'file':
      if (!fileKey) throw new Error(`file ${payload.fileName} must be uploaded before it is sent`);
      return fileMessage(fileKey);
  }
}

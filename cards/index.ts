/** Lark card builders: run state in, Card JSON 2.0 and thread replies out. Pure: no I/O, no clock. */

export { buildApprovalCard } from './approval-card.js';
export { CardTooLargeError, isCardTooLargeError } from './card-too-large-error.js';
export type {
  ButtonElement,
  ButtonType,
  CallbackBehavior,
  CardElement,
  ColumnSetElement,
  HeaderTemplate,
  LarkCard,
} from './elements.js';
export { codeBlock, escapeMarkdown, isOpenId, mention, neutralizeText } from './escape.js';
export { buildExpiredCard } from './expired-card.js';
export {
  durationI18n,
  elapsedBetween,
  formatClock,
  formatDateTime,
  formatDuration,
  formatElapsed,
  isValidTimeZone,
} from './format.js';
export {
  fill,
  type LarkI18n,
  LOCALES,
  localize,
  type MarkdownElement,
  markdown,
  type PlainTextElement,
  pick,
  plainText,
  RUN_STATE,
  STEP_STATE,
  toLarkI18n,
  UI,
} from './i18n.js';
export { cardBytes, DETAIL_LEVELS, type Detail, LIMITS, tailOutput, truncateText } from './limits.js';
export type {
  ApprovalView,
  CardActionValue,
  I18nText,
  Locale,
  PreflightLine,
  RenderOptions,
  RunState,
  RunView,
  StepState,
  StepView,
} from './model.js';
export { buildPausedCard } from './paused-card.js';
export { buildProgressCard } from './progress-card.js';
export { buildRejectedCard } from './rejected-card.js';
export { buildRunCard } from './run-card.js';
export { STEP_ICON } from './step-lines.js';
export { buildSummaryCard } from './summary-card.js';
export {
  cardMessage,
  type LarkMessage,
  noticeMessage,
  stepFinishedMessage,
  stepStartedMessage,
  summaryMessage,
} from './thread.js';
export { type CardResponse, cardResponse, type Toast, type ToastType, toast } from './toast.js';

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  buildRunCard,
  CardTooLargeError,
  cardBytes,
  LIMITS,
  type RenderOptions,
  type RunState,
  type RunView,
  type StepState,
  type StepView,
} from '../../cards/index.js';
import { countElements } from '../../cards/limits.js';
import { ATTACK } from './fixtures.js';
import { callbackValues } from './walk.js';

const RUN_STATES: RunState[] = [
  'requested',
  'awaiting_approval',
  'queued',
  'running',
  'paused',
  'succeeded',
  'failed',
  'rejected',
  'expired',
  'cancelled',
];
const STEP_STATES: StepState[] = [
  'pending',
  'running',
  'succeeded',
  'failed',
  'timed_out',
  'skipped',
  'interrupted',
  'cancelled',
];

/** Any text: full Unicode, markdown attacks, fences, and now and then something very long. */
const text = fc.oneof(
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
  { weight: 2, arbitrary: fc.constantFrom(ATTACK, '```', '<at id=all></at>', '&#60;', '\u202E', '') },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme', maxLength: 2000 }) },
  { weight: 1, arbitrary: fc.nat(12_000).map((n) => `${'长'.repeat(n)}`) },
);
const i18n = fc.record({ 'zh-CN': text, 'en-US': text });
const instant = fc.oneof(
  fc
    .date({ noInvalidDate: true, min: new Date('1970-01-01'), max: new Date('2100-01-01') })
    .map((d) => d.toISOString()),
  text,
);
const optional = <T>(a: fc.Arbitrary<T>) => fc.option(a, { nil: undefined });
const openId = fc.oneof(
  fc
    .string({ unit: fc.constantFrom(...'0123456789abcdef'), minLength: 32, maxLength: 32 })
    .map((h) => `ou_${h}`),
  text,
);

const step: fc.Arbitrary<StepView> = fc.record({
  idx: fc.integer(),
  id: text,
  title: i18n,
  state: fc.constantFrom(...STEP_STATES),
  idempotent: fc.boolean(),
  startedAt: optional(instant),
  finishedAt: optional(instant),
  exitCode: optional(fc.oneof(fc.integer(), fc.constant(null))),
  outputTail: optional(
    fc.oneof(
      text,
      fc.nat(12_000).map((n) => 'x\n`'.repeat(n)),
    ),
  ),
  timeoutSeconds: optional(fc.double()),
});

const view: fc.Arbitrary<RunView> = fc.record({
  runId: fc.oneof(
    { weight: 9, arbitrary: text },
    { weight: 1, arbitrary: fc.nat(20_000).map((n) => 'r'.repeat(n)) },
  ),
  runbookId: text,
  title: i18n,
  targetId: text,
  params: fc.dictionary(text, text, { maxKeys: 30 }),
  state: fc.constantFrom(...RUN_STATES),
  requesterOpenId: openId,
  approvals: fc.array(
    fc.record({ openId, decision: fc.constantFrom('approve' as const, 'reject' as const), at: instant }),
    { maxLength: 30 },
  ),
  quorum: fc.integer(),
  fourEyes: fc.boolean(),
  planHash: text,
  createdAt: instant,
  expiresAt: optional(instant),
  startedAt: optional(instant),
  finishedAt: optional(instant),
  rtoSeconds: optional(fc.double()),
  steps: fc.array(step, { maxLength: 60 }),
  preflight: optional(
    fc.array(fc.record({ id: text, title: i18n, ok: fc.boolean(), detail: text }), { maxLength: 30 }),
  ),
  notices: optional(fc.array(i18n, { maxLength: 30 })),
  reason: optional(text),
  actorOpenId: optional(openId),
});

const opts: fc.Arbitrary<RenderOptions> = fc.record({
  timezone: fc.constantFrom(
    'Asia/Shanghai',
    'UTC',
    'America/Los_Angeles',
    'Asia/Kolkata',
    'Pacific/Kiritimati',
  ),
  locale: fc.constantFrom('zh-CN' as const, 'en-US' as const),
});

describe('buildRunCard (property)', () => {
  it('never throws except the typed size error, and always fits the limits', () => {
    fc.assert(
      fc.property(view, opts, (v, o) => {
        let card: ReturnType<typeof buildRunCard>;
        try {
          card = buildRunCard(v, o);
        } catch (err) {
          // Only identifiers are never cut, so only a huge run id or plan hash may make a card too large.
          expect(err).toBeInstanceOf(CardTooLargeError);
          expect(v.runId.length + v.planHash.length).toBeGreaterThan(500);
          return;
        }
        expect(card.schema).toBe('2.0');
        expect(card.config.update_multi).toBe(true);
        expect(cardBytes(card)).toBeLessThanOrEqual(LIMITS.cardBytes);
        expect(countElements(card)).toBeLessThanOrEqual(LIMITS.cardElements);
        for (const value of callbackValues(card)) {
          expect(value).toMatchObject({ run: v.runId });
          const action = (value as { action: string }).action;
          if (action === 'approve') expect(value).toEqual({ action, run: v.runId, plan: v.planHash });
        }
      }),
      { numRuns: 300 },
    );
  });
});

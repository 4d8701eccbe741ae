import type { Logger } from 'pino';
import { parseEnvelope } from '../lark/events.js';
import { InboundError } from '../lark/inbound-error.js';
import type { EnvelopeHandler } from '../lark/long-connection.js';
import { dispatchEvent, type InboundDeps } from './inbound.js';

/**
 * The long connection's handler: the same parse and dispatch as the webhook routes, minus the signature (the
 * connection itself is authenticated by the app secret). A malformed envelope or an unknown event is logged and
 * acked without acting (an unacked frame is re-pushed forever); anything else that throws is acked with code
 * 500, and Lark re-pushes the event, as it retries a webhook answered 500.
 */
export function longConnectionHandler(
  deps: InboundDeps,
  log: Logger,
  observe: (kind: string, outcome: string, seconds: number) => void,
): EnvelopeHandler {
  return async (envelope) => {
    const started = performance.now();
    const head = envelope.header as { event_type?: unknown } | undefined;
    const kind = head?.event_type === 'card.action.trigger' ? 'card' : 'event';
    let outcome = 'ok';
    try {
      return await dispatchEvent(deps, parseEnvelope(envelope));
    } catch (error) {
      if (error instanceof InboundError) {
        outcome = 'refused';
        log.warn({ code: error.code }, `long connection: ignored an envelope: ${error.message}`);
        return {};
      }
      outcome = 'error';
      log.error(
        { err: (error as Error).message },
        'long connection: handling an event failed; Lark will re-push it',
      );
      throw error;
    } finally {
      observe(kind, outcome, (performance.now() - started) / 1000);
    }
  };
}

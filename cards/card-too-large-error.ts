/**
 * Thrown when a card exceeds Lark's limits even with all display text trimmed to the minimum, which can only
 * happen when identifiers (never truncated) are themselves huge. Recognise it by `code`, not by message.
 */
export class CardTooLargeError extends Error {
  readonly code = 'CARD_TOO_LARGE' as const;

  constructor(
    /** Wire size of the smallest rendering tried, in bytes. */
    readonly bytes: number,
    readonly limitBytes: number,
    /** Element count of the smallest rendering tried. */
    readonly elements: number,
    readonly limitElements: number,
  ) {
    super(
      `card too large: ${bytes} bytes (limit ${limitBytes}), ${elements} elements (limit ${limitElements})`,
    );
    this.name = 'CardTooLargeError';
  }
}

export function isCardTooLargeError(err: unknown): err is CardTooLargeError {
  return err instanceof CardTooLargeError;
}

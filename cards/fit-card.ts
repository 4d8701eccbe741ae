import { CardTooLargeError } from './card-too-large-error.js';
import type { LarkCard } from './elements.js';
import { cardBytes, countElements, DETAIL_LEVELS, type Detail, LIMITS } from './limits.js';

/**
 * Renders at the richest detail level that fits Lark's limits. Only display text shrinks between levels;
 * when even the sparest rendering is too large (identifiers are never cut), throws CardTooLargeError.
 */
export function fitCard(render: (detail: Detail) => LarkCard): LarkCard {
  let bytes = 0;
  let elements = 0;
  for (const detail of DETAIL_LEVELS) {
    const built = render(detail);
    bytes = cardBytes(built);
    elements = countElements(built);
    if (bytes <= LIMITS.cardBytes && elements <= LIMITS.cardElements) return built;
  }
  throw new CardTooLargeError(bytes, LIMITS.cardBytes, elements, LIMITS.cardElements);
}

/** The `flux-kontext-lora` model kind for the registry. */
import type { ModelKind } from '../generators/kind.ts';
import { FLUX_KIND, isFluxCard, parseFluxCard } from './card.ts';
import { openFluxGenerator } from './generator.ts';

export const fluxKontextKind: ModelKind = {
  kind: FLUX_KIND,
  readCard: (json, folder, options = {}) =>
    Promise.resolve(parseFluxCard(json, folder, options.checkFiles !== false)),
  open(card, options) {
    if (!isFluxCard(card)) throw new Error(`internal: ${card.name} is not a ${FLUX_KIND} card`);
    return openFluxGenerator(card, options);
  },
};

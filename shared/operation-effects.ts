/**
 * What an operation does to a photo, in one table: export takes the disclosure from here (the
 * label drawn on the picture, and IPTC's DigitalSourceType in its metadata), so a staged room says
 * so and a resized photo does not.
 *
 *   none       the picture is the photo, only resized or re-encoded
 *   edited     the photo's look changed (enhance, upscale); nothing was added or taken away
 *   retouched  content was removed or added in places (spot removal, redaction)
 *   composite  generated content was put into the photo (staging, try-on, an exterior)
 *   generated  the picture was made from nothing but a prompt
 *
 * Whether the work was done by a trained model (every cloud provider here) or by a plain
 * algorithm on this machine matters for a retouch: IPTC calls a non-generative retouch a human
 * edit, and it carries no AI label.
 */
export const OPERATION_EFFECTS = ['none', 'edited', 'retouched', 'composite', 'generated'] as const;
export type OperationEffect = (typeof OPERATION_EFFECTS)[number];

const IPTC = 'http://cv.iptc.org/newscodes/digitalsourcetype/';

/** IPTC DigitalSourceType terms (https://cv.iptc.org/newscodes/digitalsourcetype/). */
export const DIGITAL_SOURCE_TYPES = {
  algorithmicallyEnhanced: `${IPTC}algorithmicallyEnhanced`,
  humanEdits: `${IPTC}humanEdits`,
  compositeWithTrainedAlgorithmicMedia: `${IPTC}compositeWithTrainedAlgorithmicMedia`,
  trainedAlgorithmicMedia: `${IPTC}trainedAlgorithmicMedia`,
} as const;

/**
 * Effects that add or remove content (staging, an exterior, a try-on, spot removal, redaction, a
 * picture from a prompt), as opposed to a change of look (enhance, upscale) or none: what listing
 * rules (MLS, California's AB 723) call an altered image, which a compliance export pairs with its
 * unaltered original and logs.
 */
export const ALTERING_EFFECTS: ReadonlySet<OperationEffect> = new Set(['retouched', 'composite', 'generated']);

export interface Disclosure {
  /** The DigitalSourceType to write, or null to write none. */
  digitalSourceType: string | null;
  /** Draw the preset's AI label (or the operation's own wording) on the picture. */
  label: boolean;
}

/** The disclosure for work of this effect, done by a trained model (`generative`) or not. */
export function disclosureOf(effect: OperationEffect, generative: boolean): Disclosure {
  switch (effect) {
    case 'none':
      return { digitalSourceType: null, label: false };
    case 'edited':
      return { digitalSourceType: DIGITAL_SOURCE_TYPES.algorithmicallyEnhanced, label: false };
    case 'retouched':
      return generative
        ? { digitalSourceType: DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia, label: true }
        : { digitalSourceType: DIGITAL_SOURCE_TYPES.humanEdits, label: false };
    case 'composite':
      return { digitalSourceType: DIGITAL_SOURCE_TYPES.compositeWithTrainedAlgorithmicMedia, label: true };
    case 'generated':
      return { digitalSourceType: DIGITAL_SOURCE_TYPES.trainedAlgorithmicMedia, label: true };
  }
}

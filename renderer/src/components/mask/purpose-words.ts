import type { MaskPurpose } from '../../../../shared/mask';

/** What each purpose of a mask is called in the editor and the photo view. */
export const PURPOSE_WORDS: Record<MaskPurpose, string> = {
  redact: 'Redact',
  heal: 'Spot removal',
  exterior: 'Exterior area',
  tryon: 'Try-on garment area',
};

import { useState } from 'react';
import type { Asset, ShootListItem } from '../../../../../shared/domain';
import { AppError } from '../../../../../shared/errors';
import { GarmentMarkSchema } from '../../../../../shared/api-garments';
import { PRODUCT_TYPES, PRODUCT_TYPE_WORDS, ProductTypeSchema } from '../../../../../shared/garments';
import { useApp, useClient } from '../../../store/context';
import { useProviderList } from '../../../store/use-provider-units';
import { DescribeDialog } from './DescribeDialog';
import { fashionOperations } from './fashion-operations';
import { GenerateDialog } from './GenerateDialog';
import { TryOnDialog } from './TryOnDialog';
import './fashion.css';

/** Which dialog is open. */
type Open = 'tryon' | 'describe' | 'generate' | null;

const NOT_A_GARMENT = 'none';

/**
 * The fashion and e-commerce tools of a shoot: mark the selected photos as garments (with their
 * product type, remembered per photo) or make the whole shoot a garment shoot; try garments on the
 * selected persons; describe products; generate product images from a prompt.
 */
export function FashionBar({
  shoot,
  selected,
}: {
  shoot: ShootListItem;
  /** The selected photos that can be worked on, in grid order. */
  selected: readonly Asset[];
}): React.JSX.Element {
  const client = useClient();
  const say = useApp((state) => state.say);
  const loadShoots = useApp((state) => state.loadShoots);
  const loadShootContent = useApp((state) => state.loadShootContent);
  const operations = fashionOperations(useProviderList());
  const [open, setOpen] = useState<Open>(null);
  const persons = selected.filter((asset) => asset.garment === null).map((asset) => asset.id);
  const garments = selected.filter((asset) => asset.garment !== null).map((asset) => asset.id);
  const none = (what: string) => `No provider here can ${what}: add one in Settings → Providers.`;

  const fail = (error: unknown) => say(error instanceof AppError ? error.message : 'That did not work.');

  const mark = async (value: string): Promise<void> => {
    const parsed = GarmentMarkSchema.safeParse(value);
    if (!parsed.success) return;
    const chosen = parsed.data;
    try {
      const { assets } = await client.call('assets.markGarment', {
        ids: selected.map((asset) => asset.id),
        mark: chosen,
      });
      const photos = `${assets.length} photo${assets.length === 1 ? '' : 's'}`;
      say(
        chosen === 'none'
          ? `${photos} no longer garments.`
          : chosen === 'shoot'
            ? `${photos} follow the shoot again.`
            : `${photos} marked as ${PRODUCT_TYPE_WORDS[chosen].toLowerCase()}.`,
      );
    } catch (error) {
      fail(error);
    }
  };

  const markShoot = async (value: string): Promise<void> => {
    const parsed = ProductTypeSchema.safeParse(value);
    try {
      await client.call('shoots.setGarments', { id: shoot.id, productType: parsed.success ? parsed.data : null });
      await Promise.all([loadShoots(), loadShootContent(shoot.id, { refresh: true })]);
    } catch (error) {
      fail(error);
    }
  };

  const closed = (ran: boolean, words: string) => {
    setOpen(null);
    if (ran) say(words);
  };

  return (
    <div className="fashion-bar" role="toolbar" aria-label="Garments and products">
      <label>
        <select
          aria-label="Garment shoot"
          value={shoot.garmentType ?? NOT_A_GARMENT}
          onChange={(event) => void markShoot(event.target.value)}
          title="A garment shoot makes every photo in it a garment of this type (each photo can say otherwise)"
        >
          <option value={NOT_A_GARMENT}>Not a garment shoot</option>
          {PRODUCT_TYPES.map((type) => (
            <option key={type} value={type}>
              Garment shoot: {PRODUCT_TYPE_WORDS[type]}
            </option>
          ))}
        </select>
      </label>
      <select
        aria-label="Mark as garment"
        value=""
        disabled={selected.length === 0}
        onChange={(event) => void mark(event.target.value)}
        title={selected.length === 0 ? 'Select garment photos first' : undefined}
      >
        <option value="">Mark {selected.length > 0 ? selected.length : ''} as garment…</option>
        {PRODUCT_TYPES.map((type) => (
          <option key={type} value={type}>
            {PRODUCT_TYPE_WORDS[type]}
          </option>
        ))}
        <option value="none">Not a garment</option>
        <option value="shoot">As the shoot says</option>
      </select>
      <button
        type="button"
        disabled={!operations.tryOn || persons.length === 0}
        title={
          !operations.tryOn
            ? none('try garments on')
            : persons.length === 0
              ? 'Select photos of persons (and the garments to try on them)'
              : undefined
        }
        onClick={() => setOpen('tryon')}
      >
        Try on…
      </button>
      <button
        type="button"
        disabled={!operations.describe || garments.length === 0}
        title={
          !operations.describe
            ? none('describe products')
            : garments.length === 0
              ? 'Select garment or product photos (marked with their type) to describe'
              : undefined
        }
        onClick={() => setOpen('describe')}
      >
        Describe{garments.length > 0 ? ` ${garments.length}` : ''}…
      </button>
      <button
        type="button"
        disabled={!operations.generate}
        title={!operations.generate ? none('make product images') : undefined}
        onClick={() => setOpen('generate')}
      >
        Generate product images…
      </button>
      {open === 'tryon' && operations.tryOn ? (
        <TryOnDialog
          shootId={shoot.id}
          operation={operations.tryOn}
          persons={persons}
          garments={garments}
          onClose={(ran) => closed(ran, 'Try-ons queued: results land on each person photo.')}
        />
      ) : null}
      {open === 'describe' && operations.describe ? (
        <DescribeDialog
          operation={operations.describe}
          assetIds={garments}
          onClose={(ran) => closed(ran, 'Descriptions queued: they show in the info panel (I).')}
        />
      ) : null}
      {open === 'generate' && operations.generate ? (
        <GenerateDialog
          shootId={shoot.id}
          operation={operations.generate}
          selected={selected.map((asset) => asset.id)}
          onClose={(ran) => closed(ran, 'Product images queued: they appear under “Generated in this shoot”.')}
        />
      ) : null}
    </div>
  );
}

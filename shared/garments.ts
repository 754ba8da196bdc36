import { z } from 'zod';

/**
 * What kind of product a garment (or product) photo shows: the words try-on, product images and
 * descriptions are asked with. A photo remembers its own; a garment shoot gives its photos one.
 */
export const PRODUCT_TYPES = [
  'GARMENT',
  'DRESS',
  'OUTFIT',
  'FOOTWEAR',
  'BAG',
  'JEWELLERY',
  'EYEWEAR',
  'BEAUTY',
  'OTHER',
] as const;

export const ProductTypeSchema = z.enum(PRODUCT_TYPES);
export type ProductType = z.infer<typeof ProductTypeSchema>;

/** How the UI names each product type. */
export const PRODUCT_TYPE_WORDS: Readonly<Record<ProductType, string>> = {
  GARMENT: 'Garment',
  DRESS: 'Dress',
  OUTFIT: 'Outfit',
  FOOTWEAR: 'Footwear',
  BAG: 'Bag',
  JEWELLERY: 'Jewellery',
  EYEWEAR: 'Eyewear',
  BEAUTY: 'Beauty',
  OTHER: 'Other product',
};

/**
 * The parameter an operation takes the product type in: when a run does not set it, each job
 * takes its garment's (try-on) or its photo's (description, shape) remembered type.
 */
export const PRODUCT_TYPE_PARAM = 'productType';

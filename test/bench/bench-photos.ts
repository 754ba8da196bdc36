/** Corpus photos the benches make their inputs from (crops and re-encodes, so each input is distinct). */

/** Real camera photos of 12 MP or more: a 24 MP Sony and a 13 MP Xiaomi. */
export const BIG_PHOTOS = ['photos/sony-ilce6000_6000x4000.jpg', 'photos/xiaomi-mi3_4208x3120.jpg'];

/** Real photos under 12 MP from eight cameras, one of them progressive and one turned by EXIF. */
export const SMALL_PHOTOS = [
  'photos/after-the-rain_pentax-k7_srgb.jpg',
  'photos/bythewater_nokia-n9.jpg',
  'photos/colorfulcups_sony-nex3n_gps_srgb.jpg',
  'photos/dune_canon-rebel.jpg',
  'photos/fog_hp-photosmart735.jpg',
  'photos/storm_canon-400d.jpg',
  'photos/IMG_0001_iphone6plus_orient6_gps.JPG',
  'formats/flower_progressive.jpg',
];

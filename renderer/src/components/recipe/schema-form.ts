/**
 * The recipe form's model, without DOM or React: an operation's parameter schema (JSON Schema as
 * produced by zod's `z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' })`) and its
 * hints become an ordered list of field descriptors; defaults become the form's first values; the
 * form's values (strings while typed) are checked and turned back into the params a recipe stores.
 *
 * Rules the JSON Schema cannot carry (AIXpose's "actions, a quick action or a prompt") are the
 * engine's to enforce: `recipes.create` answers with a sentence the editor shows.
 *
 * This file is the model's one entry point. The work is split by stage, each file whole on its own:
 *   schema-form-fields.ts   JSON Schema and hints → field descriptors (the schema interpretation);
 *   schema-form-values.ts   form values: first values, coercion, validation, params to store;
 *   schema-form-catalog.ts  catalog-backed fields: which entries apply and pruning stale choices.
 */

export {
  describeFields,
  humanize,
  LONG_TEXT_THRESHOLD,
  optionKey,
  optionLabels,
  unsupportedParams,
  type FieldDescriptor,
  type FieldKind,
  type FieldOption,
  type OptionValue,
  type ParamHint,
} from './schema-form-fields';
export {
  initialValues,
  isValid,
  toParams,
  validate,
  type FieldErrors,
  type FormValue,
  type FormValues,
} from './schema-form-values';
export {
  catalogChoices,
  catalogContext,
  catalogKinds,
  groupChoices,
  hasCatalogKind,
  pruneCatalogValues,
  type CatalogChoice,
  type CatalogEntryLike,
  type ChoiceGroup,
} from './schema-form-catalog';

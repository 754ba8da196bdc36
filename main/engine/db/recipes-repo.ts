import type { Recipe } from '../../../shared/jobs';
import { statement, type Db } from './connection';

interface RecipeRow {
  id: string;
  name: string;
  provider: string;
  operation: string;
  params_json: string;
  created_at: number;
  updated_at: number;
}

const toRecipe = (row: RecipeRow): Recipe => ({
  id: row.id,
  name: row.name,
  provider: row.provider,
  operation: row.operation,
  params: JSON.parse(row.params_json) as Record<string, unknown>,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

export function listRecipes(db: Db): Recipe[] {
  return (statement(db, 'SELECT * FROM recipes ORDER BY name, id').all() as RecipeRow[]).map(toRecipe);
}

export function getRecipe(db: Db, id: string): Recipe | null {
  const row = statement(db, 'SELECT * FROM recipes WHERE id = ?').get(id) as RecipeRow | undefined;
  return row ? toRecipe(row) : null;
}

export function saveRecipe(db: Db, recipe: Recipe): void {
  statement(
    db,
    `INSERT INTO recipes (id, name, provider, operation, params_json, created_at, updated_at)
     VALUES (@id, @name, @provider, @operation, @params, @createdAt, @updatedAt)
     ON CONFLICT (id) DO UPDATE SET name = excluded.name, provider = excluded.provider, operation = excluded.operation,
       params_json = excluded.params_json, updated_at = excluded.updated_at`,
  ).run({ ...recipe, params: JSON.stringify(recipe.params) });
}

/** Jobs made from a recipe keep their own copy of its parameters; they only lose the link. */
export function deleteRecipe(db: Db, id: string): boolean {
  return statement(db, 'DELETE FROM recipes WHERE id = ?').run(id).changes === 1;
}

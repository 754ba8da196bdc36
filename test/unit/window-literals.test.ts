import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const file = path.resolve(import.meta.dirname, '../../main/app/window.ts');

/** The object literal passed as webPreferences to `new BrowserWindow({...})`, read from the syntax tree. */
function webPreferencesLiteral(): ts.ObjectLiteralExpression {
  const source = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  let found: ts.ObjectLiteralExpression | undefined;
  const visit = (node: ts.Node): void => {
    if (ts.isNewExpression(node) && node.expression.getText(source) === 'BrowserWindow') {
      const options = node.arguments?.[0];
      if (options && ts.isObjectLiteralExpression(options)) {
        for (const property of options.properties) {
          if (ts.isPropertyAssignment(property) && property.name.getText(source) === 'webPreferences') {
            if (ts.isObjectLiteralExpression(property.initializer)) found = property.initializer;
          }
        }
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (!found) throw new Error('no `new BrowserWindow({ webPreferences: { … } })` in window.ts');
  return found;
}

describe('the window security settings', () => {
  it('are boolean literals inside the `new BrowserWindow` call, with nothing spread in', () => {
    const literal = webPreferencesLiteral();
    expect(literal.properties.filter((property) => ts.isSpreadAssignment(property))).toEqual([]);
    const values = new Map<string, string>();
    for (const property of literal.properties) {
      if (!ts.isPropertyAssignment(property)) continue;
      const kind = property.initializer.kind;
      values.set(
        property.name.getText(),
        kind === ts.SyntaxKind.TrueKeyword ? 'true' : kind === ts.SyntaxKind.FalseKeyword ? 'false' : 'computed',
      );
    }
    expect(Object.fromEntries(values)).toMatchObject({
      contextIsolation: 'true',
      sandbox: 'true',
      nodeIntegration: 'false',
      webSecurity: 'true',
    });
  });
});

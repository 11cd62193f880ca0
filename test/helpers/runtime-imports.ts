/**
 * The packages a file loads when it runs: static imports and re-exports (not `import type`, which
 * type stripping erases) and `import()` calls, read with TypeScript's parser.
 */
import { isBuiltin } from 'node:module';
import ts from 'typescript';

export interface RuntimeImport {
  /** What the file names, e.g. `fast-xml-parser` or `markdown-it/lib/token.mjs`. */
  specifier: string;
  line: number;
}

export function runtimeImports(fileName: string, text: string): RuntimeImport[] {
  const source = ts.createSourceFile(fileName, text, ts.ScriptTarget.Latest, true);
  const found: RuntimeImport[] = [];
  const add = (node: ts.Node, specifier: string) =>
    found.push({
      specifier,
      line: source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1,
    });
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      // `import { type A } from 'x'` still loads x (verbatimModuleSyntax); only `import type` does not.
      if (node.importClause?.phaseModifier !== ts.SyntaxKind.TypeKeyword)
        add(node, (node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isExportDeclaration(node)) {
      if (node.moduleSpecifier && !node.isTypeOnly)
        add(node, (node.moduleSpecifier as ts.StringLiteral).text);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [argument] = node.arguments;
      // A computed name cannot be checked here; it is reported so that it gets a literal.
      add(node, argument && ts.isStringLiteralLike(argument) ? argument.text : '<computed>');
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The package an import names (`@scope/name` or `name`), or undefined for a relative path. */
export function packageOf(specifier: string): string | undefined {
  if (specifier.startsWith('.') || specifier.startsWith('/')) return undefined;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

/** Each import that neither names a `node:` built-in nor a package in `dependencies`. */
export function undeclaredImports(
  fileName: string,
  text: string,
  dependencies: Record<string, string>,
): string[] {
  return runtimeImports(fileName, text)
    .filter(({ specifier }) => {
      if (specifier.startsWith('node:')) return !isBuiltin(specifier);
      const name = packageOf(specifier);
      return name !== undefined && !Object.hasOwn(dependencies, name);
    })
    .map(({ specifier, line }) => `${fileName}:${line} imports "${specifier}"`);
}

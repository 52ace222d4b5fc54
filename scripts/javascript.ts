// A module of src/ as the bundle is built from it: its types erased, file by
// file, and its relative imports of `.ts` files made imports of `.js`.
import ts from 'typescript'

/** `source`, the text of the TypeScript file `fileName`, as JavaScript. */
export function javascriptOf(source: string, fileName: string): string {
  return ts.transpileModule(source, {
    fileName,
    compilerOptions: {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2023,
      rewriteRelativeImportExtensions: true,
      verbatimModuleSyntax: true,
    },
  }).outputText
}

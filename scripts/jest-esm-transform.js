// Jest transform for the ES-module-only packages NestJS 12 ships (@nestjs/*): Node runs them from
// our CommonJS build through require(esm), but jest's own module loader can only do that on Node
// 24.9+ (with --experimental-vm-modules). On older Node this rewrites them to CommonJS the way
// tsc would; where jest loads them as native modules (supportsStaticESM) they pass through as is.
const { createHash } = require('node:crypto');
const ts = require('typescript');

/** `import.meta.url` has no CommonJS meaning: the file's own URL stands in for it. */
const IMPORT_META_URL = /\bimport\.meta\.url\b/g;

module.exports = {
  getCacheKey(source, path, options) {
    return createHash('sha256')
      .update(source)
      .update(path)
      .update(String(Boolean(options.supportsStaticESM)))
      .update(ts.version)
      .digest('hex');
  },
  process(source, path, options) {
    if (options.supportsStaticESM) return { code: source };
    const rewritten = source.replace(IMPORT_META_URL, "require('node:url').pathToFileURL(__filename).href");
    const { outputText, sourceMapText } = ts.transpileModule(rewritten, {
      fileName: path,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        allowJs: true,
        sourceMap: true,
      },
    });
    return { code: outputText, map: sourceMapText };
  },
};

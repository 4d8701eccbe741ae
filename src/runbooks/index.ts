/** The runbooks module: runbook and target files → a validated Catalog; steps rendered to argv; redaction. */
export { aliasKey, findRunbook, pickTarget, RESERVED_WORDS, type TargetChoice } from './catalog.js';
export { type CheckResult, checkRunbooksDir } from './check.js';
export { parseDuration } from './duration.js';
export { formatIssue, RunbookError, type RunbookErrorCode, type RunbookIssue } from './errors.js';
export { type CatalogResult, type LoadOptions, loadCatalog, readCatalog } from './load.js';
export { MAX_PARAM_LENGTH, type ParamError, type ParamsResult, validateParams } from './params.js';
export { createRedactor, MASK, MIN_SECRET_LENGTH, type Redactor, secretsOfTarget } from './redact.js';
export { missingTargetKeys, type RenderOptions, renderSteps } from './render.js';
export type * from './types.js';

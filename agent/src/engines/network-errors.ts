/** Socket error codes that mean "the server could not be reached", for every engine's driver. */
const unreachableCodes = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENOENT',
  'EAI_AGAIN',
  'ECONNRESET',
]);

export function isUnreachable(code: string | undefined): boolean {
  return code !== undefined && unreachableCodes.has(code);
}

/**
 * Formats a path into the config the way users write it: `targets.shop.port`,
 * `targets.shop.retention.tiers[1].every`, and `labels["app.kubernetes.io/name"]` for keys that
 * are not plain words. The empty path (the file as a whole) formats as ''.
 */
export function formatConfigPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const segment of path) {
    if (typeof segment === 'number') text += `[${segment}]`;
    else if (typeof segment === 'string' && /^[A-Za-z0-9_$-]+$/.test(segment))
      text += text ? `.${segment}` : segment;
    else text += `[${JSON.stringify(String(segment))}]`;
  }
  return text;
}

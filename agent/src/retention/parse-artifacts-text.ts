import { PortYardError } from '@port-yard/shared';
import { formatConfigPath } from '../config/config-path.ts';
import { instantOf } from './parse-instant.ts';
import type { RetentionArtifact } from './retention-types.ts';

/** Enough to fix a file by; the rest are counted. */
const maxProblems = 20;

/**
 * An artifacts file: a JSON array of `{ "id": string, "startedAt": ISO 8601 time with a zone }`.
 * Other keys are ignored, so a catalog listing can be passed as it is. Every problem is
 * collected (up to 20 lines) into one PortYardError INVALID_INPUT naming the file and the field.
 */
export function parseArtifactsText(text: string, file: string): RetentionArtifact[] {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new PortYardError('INVALID_INPUT', `${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!Array.isArray(data)) {
    throw new PortYardError('INVALID_INPUT', `${file}: must be a JSON array of {"id", "startedAt"} objects`);
  }

  const problems: string[] = [];
  const seen = new Set<string>();
  const artifacts: RetentionArtifact[] = [];
  data.forEach((item: unknown, index) => {
    const at = (key?: string) => `${file}: ${formatConfigPath(key ? [index, key] : [index])}`;
    if (typeof item !== 'object' || item === null || Array.isArray(item)) {
      problems.push(`${at()}: must be an object {"id", "startedAt"}`);
      return;
    }
    const { id, startedAt } = item as { id?: unknown; startedAt?: unknown };
    if (typeof id !== 'string' || id === '') problems.push(`${at('id')}: must be a non-empty string`);
    else if (seen.has(id)) problems.push(`${at('id')}: "${id}" is listed twice`);
    else seen.add(id);
    if (instantOf(startedAt) === undefined) {
      problems.push(
        `${at('startedAt')}: must be an ISO 8601 time with Z or an offset, e.g. 2026-11-26T03:15:00Z`,
      );
    }
    if (typeof id === 'string' && typeof startedAt === 'string') artifacts.push({ id, startedAt });
  });
  if (problems.length > 0) {
    const more = problems.length > maxProblems ? [`(and ${problems.length - maxProblems} more)`] : [];
    throw new PortYardError('INVALID_INPUT', [...problems.slice(0, maxProblems), ...more].join('\n'));
  }
  return artifacts;
}

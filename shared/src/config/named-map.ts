import { z } from 'zod';
import { resourceNamePattern, resourceNameRule } from './names.ts';

/**
 * The config's maps of named things (storages, targets, test servers, notification channels),
 * parsed into objects without a prototype. Code and API procedures look a name up as
 * `targets[name]`: on a plain object the valid name `constructor` found Object's constructor, so
 * an unknown target named that was backed up, reported and planned for instead of refused.
 */
export function namedMap<T extends z.ZodType>(value: T) {
  return z
    .record(z.string().regex(resourceNamePattern, resourceNameRule), value)
    .transform((map) => Object.assign(Object.create(null) as typeof map, map));
}

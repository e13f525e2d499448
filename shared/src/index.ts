export * from './config/config-schema.ts';
export * from './config/duration.ts';
export * from './config/names.ts';
export * from './config/retention-schema.ts';
export * from './config/storage-schemas.ts';
export * from './errors.ts';
export * from './manifest/manifest-schema.ts';
export * from './runs/run-events.ts';

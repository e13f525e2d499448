import { describe, expect, it } from 'vitest';
import { ConfigError } from './config-error.ts';
import { formatConfigErrors } from './format-config-errors.ts';

describe('formatConfigErrors', () => {
  it('prints one line per problem: file:line:col, two spaces, path: message', () => {
    const error = new ConfigError('config/port-yard.yaml', [
      { path: '', message: 'cannot read the config file: no such file' },
      { path: '', line: 3, column: 7, message: 'YAML syntax: Map keys must be unique' },
      { path: 'targets.shop.port', line: 9, column: 11, message: 'expected a number, found a string' },
    ]);
    expect(formatConfigErrors(error)).toBe(
      [
        'config/port-yard.yaml  cannot read the config file: no such file',
        'config/port-yard.yaml:3:7  YAML syntax: Map keys must be unique',
        'config/port-yard.yaml:9:11  targets.shop.port: expected a number, found a string',
      ].join('\n'),
    );
  });

  it('gives the error a one-line message of its own, with the CONFIG_INVALID code', () => {
    const error = new ConfigError('c.yaml', [
      { path: 'version', line: 1, column: 10, message: 'expected 1' },
      { path: 'storages', line: 2, column: 1, message: 'needs at least one storage' },
    ]);
    expect(error.code).toBe('CONFIG_INVALID');
    expect(error.phase).toBe('config');
    expect(error.message).toBe('c.yaml: version: expected 1 (and 1 more)');
  });
});

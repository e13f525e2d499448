import { describe, expect, it } from 'vitest';
import { markdownText } from './notification-text.ts';

describe("Teams' Markdown text", () => {
  it('shows a database name as typed: no link, no emphasis, no list', () => {
    expect(markdownText('[Sign in again](https:evil.example) → offsite')).toBe(
      '\\[Sign in again\\](https:evil.example) → offsite',
    );
    expect(markdownText('*bold* _it_ `code` ~x~ a\\b')).toBe('\\*bold\\* \\_it\\_ \\`code\\` \\~x\\~ a\\\\b');
    expect(markdownText('# x\n- y\n1. z')).toBe('\\# x\n\\- y\n1\\. z');
    expect(markdownText('backup of shop failed at 2026-11-26 (3 tries)')).toBe(
      'backup of shop failed at 2026-11-26 (3 tries)',
    );
  });
});

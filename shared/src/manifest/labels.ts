/**
 * The label of a backup Port-Yard took for a reason of its own, and that reason: the safety backup
 * before a restore over a database carries `before restoring <artifact id>`. (Its own file: the
 * console imports it without the schemas.)
 */
export const reasonLabel = 'port-yard.reason';

/**
 * The label of a backup that lacks something the dump tool left out without failing (stored
 * routines the dump user may not read), and what: so that the artifact, not only a log line of
 * the day, says it.
 */
export const incompleteLabel = 'port-yard.incomplete';

const safetyReasonPrefix = 'before restoring ';

/** The reason a safety backup before restoring `artifactId` carries. */
export function safetyBackupReason(artifactId: string): string {
  return `${safetyReasonPrefix}${artifactId}`;
}

/** Whether a backup with these labels is a safety backup taken before a restore. */
export function isSafetyBackup(labels: Readonly<Record<string, string>>): boolean {
  return labels[reasonLabel]?.startsWith(safetyReasonPrefix) ?? false;
}

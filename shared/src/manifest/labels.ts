/**
 * The label of a backup Port-Yard took for a reason of its own, and that reason: the safety backup
 * before a restore over a database carries `before restoring <artifact id>`. (Its own file: the
 * console imports it without the schemas.)
 */
export const reasonLabel = 'port-yard.reason';

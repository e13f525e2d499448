/** Identifier and literal quoting for SQL the agent writes itself (names come from configs and users). */
export const quoteMysqlIdentifier = (name: string): string => `\`${name.replace(/`/g, '``')}\``;
export const quotePostgresIdentifier = (name: string): string => `"${name.replace(/"/g, '""')}"`;
export const quotePostgresLiteral = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/** PostgreSQL's maintenance database: where the agent connects to create, drop and list databases. */
export const postgresMaintenanceDatabase = 'postgres';

/** The rows of a size's table that are Port-Yard backups (each checked for RSS, reliability, artifacts). */
export const portYardMethodIds = ['port-yard', 'port-yard-agent', 'port-yard-s3', 'port-yard-both'] as const;
export type PortYardMethodId = (typeof portYardMethodIds)[number];

/** The Port-Yard rows that store to the filesystem only: the CLI and the running agent. */
export const filesystemRowIds: readonly PortYardMethodId[] = ['port-yard', 'port-yard-agent'];
/** The Port-Yard rows that upload to S3 (their Node process also holds the part buffers). */
export const s3RowIds: readonly PortYardMethodId[] = ['port-yard-s3', 'port-yard-both'];

export const isPortYard = (id: string): id is PortYardMethodId =>
  (portYardMethodIds as readonly string[]).includes(id);

/** Rows whose measured root process is Node (its own RSS and CPU are shown). */
export const hasNodeRoot = (id: string): boolean => isPortYard(id) || id === 's3-upload';

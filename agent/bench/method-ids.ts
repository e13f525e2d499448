/** The rows of a size's table that are Port-Yard backups (each checked for RSS, reliability, artifacts). */
export const portYardMethodIds = ['port-yard', 'port-yard-agent', 'port-yard-s3', 'port-yard-both'] as const;
export type PortYardMethodId = (typeof portYardMethodIds)[number];

export const isPortYard = (id: string): id is PortYardMethodId =>
  (portYardMethodIds as readonly string[]).includes(id);

/** Rows whose measured root process is Node (its own RSS and CPU are shown). */
export const hasNodeRoot = (id: string): boolean => isPortYard(id) || id === 's3-upload';

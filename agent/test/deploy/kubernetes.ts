import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { parseAllDocuments } from 'yaml';

/**
 * The shapes of the Kubernetes objects the deployment tests read: only the fields they look at,
 * all optional, since the point of the tests is to find what is missing.
 */
export interface Resource {
  readonly apiVersion?: string;
  readonly kind?: string;
  readonly metadata?: { readonly name?: string; readonly labels?: Labels; readonly annotations?: Labels };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
  readonly stringData?: Record<string, string>;
  readonly resources?: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

export interface Probe {
  readonly httpGet?: { readonly path?: string; readonly port?: string | number };
}

export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: { readonly secretKeyRef?: { readonly name: string; readonly key: string } };
}

export interface Container {
  readonly name?: string;
  readonly image?: string;
  readonly args?: readonly string[];
  readonly env?: readonly EnvVar[];
  readonly ports?: readonly { readonly name?: string; readonly containerPort: number }[];
  readonly livenessProbe?: Probe;
  readonly readinessProbe?: Probe;
  readonly securityContext?: Record<string, unknown>;
  readonly volumeMounts?: readonly { readonly name: string; readonly mountPath: string }[];
}

export interface Volume {
  readonly name: string;
  readonly configMap?: { readonly name: string };
  readonly secret?: { readonly secretName: string; readonly defaultMode?: number };
  readonly persistentVolumeClaim?: { readonly claimName: string };
  readonly emptyDir?: Record<string, unknown>;
}

export interface PodSpec {
  readonly containers: readonly Container[];
  readonly volumes?: readonly Volume[];
  readonly securityContext?: Record<string, unknown>;
  readonly terminationGracePeriodSeconds?: number;
}

export interface DeploymentSpec {
  readonly replicas?: number;
  readonly strategy?: { readonly type?: string };
  readonly selector?: { readonly matchLabels?: Labels };
  readonly template: {
    readonly metadata?: { labels?: Labels; annotations?: Labels };
    readonly spec: PodSpec;
  };
}

export interface ServicePort {
  readonly name?: string;
  readonly port: number;
  readonly targetPort?: string | number;
}

export interface ManifestFile {
  /** Relative to the folder that was read, e.g. `auth-proxy/ingress.yaml`. */
  readonly file: string;
  readonly documents: readonly Resource[];
}

/** Every *.yaml below `root`, each parsed into its documents; a YAML error throws, naming the file. */
export async function readManifests(root: string): Promise<ManifestFile[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  const files = entries
    .filter((entry) => entry.isFile() && /\.ya?ml$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  return Promise.all(
    files.map(async (path) => {
      const file = relative(root, path);
      const documents = parseAllDocuments(await readFile(path, 'utf8'));
      if (!Array.isArray(documents)) throw new Error(`${file}: not YAML documents`);
      const problems = documents.flatMap((document) => document.errors.map((error) => error.message));
      if (problems.length > 0) throw new Error(`${file}: ${problems.join('; ')}`);
      return { file, documents: documents.map((document) => document.toJS() as Resource) };
    }),
  );
}

/** The one resource of a kind and name in `resources`; throws when there is none. */
export function find<T extends Resource = Resource>(
  resources: readonly Resource[],
  kind: string,
  name: string,
): T {
  const found = resources.find((resource) => resource.kind === kind && resource.metadata?.name === name);
  if (!found) throw new Error(`no ${kind} ${name}`);
  return found as T;
}

export function deploymentSpec(resource: Resource): DeploymentSpec {
  return resource.spec as unknown as DeploymentSpec;
}

/** Whether every label of `selector` is on `labels`. */
export function selects(selector: Labels | undefined, labels: Labels | undefined): boolean {
  const wanted = Object.entries(selector ?? {});
  return wanted.length > 0 && wanted.every(([key, value]) => labels?.[key] === value);
}

/** A port given by number or by the container's port name, as a number. */
export function containerPortOf(container: Container, port: string | number | undefined): number | undefined {
  if (typeof port === 'number') return port;
  return container.ports?.find((candidate) => candidate.name === port)?.containerPort;
}

/** A Secret's or ConfigMap's keys with their text (stringData, else base64 data decoded for Secrets). */
export function keysOf(resource: Resource): Record<string, string> {
  if (resource.kind === 'Secret') {
    const decoded = Object.entries(resource.data ?? {}).map(([key, value]) => [
      key,
      Buffer.from(value, 'base64').toString('utf8'),
    ]);
    return { ...Object.fromEntries(decoded), ...resource.stringData };
  }
  return { ...resource.data };
}

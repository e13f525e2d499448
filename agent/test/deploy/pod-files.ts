import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { Container, PodSpec, Resource } from './kubernetes.ts';
import { find, keysOf } from './kubernetes.ts';

export interface PodView {
  /** Where the container's config file is, under `root`. */
  readonly configFile: string;
  /** The container's environment as the kubelet sets it (values and secretKeyRefs). */
  readonly env: Record<string, string>;
  /** Every mount path that holds a ConfigMap or Secret. */
  readonly secretMounts: readonly string[];
}

/**
 * Lays out under `root` what the kubelet would give `container`: each ConfigMap and Secret
 * volume's keys as files at `root + mountPath`, the environment with its secretKeyRefs resolved.
 * In the config file, paths below a Secret or ConfigMap mount are moved under `root` too, so the
 * real config loader reads the same secret files the agent would in the pod.
 */
export async function layOutPod(options: {
  readonly root: string;
  readonly pod: PodSpec;
  readonly container: Container;
  readonly resources: readonly Resource[];
  /** The image's default config path (its PORT_YARD_CONFIG), if the container sets none. */
  readonly defaultConfigPath: string;
}): Promise<PodView> {
  const { root, pod, container, resources } = options;
  const fileMounts: string[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = pod.volumes?.find((candidate) => candidate.name === mount.name);
    if (!volume) throw new Error(`volumeMount ${mount.name} names no volume`);
    const source = volume.configMap
      ? find(resources, 'ConfigMap', volume.configMap.name)
      : volume.secret
        ? find(resources, 'Secret', volume.secret.secretName)
        : undefined;
    await mkdir(join(root, mount.mountPath), { recursive: true });
    if (!source) continue;
    fileMounts.push(mount.mountPath);
    for (const [key, text] of Object.entries(keysOf(source)))
      await writeFile(join(root, mount.mountPath, key), text);
  }

  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const ref = variable.valueFrom?.secretKeyRef;
    const value = ref ? keysOf(find(resources, 'Secret', ref.name))[ref.key] : variable.value;
    if (value === undefined) throw new Error(`env ${variable.name} has no value`);
    env[variable.name] = value;
  }

  const configFile = join(root, env.PORT_YARD_CONFIG ?? options.defaultConfigPath);
  const text = await readFile(configFile, 'utf8').catch(() => {
    throw new Error(`no config file at ${configFile.slice(root.length)} in the pod`);
  });
  let moved = text;
  for (const mountPath of fileMounts) moved = moved.replaceAll(`${mountPath}/`, `${join(root, mountPath)}/`);
  await mkdir(dirname(configFile), { recursive: true });
  await writeFile(configFile, moved);
  return { configFile, env, secretMounts: fileMounts };
}

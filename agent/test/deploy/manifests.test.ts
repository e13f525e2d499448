import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { PortYardConfig } from '@port-yard/shared';
import { nominalDurationSeconds, parseDuration } from '@port-yard/shared';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load-config.ts';
import { lastInstruction } from './dockerfile.ts';
import { readAgentImage, repoRoot, type AgentImage } from './image-files.ts';
import type { Container, DeploymentSpec, ManifestFile, Resource, ServicePort } from './kubernetes.ts';
import { containerPortOf, deploymentSpec, find, keysOf, readManifests, selects } from './kubernetes.ts';
import { layOutPod, type PodView } from './pod-files.ts';

/**
 * config/kubernetes: every manifest parses and has what Kubernetes requires, the pieces fit
 * together (names, labels, ports, keys), and the ConfigMap's config is loaded by the real loader
 * with the Secret laid out as the kubelet would. The compose trial is compose.test.ts.
 */
const manifestsRoot = join(repoRoot, 'config/kubernetes');
const apiVersions: Record<string, string> = {
  Namespace: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  Service: 'v1',
  PersistentVolumeClaim: 'v1',
  Deployment: 'apps/v1',
  Ingress: 'networking.k8s.io/v1',
  NetworkPolicy: 'networking.k8s.io/v1',
  Kustomization: 'kustomize.config.k8s.io/v1beta1',
};

let files: ManifestFile[];
let resources: Resource[];
let built: AgentImage;
let spec: DeploymentSpec;
let agent: Container;
let agentPort: number;
let dir: string;
let pod: PodView;
let config: PortYardConfig;

beforeAll(async () => {
  files = await readManifests(manifestsRoot);
  resources = files.flatMap((file) => file.documents);
  built = await readAgentImage();
  spec = deploymentSpec(find(resources, 'Deployment', 'port-yard'));
  agent = spec.template.spec.containers[0]!;
  agentPort = containerPortOf(agent, 'http')!;
  dir = await mkdtemp(join(tmpdir(), 'py-test-manifests-'));
  pod = await layOutPod({
    root: dir,
    pod: spec.template.spec,
    container: agent,
    resources,
    defaultConfigPath: built.configPath,
  });
  config = await loadConfig(pod.configFile, { env: pod.env });
});

afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('config/kubernetes', () => {
  it('has only documents with apiVersion, kind and metadata.name', () => {
    expect(files.length).toBeGreaterThanOrEqual(8);
    for (const { file, documents } of files) {
      for (const resource of documents) {
        const what = `${file}: ${resource.kind}`;
        expect(resource.kind, file).toBeTypeOf('string');
        expect(resource.apiVersion, what).toBe(apiVersions[resource.kind!]);
        if (resource.kind === 'Kustomization') expect(resource.resources?.length, what).toBeGreaterThan(0);
        else expect(resource.metadata?.name, what).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      }
    }
  });

  it('lists every manifest in its folder’s kustomization, and only files that exist', () => {
    const kustomizations = files.filter(({ documents }) => documents[0]?.kind === 'Kustomization');
    expect(kustomizations.map(({ file }) => file).sort()).toEqual([
      'auth-proxy/kustomization.yaml',
      'kustomization.yaml',
    ]);
    for (const { file, documents } of kustomizations) {
      const folder = dirname(file);
      for (const entry of documents[0]!.resources!) {
        const path = join(manifestsRoot, folder, entry);
        expect(
          existsSync(path) && (path.endsWith('.yaml') || existsSync(join(path, 'kustomization.yaml'))),
          entry,
        ).toBe(true);
      }
      const listed = documents[0]!.resources!.map((entry) => join(folder, entry));
      const others = files.filter((other) => dirname(other.file) === folder && other.file !== file);
      for (const other of others) expect(listed, `${other.file} is listed`).toContain(other.file);
    }
  });

  it('runs one agent, replaced by Recreate', () => {
    expect(spec.replicas).toBe(1);
    expect(spec.strategy?.type).toBe('Recreate');
    expect(spec.template.spec.containers).toHaveLength(1);
    expect(selects(spec.selector?.matchLabels, spec.template.metadata?.labels)).toBe(true);
  });

  it('probes /healthz for liveness and /readyz for readiness on the port the agent listens on', () => {
    expect(agent.livenessProbe?.httpGet?.path).toBe('/healthz');
    expect(agent.readinessProbe?.httpGet?.path).toBe('/readyz');
    expect(containerPortOf(agent, agent.livenessProbe?.httpGet?.port)).toBe(config.server.port);
    expect(containerPortOf(agent, agent.readinessProbe?.httpGet?.port)).toBe(config.server.port);
    expect(agentPort).toBe(config.server.port);
    expect(config.server.host).toBe('0.0.0.0');
  });

  it('has a Service whose port reaches the container port', () => {
    const service = find(resources, 'Service', 'port-yard');
    expect(selects(service.spec?.selector as Record<string, string>, spec.template.metadata?.labels)).toBe(
      true,
    );
    const [port] = service.spec?.ports as ServicePort[];
    expect(containerPortOf(agent, port?.targetPort ?? port?.port)).toBe(agentPort);
    expect(port?.port).toBe(agentPort);
  });

  it('asks Prometheus to scrape /metrics on that port', () => {
    expect(spec.template.metadata?.annotations).toMatchObject({
      'prometheus.io/scrape': 'true',
      'prometheus.io/port': String(agentPort),
      'prometheus.io/path': '/metrics',
    });
  });

  it('runs as the image user, non-root, with a read-only root filesystem and /tmp writable', async () => {
    const [uid, gid] = (lastInstruction(built.image, 'USER')?.args ?? '').split(':').map(Number);
    expect(spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: gid,
      fsGroup: gid,
    });
    expect(agent.securityContext).toMatchObject({
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      capabilities: { drop: ['ALL'] },
    });
    const tmp = agent.volumeMounts?.find((mount) => mount.mountPath === '/tmp');
    const volume = spec.template.spec.volumes?.find((candidate) => candidate.name === tmp?.name);
    expect(volume?.emptyDir).toBeDefined();
  });

  it('gives running backups their --shutdown-grace before the pod is killed', () => {
    const args = agent.args ?? [];
    expect(args[0]).toBe('serve');
    const grace = parseDuration(args[args.indexOf('--shutdown-grace') + 1] ?? '25s')!;
    expect(spec.template.spec.terminationGracePeriodSeconds).toBeGreaterThan(nominalDurationSeconds(grace));
  });

  it('keeps the filesystem storage on the PersistentVolumeClaim', () => {
    const claim = spec.template.spec.volumes?.find((volume) => volume.persistentVolumeClaim);
    find(resources, 'PersistentVolumeClaim', claim!.persistentVolumeClaim!.claimName);
    const mount = agent.volumeMounts?.find((candidate) => candidate.name === claim?.name);
    expect(mount?.mountPath).toBe('/var/lib/port-yard');
    const paths = Object.values(config.storages).flatMap((storage) =>
      storage.type === 'filesystem' ? [storage.path] : [],
    );
    expect(paths.length).toBeGreaterThan(0);
    for (const path of paths) expect(path.startsWith(`${mount!.mountPath}/`), path).toBe(true);
  });

  it("loads the ConfigMap's config with the real loader, the Secret's values in place", () => {
    const secret = keysOf(find(resources, 'Secret', 'port-yard-secrets'));
    expect(config.targets['shop']?.password).toBe(secret['shop-db-password']);
    expect(config.targets['warehouse']?.password).toBe(secret['warehouse-db-password']);
    const passwordFiles = Object.values(config.targets).flatMap((target) =>
      target.passwordFile ? [target.passwordFile] : [],
    );
    for (const file of passwordFiles)
      expect(pod.secretMounts.some((mount) => file.includes(`${mount}/`))).toBe(true);
  });

  it('authenticates through the proxy in auth-proxy/, trusting its headers', () => {
    expect(config.auth.mode).toBe('proxy');
    expect(config.auth.proxy?.trustedProxies.length).toBeGreaterThan(0);
    // What oauth2-proxy --pass-user-headers sends.
    expect(config.auth.proxy).toMatchObject({
      userHeader: 'X-Forwarded-User',
      groupsHeader: 'X-Forwarded-Groups',
    });
    const proxy = deploymentSpec(find(resources, 'Deployment', 'oauth2-proxy')).template.spec.containers[0]!;
    expect(proxy.args).toContain('--pass-user-headers=true');
    const upstream = new URL(
      proxy.args!.find((arg) => arg.startsWith('--upstream='))!.slice('--upstream='.length),
    );
    const service = find(resources, 'Service', upstream.hostname);
    expect(selects(service.spec?.selector as Record<string, string>, spec.template.metadata?.labels)).toBe(
      true,
    );
    expect((service.spec?.ports as ServicePort[]).map((port) => port.port)).toContain(Number(upstream.port));
  });

  it('routes the Ingress to oauth2-proxy, and lets only it (and Prometheus) reach the agent', () => {
    const ingress = find(resources, 'Ingress', 'port-yard');
    const rules = ingress.spec?.rules as {
      http: { paths: { backend: { service: { name: string; port: { name?: string; number?: number } } } }[] };
    }[];
    const backend = rules[0]!.http.paths[0]!.backend.service;
    const service = find(resources, 'Service', backend.name);
    const proxySpec = deploymentSpec(find(resources, 'Deployment', 'oauth2-proxy'));
    expect(
      selects(service.spec?.selector as Record<string, string>, proxySpec.template.metadata?.labels),
    ).toBe(true);
    const servicePorts = service.spec?.ports as ServicePort[];
    expect(
      servicePorts.some((port) => port.name === backend.port.name || port.port === backend.port.number),
    ).toBe(true);

    const policy = find(resources, 'NetworkPolicy', 'port-yard');
    const podSelector = policy.spec?.podSelector as { matchLabels: Record<string, string> };
    expect(selects(podSelector.matchLabels, spec.template.metadata?.labels)).toBe(true);
    const rulesIn = policy.spec?.ingress as {
      from: { podSelector?: { matchLabels: Record<string, string> } }[];
      ports: { port: number }[];
    }[];
    const fromProxy = rulesIn.find((rule) =>
      rule.from.some((from) => selects(from.podSelector?.matchLabels, proxySpec.template.metadata?.labels)),
    );
    expect(fromProxy?.ports.map((port) => port.port)).toContain(agentPort);
  });

  // It was in auth-proxy/ only: applied alone, the base trusted X-Forwarded-User from the whole
  // pod network with nothing in front, and any pod could make itself an operator.
  it('restricts who reaches the agent in the base, not only with the proxy', () => {
    const base = files.find(({ file }) => file === 'kustomization.yaml')!.documents[0]!;
    const listed = base.resources!.map((entry) => join(manifestsRoot, entry));
    const policyFile = files.find(({ documents }) => documents.some((doc) => doc.kind === 'NetworkPolicy'))!;
    expect(listed).toContain(join(manifestsRoot, policyFile.file));
    const rulesIn = find(resources, 'NetworkPolicy', 'port-yard').spec?.ingress as {
      from: { podSelector?: { matchLabels: Record<string, string> } }[];
    }[];
    // Every rule names the pods it lets in: a whole namespace could send the headers too.
    for (const rule of rulesIn)
      for (const from of rule.from) expect(from.podSelector?.matchLabels).toBeDefined();
  });

  it('refers only to Secrets and ConfigMaps that exist, with the keys it uses', () => {
    const deployments = resources.filter((resource) => resource.kind === 'Deployment');
    for (const deployment of deployments) {
      const podSpec = deploymentSpec(deployment).template.spec;
      for (const volume of podSpec.volumes ?? []) {
        if (volume.secret) find(resources, 'Secret', volume.secret.secretName);
        if (volume.configMap) find(resources, 'ConfigMap', volume.configMap.name);
      }
      for (const variable of podSpec.containers.flatMap((container) => container.env ?? [])) {
        const ref = variable.valueFrom?.secretKeyRef;
        if (ref) expect(keysOf(find(resources, 'Secret', ref.name)), variable.name).toHaveProperty([ref.key]);
      }
    }
  });
});

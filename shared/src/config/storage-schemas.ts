import { z } from 'zod';

/**
 * Storage backends in the config, by `type`. Each backend's keys are a public contract: add
 * freely, never change a meaning. Secrets (`secretAccessKey`, `password`, `passphrase`) may be
 * given inline, as `${ENV}`, or through the matching `...File` key.
 */
const secretText = z.string().min(1, 'must not be empty');
const optionalPath = z.string().min(1).optional();

export const filesystemStorageSchema = z
  .strictObject({
    type: z.literal('filesystem'),
    path: z
      .string()
      .min(1)
      .describe('Directory that holds the artifacts (created if missing). Relative to the config file.'),
    createRoot: z
      .boolean()
      .default(true)
      .describe(
        'Create path when it is missing (default). false: it must exist, so that a share that is not mounted fails the backup instead of filling the local disk under its mount point.',
      ),
  })
  .describe('A local or mounted directory (NFS, SMB, a Kubernetes volume).');

export const s3StorageSchema = z
  .strictObject({
    type: z.literal('s3'),
    bucket: z.string().min(3).max(63).describe('Bucket name.'),
    prefix: z
      .string()
      .regex(/^(?!\/)/, 'must not start with /')
      .default('')
      .describe('Key prefix inside the bucket, e.g. port-yard/ (a trailing / is added when missing).'),
    region: z
      .string()
      .min(1)
      .default('us-east-1')
      .describe('Region (most S3-compatible stores accept us-east-1).'),
    endpoint: z
      .url()
      // It is shown (config check, the API's agent info) as it is: no secret may hide in it.
      .refine(
        (url) => {
          const parsed = URL.parse(url); // (not a URL: reported by z.url() already)
          return !parsed || (parsed.username === '' && parsed.password === '');
        },
        {
          message: 'must not hold a user name or password: give them as accessKeyId and secretAccessKey',
        },
      )
      // Nor a query (`?token=`): the SDK sends requests to the endpoint's origin and path only.
      .refine((url) => !URL.parse(url)?.search && !URL.parse(url)?.hash, {
        message: 'must not hold a query or a fragment (?… or #…): give the scheme, host, port and path only',
      })
      .optional()
      .describe('Endpoint URL of an S3-compatible store; omit for AWS.'),
    forcePathStyle: z
      .boolean()
      .default(false)
      .describe(
        'Path-style URLs (endpoint/bucket/key): needed by MinIO, Garage, Ceph and most self-hosted stores.',
      ),
    accessKeyId: z
      .string()
      .min(1)
      .optional()
      .describe('Access key id; omit both keys to use the SDK default chain (IAM roles, env, profiles).'),
    secretAccessKey: secretText.optional().describe('Secret access key; use ${ENV} or secretAccessKeyFile.'),
    secretAccessKeyFile: optionalPath.describe('File holding the secret access key.'),
    sessionToken: secretText.optional().describe('Session token for temporary credentials.'),
    checksums: z
      .enum(['when-required', 'when-supported'])
      .optional()
      .describe(
        "The SDK's request/response checksums. Default: when-required with a custom endpoint (many S3-compatible stores corrupt or reject aws-chunked uploads otherwise), when-supported on AWS.",
      ),
    storageClass: z
      .string()
      .min(1)
      .optional()
      .describe('Storage class of uploaded objects, e.g. STANDARD_IA.'),
    serverSideEncryption: z
      .enum(['AES256', 'aws:kms'])
      .optional()
      .describe('Server-side encryption of uploaded objects.'),
    kmsKeyId: z.string().min(1).optional().describe('KMS key for serverSideEncryption: aws:kms.'),
    partSizeMiB: z
      .int()
      .min(5)
      .max(5120)
      .default(8)
      .describe(
        'Multipart part size in MiB. Memory is about partSizeMiB x (parallelParts + 1); an object has at most 10,000 parts, so the default 8 MiB allows 80 GiB per compressed dump: raise it for larger ones.',
      ),
    parallelParts: z.int().min(1).max(32).default(4).describe('Parts uploaded at once.'),
    maxAttempts: z
      .int()
      .min(1)
      .max(20)
      .default(5)
      .describe('Attempts per request on throttling, 5xx and network errors.'),
  })
  .superRefine((storage, ctx) => {
    if (
      (storage.accessKeyId === undefined) !==
      (storage.secretAccessKey === undefined && storage.secretAccessKeyFile === undefined)
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['accessKeyId'],
        message:
          'give accessKeyId and secretAccessKey (or secretAccessKeyFile) together, or neither for the SDK default chain',
      });
    }
    if (storage.secretAccessKey !== undefined && storage.secretAccessKeyFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['secretAccessKeyFile'],
        message: 'give secretAccessKey or secretAccessKeyFile, not both',
      });
    }
    if (storage.kmsKeyId !== undefined && storage.serverSideEncryption !== 'aws:kms') {
      ctx.addIssue({
        code: 'custom',
        path: ['kmsKeyId'],
        message: 'only applies with serverSideEncryption: aws:kms',
      });
    }
  })
  .describe(
    'An S3-compatible bucket (AWS S3, MinIO, Garage, Ceph, Backblaze B2, Cloudflare R2, Wasabi, ...).',
  );

export const sftpStorageSchema = z
  .strictObject({
    type: z.literal('sftp'),
    host: z.string().min(1).describe('SSH server host name or address.'),
    port: z.int().min(1).max(65535).default(22).describe('SSH port.'),
    user: z.string().min(1).describe('SSH user.'),
    password: secretText.optional().describe('Password authentication; use ${ENV} or passwordFile.'),
    passwordFile: optionalPath.describe('File holding the password.'),
    privateKeyFile: optionalPath.describe('Private key file (OpenSSH format) for key authentication.'),
    passphrase: secretText.optional().describe('Passphrase of the private key.'),
    passphraseFile: optionalPath.describe('File holding the passphrase.'),
    hostKey: z
      .string()
      .regex(
        /^SHA256:[A-Za-z0-9+/]{43}=?$/,
        'must be a SHA256 fingerprint as ssh-keygen -lf prints it (SHA256:...)',
      )
      .describe(
        "The server's host key fingerprint (ssh-keygen -lf /etc/ssh/ssh_host_ed25519_key.pub): any other key is refused.",
      ),
    path: z.string().min(1).describe('Folder on the server that holds the artifacts (created if missing).'),
  })
  .superRefine((storage, ctx) => {
    const auth = [storage.password, storage.passwordFile, storage.privateKeyFile].filter(
      (value) => value !== undefined,
    );
    if (auth.length === 0)
      ctx.addIssue({
        code: 'custom',
        path: ['privateKeyFile'],
        message: 'give privateKeyFile, password or passwordFile',
      });
    if (storage.password !== undefined && storage.passwordFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['passwordFile'],
        message: 'give password or passwordFile, not both',
      });
    }
    if (storage.passphrase !== undefined && storage.passphraseFile !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['passphraseFile'],
        message: 'give passphrase or passphraseFile, not both',
      });
    }
  })
  .describe('A folder on an SSH server (a NAS, a second machine).');

export const rcloneStorageSchema = z
  .strictObject({
    type: z.literal('rclone'),
    remote: z
      .string()
      .regex(/^[A-Za-z0-9_. -]+:.*$/, 'must be an rclone remote path such as gdrive:backups/port-yard')
      .describe('rclone remote and path, e.g. gdrive:backups/port-yard.'),
    configFile: optionalPath.describe("rclone.conf holding the remote (default: rclone's own default)."),
    rcloneCommand: z.string().min(1).default('rclone').describe('The rclone executable.'),
  })
  .describe(
    'Any provider rclone reaches (Google Drive, OneDrive, B2, WebDAV, SMB, ...), through the rclone CLI.',
  );

export const storageSchema = z.discriminatedUnion('type', [
  filesystemStorageSchema,
  s3StorageSchema,
  sftpStorageSchema,
  rcloneStorageSchema,
]);

export type StorageConfig = z.infer<typeof storageSchema>;
export type FilesystemStorageConfig = z.infer<typeof filesystemStorageSchema>;
export type S3StorageConfig = z.infer<typeof s3StorageSchema>;
export type SftpStorageConfig = z.infer<typeof sftpStorageSchema>;
export type RcloneStorageConfig = z.infer<typeof rcloneStorageSchema>;

import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, net, protocol, session, shell } from 'electron';
import { channels } from '../ipc/channels.ts';
import { createAgentCredentials } from './agent-credentials.ts';
import { createAgentRegistry } from './agent-registry.ts';
import { appFile, appScheme, isAppUrl, originOf, packagedOrigin, permissionAllowed } from './app-pages.ts';
import { contentSecurityPolicy, sourcesMissingFrom } from './content-security-policy.ts';
import { createDownloadManager } from './download-manager.ts';
import { endAgentSession } from './end-agent-session.ts';
import { registerIpcHandlers } from './ipc.ts';
import { createSystemKeychain } from './keychain.ts';
import { createOidcSignIn } from './oidc-loopback.ts';
import { createWebRequestHooks } from './web-request.ts';

/**
 * The Electron main process: wiring only (STYLE.md habit 11). Every decision it applies (which
 * requests get a token, CORS, the CSP, which pages and senders are trusted, downloads, the
 * keychain, OIDC) lives in a module the tests run under Node; this file cannot run here.
 */
// electron-vite's dev server, in development only: a packaged app started with this variable set
// would trust any page it names, and hand it the agents' tokens.
const devServer = app.isPackaged ? undefined : process.env['ELECTRON_RENDERER_URL'];
const appOrigin = (devServer && originOf(devServer)) || packagedOrigin;
const rendererRoot = fileURLToPath(new URL('../renderer', import.meta.url));
// Sandboxed preloads cannot be ES modules: electron-vite builds this one as CommonJS.
const preload = fileURLToPath(new URL('../preload/index.cjs', import.meta.url));

protocol.registerSchemesAsPrivileged([
  {
    scheme: appScheme,
    privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
  },
]);
app.enableSandbox();

// Every web contents, including any a page might try to create: no windows, no foreign pages.
app.on('web-contents-created', (_event, contents) => {
  contents.setWindowOpenHandler(() => ({ action: 'deny' }));
  const stayHome = (event: { preventDefault(): void }, url: string): void => {
    if (!isAppUrl(url, appOrigin)) event.preventDefault();
  };
  contents.on('will-navigate', stayHome);
  contents.on('will-redirect', stayHome);
  contents.on('will-attach-webview', (event) => event.preventDefault());
});
app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

// One instance: two would write the same agent list.
if (!app.requestSingleInstanceLock()) app.quit();
else
  app
    .whenReady()
    .then(start)
    .catch((error: unknown) => {
      dialog.showErrorBox('Port-Yard cannot start', (error as Error).message);
      app.quit();
    });

async function start(): Promise<void> {
  const agents = createAgentRegistry({
    file: join(app.getPath('userData'), 'agents.json'),
    keychain: await createSystemKeychain(),
  });
  const credentials = createAgentCredentials(agents);
  await credentials.refresh();
  const policy = (): string => contentSecurityPolicy({ agents: credentials.current(), devServer });
  let servedPolicy = policy();
  let mainWindow: BrowserWindow | undefined;

  protocol.handle(appScheme, async (request) => {
    const file = appFile(rendererRoot, request.url);
    if (!file) return new Response('not found', { status: 404 });
    const found = await net.fetch(pathToFileURL(file).href).catch(() => undefined);
    if (!found?.ok) return new Response('not found', { status: 404 });
    const headers = new Headers(found.headers);
    const current = policy();
    if (file.endsWith('index.html')) servedPolicy = current;
    headers.set('content-security-policy', current);
    headers.set('x-content-type-options', 'nosniff');
    return new Response(found.body, { status: 200, headers });
  });

  const hooks = createWebRequestHooks({
    appOrigin,
    agents: credentials.current,
    policy,
    onPolicyServed: (served) => (servedPolicy = served),
  });
  const { webRequest } = session.defaultSession;
  webRequest.onBeforeSendHeaders((details, callback) => callback(hooks.beforeSendHeaders(details)));
  webRequest.onHeadersReceived((details, callback) => callback(hooks.headersReceived(details)));
  session.defaultSession.setPermissionRequestHandler((_contents, permission, callback, details) =>
    callback(permissionAllowed(permission, details.requestingUrl, appOrigin)),
  );
  session.defaultSession.setPermissionCheckHandler((_contents, permission, requestingOrigin) =>
    permissionAllowed(permission, requestingOrigin, appOrigin),
  );

  const downloads = createDownloadManager({
    agents,
    chooseDestination: async (suggestedName) => {
      const options = { defaultPath: join(app.getPath('downloads'), suggestedName) };
      const chosen = mainWindow
        ? await dialog.showSaveDialog(mainWindow, options)
        : await dialog.showSaveDialog(options);
      return chosen.canceled || !chosen.filePath ? undefined : chosen.filePath;
    },
    onProgress: (progress) => mainWindow?.webContents.send(channels.downloadsProgress, progress),
  });
  const oidc = createOidcSignIn({ agents, openExternal: (url) => shell.openExternal(url) });
  registerIpcHandlers({
    ipc: ipcMain,
    appOrigin,
    agents,
    downloads,
    signInWithOidc: (agentId) => oidc.signIn(agentId),
    cancelOidcSignIn: (agentId) => oidc.cancel(agentId),
    endSession: async (agentId) => {
      const entry = await agents.get(agentId);
      if (entry) await endAgentSession({ url: entry.url, token: await agents.token(agentId) });
    },
    onAgentsChanged: async () => {
      await credentials.refresh();
      // A new agent's origin is not in the page's CSP yet: reload once the reply is out.
      if (sourcesMissingFrom(servedPolicy, credentials.current()).length > 0)
        setTimeout(() => mainWindow?.webContents.reload(), 0);
    },
  });

  const open = (): void => {
    mainWindow = createWindow();
    mainWindow.on('closed', () => (mainWindow = undefined));
  };
  open();
  app.on('activate', () => {
    if (!mainWindow) open();
  });
  app.on('second-instance', () => mainWindow?.focus());
}

function createWindow(): BrowserWindow {
  const window = new BrowserWindow({
    width: 1280,
    height: 800,
    minWidth: 1024,
    minHeight: 640,
    show: false,
    title: 'Port-Yard',
    webPreferences: {
      preload,
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      webSecurity: true,
      webviewTag: false,
      spellcheck: false,
    },
  });
  window.once('ready-to-show', () => window.show());
  void window.loadURL(devServer ?? `${packagedOrigin}/index.html`);
  return window;
}

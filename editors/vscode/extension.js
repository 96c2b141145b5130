// The DDM extension: the language's highlighting (contributed in package.json) and a
// client that starts the `ddm lsp` language server over stdio for every .ddm file.
'use strict';

const path = require('path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

let client;

function workspaceFolder() {
  const folders = vscode.workspace.workspaceFolders;
  return folders && folders.length ? folders[0].uri.fsPath : undefined;
}

// `${workspaceFolder}` in a setting becomes the first workspace folder.
function expand(value) {
  const folder = workspaceFolder();
  return folder ? value.split('${workspaceFolder}').join(folder) : value;
}

function settings() {
  const config = vscode.workspace.getConfiguration('ddm');
  const command = (config.get('server.command') || ['ddm', 'lsp']).map(expand);
  let catalogue = expand(config.get('server.catalogue') || '');
  if (catalogue && !path.isAbsolute(catalogue) && workspaceFolder()) {
    catalogue = path.join(workspaceFolder(), catalogue);
  }
  return { command, catalogue };
}

async function start() {
  const { command, catalogue } = settings();
  if (!command.length) {
    vscode.window.showErrorMessage('DDM: the setting ddm.server.command is empty.');
    return;
  }
  const serverOptions = {
    command: command[0],
    args: command.slice(1),
    transport: TransportKind.stdio,
    options: { cwd: workspaceFolder() },
  };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'ddm' },
      { scheme: 'untitled', language: 'ddm' },
    ],
    initializationOptions: catalogue ? { catalogue } : {},
  };
  client = new LanguageClient('ddm', 'DDM language server', serverOptions, clientOptions);
  try {
    await client.start();
  } catch (err) {
    client = undefined;
    vscode.window.showErrorMessage(
      `DDM: could not start the language server (${command.join(' ')}): ${err.message || err}. ` +
      'Install ddm_lang (and pygls) where that command runs, or set ddm.server.command.');
  }
}

async function stop() {
  if (client) {
    const running = client;
    client = undefined;
    await running.stop();
  }
}

async function restart() {
  await stop();
  await start();
}

function activate(context) {
  context.subscriptions.push(
    vscode.commands.registerCommand('ddm.restartServer', restart),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (event.affectsConfiguration('ddm.server')) {
        restart();
      }
    }),
  );
  return start();
}

function deactivate() {
  return stop();
}

module.exports = { activate, deactivate };

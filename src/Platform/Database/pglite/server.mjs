// OptLib's embedded PostgreSQL: PGlite (PostgreSQL compiled to WASM) with pgvector, served over the wire protocol.
// Started and supervised by OptLib.Library's EmbeddedPostgres; it is not meant to be run by hand.
//
//   node server.mjs --data <dir|memory://> --port <n> [--max-connections <n>] [--template-dir <dir>]
//
// With memory:// and --template-dir, a fresh database is started from a snapshot of an initialised one, kept in that
// folder per PGlite version and written by the first start that finds none: initdb is most of a fresh start.
//
// It prints one line "OPTLIB_PGLITE_READY <port>" once it accepts connections, and shuts down cleanly (flushing the
// data directory) when its standard input closes, which is also how it follows its parent's death, or 45 s after
// SIGTERM or SIGINT.
import { PGlite } from '@electric-sql/pglite';
import { vector } from '@electric-sql/pglite-pgvector';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';

function option(name, fallback) {
  const at = process.argv.indexOf(`--${name}`);
  return at >= 0 && at + 1 < process.argv.length ? process.argv[at + 1] : fallback;
}

const dataDir = option('data', 'memory://');
const port = Number(option('port', '0'));
const maxConnections = Number(option('max-connections', '10'));
const templateDir = option('template-dir', null);

let db;
let server;
let stopping = false;

async function stop(code) {
  if (stopping) return;
  stopping = true;
  try {
    if (server) await server.stop();
    if (db) await db.close();
  } catch (error) {
    console.error(`OPTLIB_PGLITE_ERROR while stopping: ${error?.message ?? error}`);
  } finally {
    process.exit(code);
  }
}

// A terminal's Ctrl+C, `timeout` and systemd signal the whole process group, so a signal usually reaches this server
// while the service is still shutting down and needs its database (Hangfire, for one, removes its servers last).
// A signal therefore only starts a grace period, longer than the service's 30 s shutdown timeout; the service closes
// standard input when it is done, and that stops the server at once.
const signalGraceMs = 45_000;
let graceTimer = null;
function stopAfterGrace() {
  graceTimer ??= setTimeout(() => stop(0), signalGraceMs);
}

process.on('SIGTERM', stopAfterGrace);
process.on('SIGINT', stopAfterGrace);
process.stdin.on('end', () => stop(0));
process.stdin.on('error', () => stop(0));
process.stdin.resume();

// PGlite is one PostgreSQL session. pglite-socket multiplexes every client connection onto it and queues protocol
// messages one by one, keeping a connection's turn only while a transaction is open. That lets two connections'
// extended-protocol exchanges (Parse/Bind/Execute ... Sync) interleave, and one then loses its unnamed portal
// ("portal does not exist"). Here a connection keeps the session from its first message until an exchange ends
// (Sync, a simple Query, or the start-up packet) outside a transaction.
const SYNC = 0x53;
const QUERY = 0x51;
const STARTUP = 0x00;

function serializeExchanges(queue) {
  queue.owner = null;
  queue.processQueue = async function processQueue() {
    if (this.processing || this.queue.length === 0) return;
    this.processing = true;
    try {
      while (this.queue.length > 0) {
        const index = this.owner === null ? 0 : this.queue.findIndex((q) => q.handlerId === this.owner);
        if (index === -1) break; // the owner's next message has not arrived yet
        const item = this.queue.splice(index, 1)[0];
        let bytes = 0;
        try {
          await this.db.runExclusive(() =>
            this.db.execProtocolRawStream(item.message, {
              onRawData: (data) => {
                bytes += data.length;
                item.onData(data);
              },
            }));
        } catch (error) {
          this.owner = null;
          item.reject(error);
          continue;
        }
        const type = item.message[0];
        const endsExchange = type === SYNC || type === QUERY || type === STARTUP;
        this.owner = endsExchange && !this.db.isInTransaction() ? null : item.handlerId;
        this.lastHandlerId = item.handlerId;
        item.resolve(bytes);
      }
    } finally {
      this.processing = false;
    }
  };
  queue.clearTransactionIfNeeded = async function clearTransactionIfNeeded(handlerId) {
    if (this.owner !== handlerId) return;
    if (this.db.isInTransaction()) await this.db.exec('ROLLBACK');
    this.owner = null;
    this.lastHandlerId = null;
    await this.processQueue();
  };
}

// A fresh in-memory database, from the snapshot when there is one; the first start without one writes it (to a file
// of its own first, then renamed, so a start running at the same moment never reads half a snapshot).
async function open() {
  if (dataDir !== 'memory://' || !templateDir) return PGlite.create({ dataDir, extensions: { vector } });
  const { version } = JSON.parse(await readFile(new URL('./node_modules/@electric-sql/pglite/package.json', import.meta.url), 'utf8'));
  const template = path.join(templateDir, `pglite-${version}.tar`);
  try {
    const snapshot = new Blob([await readFile(template)]);
    return await PGlite.create({ loadDataDir: snapshot, extensions: { vector } });
  } catch (error) {
    if (error?.code !== 'ENOENT') console.error(`OPTLIB_PGLITE_WARNING the snapshot ${template} could not be used (${error?.message ?? error}); starting fresh`);
  }
  const fresh = await PGlite.create({ dataDir, extensions: { vector } });
  try {
    const dump = await fresh.dumpDataDir('none');
    await mkdir(templateDir, { recursive: true });
    const partial = `${template}.${process.pid}.partial`;
    await writeFile(partial, Buffer.from(await dump.arrayBuffer()));
    await rename(partial, template);
  } catch (error) {
    console.error(`OPTLIB_PGLITE_WARNING could not write the snapshot ${template} (${error?.message ?? error})`);
  }
  return fresh;
}

try {
  db = await open();
  server = new PGLiteSocketServer({ db, port, host: '127.0.0.1', maxConnections });
  serializeExchanges(server.queryQueue);
  await server.start();
  console.log(`OPTLIB_PGLITE_READY ${port}`);
} catch (error) {
  console.error(`OPTLIB_PGLITE_ERROR ${error?.message ?? error}`);
  await stop(1);
}

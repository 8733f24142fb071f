// `workshop room [--port N] [--host ADDRESS]`: serves the room board until Ctrl+C.
import { networkInterfaces } from 'node:os';
import { join } from 'node:path';
import { EXIT } from '../../labs/workshop-error.ts';
import { cacheRoot } from '../../sandbox/jars.ts';
import { parseCommandArgs } from '../command-args.ts';
import { numberOption } from '../number-option.ts';
import { DEFAULT_ROOM_PORT, startRoom } from './room-server.ts';

/** This machine's IPv4 addresses on its networks (the loopback left out). */
function lanAddresses(): string[] {
  const addresses = Object.values(networkInterfaces())
    .flat()
    .filter((a) => a !== undefined && a.family === 'IPv4' && !a.internal)
    .map((a) => a!.address);
  return addresses.length > 0 ? addresses : ['127.0.0.1'];
}

export async function roomCommand(args: string[]): Promise<number> {
  const { values } = parseCommandArgs('room', { args, options: { port: { type: 'string' }, host: { type: 'string' } } });
  const stateFile = join(cacheRoot(), 'room', 'board.json');
  const room = await startRoom({ port: numberOption(values.port, '--port', 0, 65535) ?? DEFAULT_ROOM_PORT, host: values.host, stateFile });
  const everywhere = values.host === '0.0.0.0' || values.host === '::';
  // Listening on every address: participants need this machine's LAN address, not 127.0.0.1.
  const joinUrls = everywhere ? lanAddresses().map((address) => room.joinUrl.replace('127.0.0.1', address)) : [room.joinUrl];
  const lan = values.host === undefined ? '\nOnly this machine can reach it: for the room, start it with --host 0.0.0.0.' : '';
  console.log(
    [
      `Room board: ${room.url} (join code ${room.board.code}; kept in ${stateFile}, so a restart loses nothing)${lan}`,
      ...joinUrls.map((url) => `Participants run: npx workshop check <lab> --room ${url} --name "Their name"`),
      'Ctrl+C stops it.',
    ].join('\n'),
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await room.close();
  return EXIT.passed.code;
}

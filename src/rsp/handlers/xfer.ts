import { aarch64TargetXml } from '../target-xml';
import type { Command } from '../packets/command';
import { Errno, TargetError } from '../target-error';
import { cpuToTid } from '../thread-id';
import type { ReplyBuilder } from '../writer';
import { REPLY, type HandlerContext, type HandlerStatus } from './context';
import { extraInfo, threadName } from './threads';

/** target.xml, built once (it depends on nothing but the register table). */
const TARGET_XML = Buffer.from(aarch64TargetXml(), 'ascii');

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * The qXfer:threads:read document (gdb manual, "Thread List Format"): one `<thread>` per
 * CPU with its id (hex), `core` (decimal, as gdbserver writes it), `name` (`CPU#n`) and the
 * extra info as text.
 */
function threadsXml(ctx: HandlerContext): Uint8Array {
  const lines = ['<?xml version="1.0"?>', '<threads>'];
  for (const cpu of ctx.caps.base.listCpus()) {
    const id = cpuToTid(cpu).toString(16);
    const extra = xmlEscape(extraInfo(ctx, cpu));
    lines.push(`<thread id="${id}" core="${cpu}" name="${xmlEscape(threadName(cpu))}">${extra}</thread>`);
  }
  lines.push('</threads>', '');
  return Buffer.from(lines.join('\n'), 'utf8');
}

/**
 * `qXfer:features:read:target.xml:offset,length` and `qXfer:threads:read::offset,length`
 * (gdb manual, "General Query Packets", qXfer): `m` + data when more follows, `l` + data for
 * the last chunk (`l` alone past the end), the data binary-escaped. Chunks are at most
 * `length` bytes and at most the PacketSize. An unknown annex is `E00` (the manual's reply
 * for it). Other objects (auxv, libraries, exec-file, memory-map…) are not advertised and
 * get the empty reply: nothing here reads host files.
 * The threads document is rebuilt when gdb starts reading it (offset 0), so all chunks of
 * one read come from the same snapshot; a refused read (offset past the end) keeps none.
 */
export function handle_qXfer(ctx: HandlerContext, cmd: Extract<Command, { kind: 'qXfer' }>, out: ReplyBuilder): HandlerStatus {
  if (cmd.operation !== 'read') return REPLY;
  let doc: Uint8Array;
  if (cmd.object === 'features') {
    if (cmd.annex !== 'target.xml') throw TargetError.errno(0, `no feature document '${cmd.annex}'`);
    doc = TARGET_XML;
  } else if (cmd.object === 'threads') {
    if (cmd.annex !== '') throw TargetError.errno(0, 'qXfer:threads takes no annex');
    doc = cmd.offset === 0 || ctx.conn.threadsXml === undefined ? threadsXml(ctx) : ctx.conn.threadsXml;
  } else {
    return REPLY;
  }
  if (cmd.offset > doc.length) throw TargetError.errno(Errno.EINVAL, 'qXfer: offset past the end');
  // Kept only for a read that succeeds: a refused one leaves the connection as it was.
  if (cmd.object === 'threads') ctx.conn.threadsXml = doc;
  const end = Math.min(doc.length, cmd.offset + Math.min(cmd.length, ctx.packetSize - 1));
  out.text(end >= doc.length ? 'l' : 'm').binary(doc.subarray(cmd.offset, end));
  return REPLY;
}

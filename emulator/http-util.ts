/**
 * Small shared pieces of the emulator's HTTP layer: the Fastify instance type it builds and
 * query-string helpers.
 */
import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';

export type EmulatorApp = FastifyInstance<Server, IncomingMessage, ServerResponse, Logger>;
export type Query = Record<string, string | string[] | undefined>;

export function first(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

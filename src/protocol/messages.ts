import { z } from 'zod';
import { MeasurementSchema, MeasureSettingsSchema } from './measurement-schema.ts';

/**
 * The hub <-> agent/client protocol: one JSON object per WebSocket text message, `{v: 1, type, ...}`.
 * Agents run jobs on their boards; clients submit models to be measured. Both authenticate the same way
 * (see auth.ts): the hub speaks first with a `challenge`, the peer answers with `hello`.
 */

export const PROTOCOL_VERSION = 1;
/** Large enough for a microcontroller model (a few MB as base64), small enough to bound memory per peer. */
export const DEFAULT_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

const v = z.literal(PROTOCOL_VERSION);
const hex64 = z.string().regex(/^[0-9a-f]{64}$/);
const name = z.string().min(1).max(128);

export const BoardInfoSchema = z.strictObject({
  name,
  profile: name,
  /** Runner kind on the agent (e.g. "simulated", "serial"). */
  runner: name,
  firmware: z.string().min(1).max(128),
  sram_bytes: z.int().positive().optional(),
  flash_bytes: z.int().positive().optional(),
});
export type BoardInfo = z.infer<typeof BoardInfoSchema>;

export const ERROR_CODES = [
  'malformed',
  'unknown_type',
  'unsupported_version',
  'too_large',
  'not_authenticated',
  'auth_failed',
  'unexpected',
  'bad_sha256',
  'unknown_board',
  'runner_failed',
  'deadline_passed',
  'handed_back',
  'board_unresponsive',
  'refused',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];

const Challenge = z.strictObject({ v, type: z.literal('challenge'), nonce: hex64 });
const Welcome = z.strictObject({ v, type: z.literal('welcome'), heartbeat_ms: z.int().positive(), missed_beats: z.int().positive() });
const Ping = z.strictObject({ v, type: z.literal('ping'), seq: z.int().min(0) });
const Pong = z.strictObject({ v, type: z.literal('pong'), seq: z.int().min(0) });
const ErrorMsg = z.strictObject({
  v,
  type: z.literal('error'),
  code: z.enum(ERROR_CODES),
  message: z.string().max(4096),
  job_id: name.optional(),
  board: name.optional(),
  request_id: name.optional(),
});
const Hello = z.strictObject({
  v,
  type: z.literal('hello'),
  role: z.enum(['agent', 'client']),
  id: name,
  nonce: hex64,
  answer: hex64,
  boards: z.array(BoardInfoSchema).max(256),
});
const Job = z.strictObject({
  v,
  type: z.literal('job'),
  job_id: name,
  board: name,
  model_b64: z.base64(),
  sha256: hex64,
  settings: MeasureSettingsSchema,
  /** Epoch ms after which the hub has given the job to another board: the agent skips it if not yet started. */
  deadline: z.number(),
});
const Progress = z.strictObject({ v, type: z.literal('progress'), job_id: name, board: name, stage: z.enum(['started']) });
const Result = z.strictObject({ v, type: z.literal('result'), job_id: name, board: name, measurement: MeasurementSchema });
/** The agent is shutting down: no new jobs for its boards. */
const Draining = z.strictObject({ v, type: z.literal('draining') });
const Submit = z.strictObject({
  v,
  type: z.literal('submit'),
  request_id: name,
  model_b64: z.base64(),
  sha256: hex64,
  selector: name,
  settings: MeasureSettingsSchema,
  priority: z.int(),
});
const Outcome = z.strictObject({ v, type: z.literal('outcome'), request_id: name, measurement: MeasurementSchema });

/** What the hub sends to agents and clients. */
export const HubMessageSchema = z.discriminatedUnion('type', [Challenge, Welcome, Ping, ErrorMsg, Job, Outcome]);
/** What agents and clients send to the hub. */
export const PeerMessageSchema = z.discriminatedUnion('type', [Hello, Pong, ErrorMsg, Progress, Result, Draining, Submit]);

export type HubMessage = z.infer<typeof HubMessageSchema>;
export type PeerMessage = z.infer<typeof PeerMessageSchema>;
export type JobMessage = z.infer<typeof Job>;
export type ErrorMessage = z.infer<typeof ErrorMsg>;
export type HelloMessage = z.infer<typeof Hello>;

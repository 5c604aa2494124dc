import type { FieldProblem } from '../../shared/errors/index.js';
import type { VapiNumberKey } from '../number-directory.port.js';
import { MalformedVapiMessageError } from './vapi-webhook.errors.js';

/** What this service reads of a Vapi server message; every other field is ignored. */
export interface VapiMessage {
  type: string;
  callId: string | null;
  /** The ways the message names its phone number, in the order to trust them. */
  numberKeys: VapiNumberKey[];
  status: string | null;
  endedReason: string | null;
  durationSeconds: number | null;
  cost: number | null;
  startedAt: string | null;
  endedAt: string | null;
  timestamp: string;
}

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Reads the envelope `{ message: { type, call?, phoneNumber?, ... } }` that every server message has
 * (https://docs.vapi.ai/server-url/events). Fields we read must have the right type when present; a body
 * without a message or a type is malformed.
 */
export function parseVapiMessage(body: unknown): VapiMessage {
  const problems: FieldProblem[] = [];
  const message = isObject(body) ? body.message : undefined;
  if (!isObject(message)) {
    throw new MalformedVapiMessageError([{ field: 'message', message: 'must be an object' }]);
  }
  const optional = <T>(
    value: unknown,
    field: string,
    check: (v: unknown) => v is T,
    what: string,
  ): T | null => {
    if (value === undefined || value === null) return null;
    if (check(value)) return value;
    problems.push({ field, message: `must be ${what}` });
    return null;
  };
  const isString = (v: unknown): v is string =>
    typeof v === 'string' && v.length > 0 && v.length <= 255 && !/\p{Cc}/u.test(v);
  const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;
  const isTimestamp = (v: unknown): v is string | number =>
    (typeof v === 'string' || typeof v === 'number') && !Number.isNaN(new Date(v).getTime());

  const type = optional(message.type, 'message.type', isString, 'a string');
  if (type === null) problems.push({ field: 'message.type', message: 'is required' });
  const call = optional(message.call, 'message.call', isObject, 'an object');
  const phoneNumber = optional(message.phoneNumber, 'message.phoneNumber', isObject, 'an object');
  const callId = optional(call?.id, 'message.call.id', isString, 'a string');
  const callNumberId = optional(call?.phoneNumberId, 'message.call.phoneNumberId', isString, 'a string');
  const messageNumberId = optional(phoneNumber?.id, 'message.phoneNumber.id', isString, 'a string');
  const number = optional(phoneNumber?.number, 'message.phoneNumber.number', isString, 'a string');
  const status = optional(message.status, 'message.status', isString, 'a string');
  const endedReason = optional(message.endedReason, 'message.endedReason', isString, 'a string');
  const durationSeconds = optional(
    message.durationSeconds,
    'message.durationSeconds',
    isNumber,
    'a number ≥ 0',
  );
  const cost = optional(message.cost, 'message.cost', isNumber, 'a number ≥ 0');
  const startedAt = optional(message.startedAt, 'message.startedAt', isTimestamp, 'a timestamp');
  const endedAt = optional(message.endedAt, 'message.endedAt', isTimestamp, 'a timestamp');
  const timestamp = optional(message.timestamp, 'message.timestamp', isTimestamp, 'a timestamp');
  if (problems.length > 0) throw new MalformedVapiMessageError(problems);

  const iso = (value: string | number | null) => (value === null ? null : new Date(value).toISOString());
  const numberKeys: VapiNumberKey[] = [
    ...(callNumberId ? [{ vapiPhoneNumberId: callNumberId }] : []),
    ...(messageNumberId && messageNumberId !== callNumberId ? [{ vapiPhoneNumberId: messageNumberId }] : []),
    ...(number ? [{ number }] : []),
  ];
  return {
    type: type!,
    callId,
    numberKeys,
    status,
    endedReason,
    durationSeconds,
    cost,
    startedAt: iso(startedAt),
    endedAt: iso(endedAt),
    timestamp: iso(timestamp) ?? new Date().toISOString(),
  };
}

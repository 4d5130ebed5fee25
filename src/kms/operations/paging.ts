/**
 * Limit and Marker of the List* operations, checked alike: Limit within the operation's range,
 * Marker 1..1024 characters. A marker is a page token, so a refusal never shows it; what a valid
 * one decodes to is each operation's concern (InvalidMarkerException).
 */
import { validationError } from '../errors.js';
import { optInt, optString, type AwsBody } from './input.js';

const MAX_MARKER_LENGTH = 1024;

export interface PageRequest {
  limit: number;
  marker?: string;
}

export function readPage(body: AwsBody, defaultLimit: number, maxLimit: number): PageRequest {
  const limit = optInt(body, 'Limit') ?? defaultLimit;
  if (limit < 1) throw validationError([{ member: 'limit', value: limit, constraint: 'Member must have value greater than or equal to 1' }]);
  if (limit > maxLimit) throw validationError([{ member: 'limit', value: limit, constraint: `Member must have value less than or equal to ${maxLimit}` }]);
  const marker = optString(body, 'Marker');
  if (marker !== undefined && marker.length < 1) throw validationError([{ member: 'marker', constraint: 'Member must have length greater than or equal to 1' }]);
  if (marker !== undefined && marker.length > MAX_MARKER_LENGTH) throw validationError([{ member: 'marker', constraint: `Member must have length less than or equal to ${MAX_MARKER_LENGTH}` }]);
  return marker === undefined ? { limit } : { limit, marker };
}

/**
 * CloudTrail's rule for a trail's name (CreateTrail): 3–128 ASCII letters, digits, periods,
 * underscores or dashes, starting and ending with a letter or digit, no two of `.`, `_`, `-`
 * together, and not in IP address form. The configuration and the CloudTrail API hold names to it.
 */
const TRAIL_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9]|[._-](?![._-]))*[A-Za-z0-9]$/;
const IP_ADDRESS = /^\d{1,3}(?:\.\d{1,3}){3}$/;

export const TRAIL_NAME_RULE = '3 to 128 letters, numbers, periods (.), underscores (_) or dashes (-), starting and ending with a letter or number, with no adjacent periods, underscores or dashes, and not an IP address';

export const isTrailName = (name: string): boolean => name.length >= 3 && name.length <= 128 && TRAIL_NAME.test(name) && !IP_ADDRESS.test(name);

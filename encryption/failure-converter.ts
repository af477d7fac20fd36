/**
 * Failure messages and stack traces are stored in the history too, and they can name people
 * ("users.insert admin@… failed"). Encoded as a payload, they pass through the encrypting codec.
 * Loaded by path (`failureConverterPath`) so that the workflow sandbox uses it as well.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });

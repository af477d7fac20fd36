/**
 * A PUBLIC, TEST-ONLY encryption key: the tests and the recorded histories in test/histories/ are
 * encrypted with it so that CI can replay them. It protects nothing; never configure it anywhere.
 */
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec, type CodecOptions, type EncryptionKey } from '../../encryption/codec';
import { FAILURE_CONVERTER_PATH } from '../../encryption/keys';

export const FIXTURE_KEYS: EncryptionKey[] = [{ id: 'test-fixture-2026', key: new Uint8Array(32).fill(7) }];

/** The fixture key's converter; `options` set the codec as a worker's settings would (e.g. `requireEncrypted`). */
export function fixtureDataConverter(options: CodecOptions = {}): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(FIXTURE_KEYS, options)],
    failureConverterPath: FAILURE_CONVERTER_PATH,
  };
}

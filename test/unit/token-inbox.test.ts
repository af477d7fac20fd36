/**
 * Why this file exists: the transfer-token inbox decides which caller of `provideTransferToken`
 * hears what (transferred, refused, replaced, not needed) and how many tokens the status reports
 * as tried. It is plain state, so its rules are pinned here without any Temporal server.
 */
import type { TransferTokenOutcome } from '../../workflows/messages';
import { TokenInbox } from '../../workflows/onboarding/token-inbox';

const refused: TransferTokenOutcome = { outcome: 'refused', message: 'Google said no' };
const transferred: TransferTokenOutcome = { outcome: 'transferred', message: '2 subscription(s) transferred' };

describe('TokenInbox', () => {
  test('a submitted token waits, unsettled, until it is taken', () => {
    const inbox = new TokenInbox();
    expect(inbox.hasPending()).toBe(false);
    const id = inbox.submit('token-one-aaaa');
    expect(inbox.hasPending()).toBe(true);
    expect(inbox.isSettled(id)).toBe(false);
    expect(inbox.outcome(id)).toBeUndefined();
    expect(inbox.take()).toEqual({ id, token: 'token-one-aaaa' });
    expect(inbox.hasPending()).toBe(false);
    expect(inbox.isSettled(id)).toBe(false); // in flight, not answered yet
  });

  test("each submission gets a new number, starting at 1 (0 is the order's own token)", () => {
    const inbox = new TokenInbox();
    const first = inbox.submit('token-one-aaaa');
    const second = inbox.submit('token-two-bbbb');
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(first);
  });

  test('a newer token replaces one not yet tried, which is answered "refused" at once', () => {
    const inbox = new TokenInbox();
    const older = inbox.submit('token-one-aaaa');
    const newer = inbox.submit('token-two-bbbb');
    expect(inbox.isSettled(older)).toBe(true);
    expect(inbox.outcome(older)).toMatchObject({ outcome: 'refused', message: expect.stringContaining('replaced') });
    expect(inbox.isSettled(newer)).toBe(false);
    expect(inbox.take()).toEqual({ id: newer, token: 'token-two-bbbb' });
    expect(inbox.take()).toBeUndefined();
  });

  test('a token submitted while another is in flight does not disturb the one in flight', () => {
    const inbox = new TokenInbox();
    const first = inbox.submit('token-one-aaaa');
    inbox.take();
    const second = inbox.submit('token-two-bbbb');
    expect(inbox.isSettled(first)).toBe(false);
    inbox.settleInFlight(refused);
    expect(inbox.outcome(first)).toEqual(refused);
    expect(inbox.isSettled(second)).toBe(false);
    expect(inbox.take()).toEqual({ id: second, token: 'token-two-bbbb' });
  });

  test('take on an empty inbox returns nothing and counts nothing', () => {
    const inbox = new TokenInbox();
    expect(inbox.take()).toBeUndefined();
    expect(inbox.tried).toBe(0);
  });

  test("tried counts the tokens taken, the order's own included, on top of earlier runs'", () => {
    const inbox = new TokenInbox(3);
    expect(inbox.tried).toBe(3);
    inbox.takeOrdered('order-token-cccc');
    expect(inbox.tried).toBe(4);
    inbox.settleInFlight(refused);
    inbox.submit('token-one-aaaa');
    inbox.submit('token-two-bbbb'); // replaces the first: never tried
    inbox.take();
    expect(inbox.tried).toBe(5);
  });

  test("the order's token is number 0 and is settled like any other", () => {
    const inbox = new TokenInbox();
    expect(inbox.takeOrdered('order-token-cccc')).toEqual({ id: 0, token: 'order-token-cccc' });
    expect(inbox.isSettled(0)).toBe(false);
    inbox.settleInFlight(transferred);
    expect(inbox.outcome(0)).toEqual(transferred);
  });

  test('settleInFlight answers only the token in flight, and only once', () => {
    const inbox = new TokenInbox();
    const id = inbox.submit('token-one-aaaa');
    inbox.settleInFlight(refused); // nothing in flight yet: the pending token is untouched
    expect(inbox.isSettled(id)).toBe(false);
    inbox.take();
    inbox.settleInFlight(transferred);
    expect(inbox.outcome(id)).toEqual(transferred);
    inbox.settleInFlight(refused); // nothing in flight any more
    expect(inbox.outcome(id)).toEqual(transferred);
  });

  test('settleAll answers the waiting and the in-flight token, and leaves earlier answers alone', () => {
    const inbox = new TokenInbox();
    const done = inbox.submit('token-one-aaaa');
    inbox.take();
    inbox.settleInFlight(refused);
    const inFlight = inbox.submit('token-two-bbbb');
    inbox.take();
    const waiting = inbox.submit('token-three-dd');
    const ending: TransferTokenOutcome = { outcome: 'failed', message: 'the onboarding ended' };
    inbox.settleAll(ending);
    expect(inbox.outcome(done)).toEqual(refused);
    expect(inbox.outcome(inFlight)).toEqual(ending);
    expect(inbox.outcome(waiting)).toEqual(ending);
    expect(inbox.hasPending()).toBe(false);
    expect(inbox.take()).toBeUndefined();
  });

  test('settleAll does not overwrite a token that was already answered', () => {
    const inbox = new TokenInbox();
    const id = inbox.submit('token-one-aaaa');
    inbox.take();
    inbox.settleInFlight(transferred);
    inbox.settleAll({ outcome: 'not-needed', message: 'late' });
    expect(inbox.outcome(id)).toEqual(transferred);
  });
});

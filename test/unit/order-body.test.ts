/**
 * Why this file exists: Google recommends "always passing renewalSettings" for annual plans (not
 * all SKUs renew the same way by default), and gives a deal code's discount only when it comes
 * with the insert. orderBody builds exactly what `subscriptions.insert` sends for an order.
 */
import { orderBody } from '../../activities/subscriptions';

test('an annual plan always carries renewal settings: the order’s, else renewing on the same payment plan', () => {
  expect(orderBody({ skuId: '1010020028', plan: 'ANNUAL_MONTHLY_PAY', seats: 10 })).toEqual({
    skuId: '1010020028',
    plan: { planName: 'ANNUAL_MONTHLY_PAY' },
    seats: { numberOfSeats: 10 },
    renewalSettings: { renewalType: 'AUTO_RENEW_MONTHLY_PAY' },
  });
  expect(orderBody({ skuId: '1010020028', plan: 'ANNUAL_YEARLY_PAY', seats: 10 }).renewalSettings).toEqual({
    renewalType: 'AUTO_RENEW_YEARLY_PAY',
  });
  expect(
    orderBody({
      skuId: '1010020028',
      plan: 'ANNUAL_MONTHLY_PAY',
      seats: 10,
      renewalType: 'RENEW_CURRENT_USERS_MONTHLY_PAY',
    }).renewalSettings,
  ).toEqual({ renewalType: 'RENEW_CURRENT_USERS_MONTHLY_PAY' });
});

test('FLEXIBLE and TRIAL carry none (renewal settings are for annual plans only)', () => {
  expect(orderBody({ skuId: '1010020028', plan: 'FLEXIBLE', seats: 5 })).not.toHaveProperty('renewalSettings');
  expect(orderBody({ skuId: '1010020028', plan: 'TRIAL', seats: 5 })).not.toHaveProperty('renewalSettings');
});

test('a deal code travels with the insert', () => {
  expect(orderBody({ skuId: '1010020028', plan: 'FLEXIBLE', seats: 5, dealCode: 'GOOGLE-DEAL-7' })).toMatchObject({
    dealCode: 'GOOGLE-DEAL-7',
  });
});

import { AccessTokens, sha256Hex } from './access-tokens.js';
import { AuthConfig, TokenConfig } from '../config/gophermq-config.js';

function authWith(tokens: Array<Partial<TokenConfig>>, adminToken = ''): AuthConfig {
  return Object.assign(new AuthConfig(), { enable: true, adminToken, tokens: tokens.map((token) => Object.assign(new TokenConfig(), token)) });
}

describe(AccessTokens.name, () => {
  const sut = new AccessTokens(
    authWith([{ name: 'orders', sha256: sha256Hex('orders-secret-0001').toUpperCase(), publish: ['orders.>'], subscribe: ['orders.*'], rateLimitMax: 5 }], 'admin-secret-000001'),
  );

  it('identifies a bearer token by its secret, whatever the case of the scheme and of the configured hex', () => {
    expect(sut.identify('Bearer orders-secret-0001')).toMatchObject({ name: 'orders', rateLimitMax: 5 });
    expect(sut.identify('bearer orders-secret-0001')?.name).toBe('orders');
    expect(sut.identify('Bearer admin-secret-000001')?.name).toBe('admin');
  });

  it.each([undefined, '', 'Bearer', 'Bearer ', 'Basic b3JkZXJzOng=', 'Bearer orders-secret-0002', 'Bearer orders-secret-0001 x', 'orders-secret-0001'])(
    'identifies nobody from %j',
    (header) => {
      expect(sut.identify(header)).toBeUndefined();
    },
  );

  it('gives each token its permissions; the admin token everything', () => {
    const orders = sut.identify('Bearer orders-secret-0001')!;
    expect([orders.mayPublish('orders.eu.created'), orders.mayPublish('billing.x'), orders.maySubscribe('orders.created'), orders.maySubscribe('orders.eu.created')]).toEqual([true, false, true, false]);
    const admin = sut.identify('Bearer admin-secret-000001')!;
    expect([admin.mayPublish('any.thing'), admin.maySubscribe('x')]).toEqual([true, true]);
  });
});

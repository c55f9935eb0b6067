import { SubscriberIds } from './subscriber-ids.js';

describe(SubscriberIds.name, () => {
  const sut = new SubscriberIds('k'.repeat(32));
  const storeId = '3b241101-e2bb-4255-8caf-4136c566a962';

  it('gives back the store id of an id tagged for the same token', () => {
    const id = sut.tagged(storeId, 'orders');
    expect(id).toMatch(new RegExp(`^${storeId}\\.[A-Za-z0-9_-]{22}$`));
    expect(sut.storeIdOf(id, 'orders')).toBe(storeId);
  });

  it('refuses the id for another token, untagged, with a tag of another key, or altered', () => {
    const id = sut.tagged(storeId, 'orders');
    expect(sut.storeIdOf(id, 'billing')).toBeUndefined();
    expect(sut.storeIdOf(storeId, 'orders')).toBeUndefined();
    expect(sut.storeIdOf(new SubscriberIds('z'.repeat(32)).tagged(storeId, 'orders'), 'orders')).toBeUndefined();
    expect(sut.storeIdOf(`${storeId.replace('3', '4')}${id.slice(storeId.length)}`, 'orders')).toBeUndefined();
    expect(sut.storeIdOf(`${id.slice(0, -1)}é`, 'orders')).toBeUndefined();
    expect(sut.storeIdOf(`.${id.split('.')[1]}`, 'orders')).toBeUndefined();
  });

  it('agrees across instances with the same secret (brokers sharing a store), not with a random key', () => {
    expect(new SubscriberIds('k'.repeat(32)).storeIdOf(sut.tagged(storeId, 'orders'), 'orders')).toBe(storeId);
    expect(new SubscriberIds('').storeIdOf(new SubscriberIds('').tagged(storeId, 'orders'), 'orders')).toBeUndefined();
  });
});

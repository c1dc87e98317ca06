import { watchEffect, type MaybeRefOrGetter, toValue } from 'vue';
import { useRoute, useRouter } from 'vue-router';
import { useHouseholdsStore } from '@/stores/households';

/**
 * Links to a household merged into another still work: when the household shown has been
 * merged (its row carries `mergedInto`, the root of its merge group), replace the route
 * with the same route for the root — /households/<source>/… becomes /households/<root>/… —
 * keeping query and hash. Call it from a page that takes the household id as a param.
 * Resolves nothing when the row is not on this device: the page shows its own "not found".
 */
export function useMergedRedirect(householdId: MaybeRefOrGetter<string>, param = 'id'): void {
  const route = useRoute();
  const router = useRouter();
  const households = useHouseholdsStore();
  watchEffect(() => {
    const id = toValue(householdId);
    const root = households.byId.get(id)?.mergedInto;
    if (!root || root === id || route.params[param] !== id) return;
    void router.replace({ name: route.name ?? undefined, params: { ...route.params, [param]: root }, query: route.query, hash: route.hash });
  });
}
